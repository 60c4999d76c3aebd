"""The SAM upgrade of `--engine auto`: classic from the first second, then SAM fetched from a local server
(a small random checkpoint in the released format), verified, loaded in its own process, timed, switched to.
Also: a corrupt file refused, a machine too slow, offline backoff, staff's start/stop, and turning it off."""

from __future__ import annotations

import logging
import threading
import time

import httpx
import pytest

from job_service.local import start_local_server
from tests.cli.weights_server import FileServer, serve
from tests.job_service.conftest import jpeg_headers, new_id

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]
torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def checkpoint_bytes(tmp_path_factory) -> bytes:
    from inference_container.sam import save_random_checkpoint

    path = tmp_path_factory.mktemp("released") / "sam_ffhq_aging.pt"
    save_random_checkpoint(path, output_size=64, seed=5, small=True)
    return path.read_bytes()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty weights cache; no weights anywhere else."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("TIME_TRAVELER_CACHE", str(folder))
    monkeypatch.delenv("TIME_TRAVELER_WEIGHTS", raising=False)
    return folder


def _job(server, photo) -> dict:
    job_id = new_id()
    assert httpx.put(f"{server.base_url}/uploads/{job_id}", content=photo, headers=jpeg_headers()).status_code == 202
    deadline = time.monotonic() + 120
    while (document := httpx.get(f"{server.base_url}/jobs/{job_id}").json())["status"] not in ("SUCCESS", "FAILED"):
        assert time.monotonic() < deadline, "job stuck"
        time.sleep(0.05)
    return document


def test_starts_on_classic_fetches_resumes_verifies_and_switches_to_sam(
    tmp_path, cache, monkeypatch, checkpoint_bytes, photo
):
    from job_service.local.upgrade import verify_in_a_process

    seen, gate = [], threading.Event()

    def gated_verify(path):  # holds the upgrade at "verifying" until the job before has run
        assert gate.wait(120)
        return verify_in_a_process(path)

    with serve(FileServer(checkpoint_bytes, cut_after=len(checkpoint_bytes) // 3)) as files:
        monkeypatch.setenv("TIME_TRAVELER_WEIGHTS_URL", files.base_url + "/sam_ffhq_aging.pt")
        started = time.monotonic()
        with start_local_server(
            engine="auto", data_dir=tmp_path / "jobs", engine_options={"output_size": 256},
            upgrade_hooks={"verify": gated_verify, "on_status": seen.append, "sam_options": {"compile": False}},
        ) as server:
            assert time.monotonic() - started < 5
            assert server.wait_ready(60) and server.health()["engine"] == "classic"
            assert server.upgrade.wait_for(("verifying",), 60)["state"] == "verifying"
            before = _job(server, photo)
            assert before["status"] == "SUCCESS" and before["engine"] == "classic"
            gate.set()
            status = server.upgrade.wait_for(("ready", "failed", "too_slow"), 180)
            assert status["state"] == "ready", status
            assert "s here (budget 20 s)" in status["detail"]
            health = httpx.get(f"{server.base_url}/health").json()
            assert health["engine"] == "sam" and health["upgrade"]["state"] == "ready"
            after = _job(server, photo)
            assert after["status"] == "SUCCESS" and after["engine"] == "sam", after["error"]
    progress = [s["progress"] for s in seen if s["state"] == "downloading" and s["progress"] is not None]
    assert progress and progress == sorted(progress) and progress[-1] == 1.0
    assert [s["state"] for s in seen][-3:] == ["verifying", "loading", "ready"]
    assert len(files.requests) == 2 and files.requests[1][1].startswith("bytes=")  # the broken transfer resumed
    assert (cache / "sam_ffhq_aging.pt").read_bytes() == checkpoint_bytes


def test_a_corrupt_file_is_refused_and_the_booth_stays_on_classic(tmp_path, cache, monkeypatch, photo):
    with serve(FileServer(b"not a checkpoint" * 70_000)) as files:
        monkeypatch.setenv("TIME_TRAVELER_WEIGHTS_URL", files.base_url + "/sam_ffhq_aging.pt")
        with start_local_server(engine="auto", data_dir=tmp_path / "jobs", engine_options={"output_size": 256}) as server:
            status = server.upgrade.wait_for(("ready", "failed", "too_slow"), 120)
            assert status["state"] == "failed" and "not a valid SAM checkpoint" in status["detail"]
            assert server.wait_ready(60) and server.health()["engine"] == "classic"
            assert httpx.get(f"{server.base_url}/health").json()["upgrade"]["state"] == "failed"
    assert sorted(p.name for p in cache.iterdir() if p.suffix != ".lock") == []


def test_too_slow_for_the_budget_stays_on_classic_and_says_why(tmp_path, cache, classic_engine):
    from job_service.local.engine_process import EngineRecipe
    from tests.job_service.fault_engines import SleepyEngine

    weights = tmp_path / "sam_ffhq_aging.pt"
    weights.write_bytes(b"present")  # found on disk; the injected engine never reads it
    slow = EngineRecipe.of(SleepyEngine(classic_engine, seconds=1.5), preload_landmarks=True)
    with start_local_server(
        engine="auto", weights=weights, data_dir=tmp_path / "jobs", sam_budget_s=0.5,
        engine_options={"output_size": 256}, upgrade_hooks={"spec_for": lambda path: slow},
    ) as server:
        status = server.upgrade.wait_for(("ready", "failed", "too_slow"), 120)
        assert status["state"] == "too_slow", status
        assert "the budget is 0.5 s" in status["detail"] and "ages 20, 70" not in status["detail"]
        assert "classic" in status["detail"] and server.queue.engine_name == "classic"


def test_offline_backs_off_in_minutes_and_says_so_once(tmp_path, cache, monkeypatch, caplog):
    from tenacity import wait_none

    with serve(FileServer(b"")) as files:
        dead_url = files.base_url + "/gone"
    monkeypatch.setenv("TIME_TRAVELER_WEIGHTS_URL", dead_url)
    waits = []

    def sleeper(seconds):  # records the wait instead of waiting; stops after the fourth
        waits.append(seconds)
        return len(waits) >= 4

    caplog.set_level(logging.INFO, logger="job_service")
    with start_local_server(
        engine="auto", data_dir=tmp_path / "jobs", engine_options={"output_size": 256},
        upgrade_hooks={"sleep": sleeper, "retry_wait": wait_none()},
    ) as server:
        thread = server.upgrade._thread
        thread.join(60)
        assert not thread.is_alive()
    assert waits == [120.0, 240.0, 480.0, 960.0]
    told = [r for r in caplog.records if "could not be fetched" in r.getMessage()]
    assert len(told) == 1 and "classic" in told[0].getMessage()


def test_staff_stop_and_start_it_through_the_admin_route(tmp_path, cache, monkeypatch):
    from tenacity import wait_none

    with serve(FileServer(b"")) as files:
        dead_url = files.base_url + "/gone"
    monkeypatch.setenv("TIME_TRAVELER_WEIGHTS_URL", dead_url)
    with start_local_server(
        engine="auto", data_dir=tmp_path / "jobs", api_key="k", engine_options={"output_size": 256},
        upgrade_hooks={"retry_wait": wait_none()},  # then it waits minutes for the next try: stop ends that
    ) as server:
        url, key = f"{server.base_url}/admin/upgrade", {"x-api-key": "k"}
        assert httpx.post(url, json={"action": "stop"}).status_code == 403  # no key
        assert httpx.post(url, json={"action": "jump"}, headers=key).status_code == 400
        stopped = httpx.post(url, json={"action": "stop"}, headers=key)
        assert stopped.status_code == 200 and stopped.json()["upgrade"]["state"] == "off"
        assert "Stopped by staff" in httpx.get(f"{server.base_url}/health", headers=key).json()["upgrade"]["detail"]
        started = httpx.post(url, json={"action": "start"}, headers=key)
        assert started.status_code == 200 and server.upgrade._thread.is_alive()


def test_the_admin_route_answers_only_this_machine():
    from job_service import api

    config = api.ApiConfig(upgrade_action=lambda action: {"state": "off"})
    request = api.ApiRequest("POST", "/admin/upgrade", {}, b'{"action": "start"}', client="192.168.1.20")
    assert api.handle(None, config, request).status == 403
    local = api.ApiRequest("POST", "/admin/upgrade", {}, b'{"action": "start"}', client="127.0.0.1")
    assert api.handle(None, config, local).json_body() == {"upgrade": {"state": "off"}}
    assert api.handle(None, api.ApiConfig(), local).status == 404  # no upgrade here (AWS, or a fixed engine)


def test_no_fetch_weights_turns_the_download_off(tmp_path, cache, monkeypatch):
    with serve(FileServer(b"x")) as files:
        monkeypatch.setenv("TIME_TRAVELER_WEIGHTS_URL", files.base_url + "/w")
        with start_local_server(engine="auto", data_dir=tmp_path / "jobs", fetch_weights=False) as server:
            status = server.upgrade.wait_for(("off",), 30)
            server.upgrade._thread.join(30)
            assert status["state"] == "off" and "--no-fetch-weights" in server.upgrade.status()["detail"]
    assert files.requests == []
