"""The local server beyond the contract: crash recovery, atomic writes, engine loading, the `serve` command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from job_service.local import InsecureBindError, start_local_server
from job_service.local.store import FileObjectStore
from job_service.local.table import SqliteJobTable
from job_service.model import Job, JobStatus, upload_key
from tests.job_service.conftest import jpeg_headers, new_id
from tests.job_service.deployments import FakeClock
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(120)
REPO = Path(__file__).resolve().parents[2]


def _poll(base_url: str, job_id: str, timeout: float = 60) -> dict:
    def finished() -> dict | None:
        document = httpx.get(f"{base_url}/jobs/{job_id}").json()
        return document if document["status"] in ("SUCCESS", "FAILED") else None

    return wait_for(finished, timeout, f"job {job_id} finishing")


@pytest.mark.slow
def test_restart_after_a_crash_requeues_or_fails_what_was_in_flight(tmp_path, classic_engine, photo):
    """Simulates kill -9: rows left QUEUED/PROCESSING in SQLite, a half-written file beside the photos."""
    data_dir = tmp_path / "data"
    store, table = FileObjectStore(data_dir / "objects"), SqliteJobTable(data_dir / "jobs.sqlite3")
    now = time.time()
    fresh_processing, fresh_queued, too_old = new_id(), new_id(), new_id()
    for job_id, status, created in (
        (fresh_processing, JobStatus.PROCESSING, now - 5),
        (fresh_queued, JobStatus.QUEUED, now - 1),
        (too_old, JobStatus.PROCESSING, now - 1000),
    ):
        table.create(Job(job_id, status, created, created, (30,), "image/jpeg", created + 86400))
        store.put(upload_key(job_id), photo, "image/jpeg")
    partial = data_dir / "objects" / "uploads" / ".tmpabc.partial"
    partial.write_bytes(photo[:100])
    table.close()

    with start_local_server(data_dir=data_dir, engine_instance=classic_engine, job_timeout=300) as server:
        assert not partial.exists()
        for job_id in (fresh_processing, fresh_queued):
            document = _poll(server.base_url, job_id)
            assert document["status"] == "SUCCESS" and [f["age"] for f in document["frames"]] == [None, 30]
        old = httpx.get(f"{server.base_url}/jobs/{too_old}").json()
        assert old["status"] == "FAILED" and old["error"]["code"] == "TIMEOUT"


@pytest.mark.slow
def test_killed_server_process_leaves_a_recoverable_data_dir(tmp_path, photo):
    """A real `time-traveler serve` killed with SIGKILL mid-job; a new server finishes the job."""
    data_dir = tmp_path / "data"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "inference_container.cli",
            "serve",
            "--port",
            "0",
            "--engine",
            "classic",
            "--data-dir",
            str(data_dir),
            "--ages",
            "40",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = ""
        while "job service on" not in line or "Time Traveler" not in line:
            line = process.stdout.readline()
            assert line, "the server exited"
        assert "engine: classic" in line, line
        base_url = line.split(" on ", 1)[1].split()[0]
        job_id = new_id()
        reply = httpx.put(
            f"{base_url}/uploads/{job_id}", content=photo, headers={"Content-Type": "image/jpeg"}
        )
        assert reply.status_code == 202
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        process.stdout.close()
    table = SqliteJobTable(data_dir / "jobs.sqlite3")
    assert table.get(job_id).status in (JobStatus.QUEUED, JobStatus.PROCESSING)  # on disk, in flight
    table.close()
    from inference_container.classic import ClassicEngine

    with start_local_server(data_dir=data_dir, engine_instance=ClassicEngine(output_size=256)) as server:
        document = _poll(server.base_url, job_id)
        assert document["status"] == "SUCCESS" and document["ages"] == [40]


def test_frames_carry_the_age_they_show_when_the_engine_cannot_show_the_asked_one(
    tmp_path, classic_engine, photo
):
    """The classic engine cannot make the adult astronaut 5: it makes, and the document labels, an older
    frame; `ages` stays what was asked, and an age within reach is shown as asked."""
    with start_local_server(data_dir=tmp_path, engine_instance=classic_engine) as server:
        job_id = new_id()
        reply = httpx.put(
            f"{server.base_url}/uploads/{job_id}", content=photo, headers=jpeg_headers(**{"X-Target-Ages": "5,40"})
        )
        assert reply.status_code == 202
        document = _poll(server.base_url, job_id)
    assert document["status"] == "SUCCESS" and document["ages"] == [5, 40]
    young, forty = (frame["age"] for frame in document["frames"][1:])
    assert 15 <= young <= 25 and forty == 40


def test_a_job_table_from_before_shown_ages_opens_and_keeps_its_jobs(tmp_path):
    import sqlite3

    path = tmp_path / "jobs.sqlite3"
    with sqlite3.connect(path) as db:  # the first release's schema, with one finished job
        db.execute(
            "CREATE TABLE jobs (job_id TEXT PRIMARY KEY, status TEXT NOT NULL, created_at REAL NOT NULL, "
            "updated_at REAL NOT NULL, ages TEXT NOT NULL, content_type TEXT NOT NULL, expires_at REAL NOT NULL, "
            "frame_count INTEGER NOT NULL DEFAULT 0, engine TEXT, error_code TEXT, error_message TEXT)"
        )
        db.execute("INSERT INTO jobs VALUES ('a', 'SUCCESS', 1, 2, '[30, 70]', 'image/jpeg', 9e12, 3, 'sam', NULL, NULL)")
    table = SqliteJobTable(path)
    try:
        old = table.get("a")
        assert old is not None and old.ages == (30, 70) and old.shown_ages is None and old.frame_ages() == [None, 30, 70]
        done = table.update("a", {JobStatus.SUCCESS}, shown_ages=(22, 70))
        assert done is not None and done.frame_ages() == [None, 22, 70] and done.ages == (30, 70)
    finally:
        table.close()


def test_store_writes_are_atomic(tmp_path):
    store = FileObjectStore(tmp_path)
    store.put("uploads/a", b"first", "image/jpeg")
    with pytest.raises(TypeError):
        store.put("uploads/a", object(), "image/jpeg")  # the write fails halfway
    assert store.get("uploads/a") == b"first"
    assert [p.name for p in (tmp_path / "uploads").iterdir()] == ["a"]
    with pytest.raises(ValueError):
        store.put("../outside", b"x", "image/jpeg")
    assert not (tmp_path.parent / "outside").exists()


def test_engine_loads_in_its_worker_and_health_is_503_until_then(tmp_path, classic_engine, photo):
    from tests.job_service.fault_engines import SlowLoadingEngine

    engine = SlowLoadingEngine(classic_engine)
    started = time.monotonic()
    with start_local_server(data_dir=tmp_path, engine_instance=engine) as server:
        assert time.monotonic() - started < 5
        first = httpx.get(f"{server.base_url}/health")
        assert first.status_code == 503
        assert first.json()["status"] == "unavailable" and first.json()["ready"] is False
        assert "still loading" in first.json()["reason"] and first.json()["engine"] == "classic"
        job_id = new_id()  # a job queued while the engine loads waits for it
        assert httpx.put(f"{server.base_url}/uploads/{job_id}", content=photo, headers=jpeg_headers()).status_code == 202
        assert httpx.get(f"{server.base_url}/jobs/{job_id}").json()["stage"] == "warming_up"
        engine.finish_loading()
        assert server.wait_ready(60)
        ready = httpx.get(f"{server.base_url}/health")
        assert ready.status_code == 200 and ready.json()["status"] == "ok" and ready.json()["ready"] is True
        assert _poll(server.base_url, job_id)["status"] == "SUCCESS"


@pytest.mark.slow
def test_an_engine_that_cannot_load_fails_jobs_and_health(tmp_path, photo):
    with start_local_server(engine="sam", weights=tmp_path / "missing.pt", data_dir=tmp_path) as server:
        assert server.wait_ready(60) is False
        health = httpx.get(f"{server.base_url}/health")
        assert health.status_code == 503 and health.json()["status"] == "unavailable"
        assert health.json()["engine"] == "sam" and "could not be loaded" in health.json()["reason"]
        job_id = new_id()
        httpx.put(f"{server.base_url}/uploads/{job_id}", content=photo, headers=jpeg_headers())
        document = _poll(server.base_url, job_id)
        assert document["status"] == "FAILED" and document["error"]["code"] == "INFERENCE_FAILED"


def test_refuses_a_public_address_without_an_api_key(tmp_path):
    with pytest.raises(InsecureBindError, match="--api-key"):
        start_local_server(host="0.0.0.0", data_dir=tmp_path, engine="classic")
    assert not (tmp_path / "jobs.sqlite3").exists()


@pytest.mark.slow
def test_serve_command_refuses_a_public_address_with_a_clear_message(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "inference_container.cli",
            "serve",
            "--host",
            "0.0.0.0",
            "--data-dir",
            str(tmp_path),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "without an API key" in result.stderr and "--api-key" in result.stderr


@pytest.mark.slow
def test_serve_command_refuses_bad_ages(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "inference_container.cli",
            "serve",
            "--ages",
            "10,abc",
            "--data-dir",
            str(tmp_path),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "--ages" in result.stderr


@pytest.mark.slow
def test_local_sweeper_thread_times_out_jobs_on_its_own(tmp_path, classic_engine, photo):
    from tests.job_service.deployments import GatedEngine

    engine, clock = GatedEngine(classic_engine), FakeClock()
    with start_local_server(
        data_dir=tmp_path, engine_instance=engine, job_timeout=10, clock=clock, sweep_interval=0.05
    ) as server:
        job_id = new_id()
        httpx.put(f"{server.base_url}/uploads/{job_id}", content=photo, headers=jpeg_headers())
        assert engine.entered.wait(10)
        clock.advance(11)
        failed = wait_for(
            lambda: (job := server.table.get(job_id)).status == JobStatus.FAILED and job,
            10,
            "the sweeper failing the stuck job",
        )
        assert failed.error_code == "TIMEOUT"
        engine.release()


@pytest.mark.slow
def test_no_torch_or_qt_in_the_job_service():
    code = (
        "import sys, job_service.local, job_service.aws.functions, job_service.serve_command, job_service.aws.handlers;"
        "bad = [m for m in ('torch', 'PySide6', 'cv2', 'dlib') if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "path", ["/jobs/../../jobs.sqlite3", "/results/../objects/uploads/0.jpg", "/jobs/..%2F..%2Fjobs.sqlite3"]
)
def test_raw_dot_dot_paths_never_reach_a_file(tmp_path, classic_engine, path):
    """httpx normalises `../` away, so these go over a raw socket exactly as written."""
    import socket

    with start_local_server(data_dir=tmp_path, engine_instance=classic_engine) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
            connection.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] in (b"400", b"404"), status_line
    assert b"SQLite" not in rest and b'"code"' in rest
