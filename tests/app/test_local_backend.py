"""The embedded job service in its child process: it starts, answers on loopback, stops, and reports failure."""

from __future__ import annotations

import httpx
import pytest

from photobooth.local_backend import LocalBackendProcess


@pytest.mark.slow
def test_child_process_serves_and_stops(tmp_path):
    backend = LocalBackendProcess(engine="classic", data_dir=str(tmp_path / "jobs"))
    try:
        assert backend.base_url.startswith("http://127.0.0.1:")
        health = httpx.get(f"{backend.base_url}/health", timeout=5).json()
        assert health["status"] == "ok" and health["engine"] == "classic"
    finally:
        backend.stop()
    assert not backend.alive
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{backend.base_url}/health", timeout=2)


@pytest.mark.slow
def test_a_service_that_cannot_start_says_why(tmp_path):
    with pytest.raises(RuntimeError, match="engine"):
        LocalBackendProcess(engine="no-such-engine", data_dir=str(tmp_path / "jobs"))
