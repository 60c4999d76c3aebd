"""A real `time-traveler serve-model` process on a loopback port, serving a small random SAM checkpoint."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.waiting import wait_for

STARTUP_SECONDS = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory) -> Path:
    """A model dir as SageMaker lays it out: model.pt = a small random SAM checkpoint (64 px output)."""
    from inference_container.sam import save_random_checkpoint

    model_dir = tmp_path_factory.mktemp("model")
    save_random_checkpoint(model_dir / "model.pt", output_size=64, seed=0, small=True)
    return model_dir


@pytest.fixture(scope="session")
def server_url(small_model_dir, tmp_path_factory):
    """Start serve-model as SageMaker would (port from SAGEMAKER_BIND_TO_PORT) and wait for /ping."""
    port = free_port()
    env = dict(os.environ, SAGEMAKER_BIND_TO_PORT=str(port), OMP_NUM_THREADS="1")
    log_path = tmp_path_factory.mktemp("server") / "serve-model.log"
    command = [
        sys.executable, "-m", "inference_container.cli", "serve-model",
        "--model-dir", str(small_model_dir), "--host", "127.0.0.1", "--engine", "sam",
        "--device", "cpu", "--max-concurrency", "4",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:

        def answering() -> bool:
            if process.poll() is not None:
                pytest.fail(f"serve-model exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                return httpx.get(f"{url}/ping", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        try:
            wait_for(answering, STARTUP_SECONDS, "serve-model answering /ping", interval=0.2)
        except AssertionError as late:
            pytest.fail(f"{late}:\n{log_path.read_text()[-3000:]}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
