"""The engine's worker process: a hung engine is killed at the job timeout, a crashed one restarted,
frames arrive as the engine made them, and /health says when no worker can take work."""

from __future__ import annotations

import io
import time
from urllib.parse import urljoin

import httpx
import pytest
from PIL import Image

from job_service.local import start_local_server
from tests.job_service.conftest import jpeg_headers, new_id
from tests.job_service.deployments import FakeClock
from tests.job_service.fault_engines import ExitingEngine, HangingEngine, NamedEngine, SmallOriginalEngine

pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]


def _upload(server, photo) -> str:
    job_id = new_id()
    reply = httpx.put(f"{server.base_url}/uploads/{job_id}", content=photo, headers=jpeg_headers())
    assert reply.status_code == 202, reply.text
    return job_id


def _final(server, job_id: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        document = httpx.get(f"{server.base_url}/jobs/{job_id}").json()
        if document["status"] in ("SUCCESS", "FAILED"):
            return document
        assert time.monotonic() < deadline, f"job stuck in {document['status']}"
        time.sleep(0.05)


def test_a_hung_engine_is_killed_when_its_job_times_out_and_the_next_job_succeeds(tmp_path, classic_engine, photo):
    engine, clock = HangingEngine(classic_engine), FakeClock()
    with start_local_server(data_dir=tmp_path, engine_instance=engine, job_timeout=30, clock=clock) as server:
        assert server.wait_ready(60)
        first_pid = server.queue._slots[0].process.pid
        hung = _upload(server, photo)
        assert engine.entered.wait(30)
        clock.advance(31)
        document = _final(server, hung)  # the read itself says TIMEOUT; the worker then kills its engine
        assert document["status"] == "FAILED" and document["error"]["code"] == "TIMEOUT"
        after = _upload(server, photo)  # the capacity came back: a fresh engine process takes it
        document = _final(server, after)
        assert document["status"] == "SUCCESS", document["error"]
        assert server.queue._slots[0].process.pid != first_pid
        assert server.queue._slots[0].restarts == 1


def test_the_engine_process_is_killed_at_its_deadline(photo):
    from job_service.local.engine_process import EngineProcess, EngineRecipe, Lost

    process = EngineProcess(EngineRecipe.of(HangingEngine(NamedEngine()), preload_landmarks=False))
    try:
        assert process.wait_ready(60)
        started = time.monotonic()
        outcome = process.age(photo, (30,), timeout=1.0)
        assert isinstance(outcome, Lost) and outcome.why == "timeout" and not outcome.died
        assert 1.0 <= time.monotonic() - started < 10 and not process.alive() and process.state == "dead"
    finally:
        process.close()


def test_systemexit_in_the_engine_fails_that_job_and_the_worker_restarts(tmp_path, classic_engine, photo):
    engine = ExitingEngine(classic_engine)
    with start_local_server(data_dir=tmp_path, engine_instance=engine) as server:
        assert server.wait_ready(60)
        crashed = _final(server, _upload(server, photo))
        assert crashed["status"] == "FAILED" and crashed["error"]["code"] == "INFERENCE_FAILED"
        assert "stopped" in crashed["error"]["message"]
        document = _final(server, _upload(server, photo))
        assert document["status"] == "SUCCESS", document["error"]
        assert [frame["age"] for frame in document["frames"]] == [None, 30, 70]
        assert httpx.get(f"{server.base_url}/health").json()["ready"] is True


def test_frames_are_stored_as_the_engine_made_them(tmp_path, photo):
    """The original keeps its own size: no strip in between, no upscaling to the frame size."""
    with start_local_server(data_dir=tmp_path, engine_instance=SmallOriginalEngine(output_size=256)) as server:
        document = _final(server, _upload(server, photo))
        assert document["status"] == "SUCCESS", document["error"]
        urls = [urljoin(server.base_url + "/", frame["url"]) for frame in document["frames"]]  # URLs are paths
        sizes = [Image.open(io.BytesIO(httpx.get(url).content)).size for url in urls]
    # frame 0 keeps its 64 px; the aged frames keep the engine's own size (the photo layout), not 64 px
    assert sizes[0] == (64, 64) and sizes[1] == sizes[2] and sizes[1] != (64, 64), sizes


def test_health_is_503_when_the_disk_is_nearly_full(tmp_path, classic_engine, monkeypatch):
    import shutil
    from types import SimpleNamespace

    with start_local_server(data_dir=tmp_path, engine_instance=classic_engine) as server:
        assert server.wait_ready(60)
        monkeypatch.setattr(shutil, "disk_usage", lambda path: SimpleNamespace(total=10**10, used=10**10, free=10**6))
        reply = httpx.get(f"{server.base_url}/health")
    assert reply.status_code == 503 and "disk is nearly full" in reply.json()["reason"]

