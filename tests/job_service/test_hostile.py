"""The local job service under hostile clients and faults (issue 14), over real sockets on 127.0.0.1.

Each test names the finding it covers. Deadlines are shortened through `http_options` so that a slow
client is closed in under a second; the engine is the real classic engine at 256 px.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from job_service.local import start_local_server
from job_service.local.store import FileObjectStore
from job_service.local.table import SqliteJobTable
from job_service.model import Job, JobStatus, upload_key
from tests.job_service.conftest import jpeg_headers, new_id
from tests.job_service.deployments import RaisingEngine, job_rows, stored_files
from tests.raw_http import closed_by_server, connect, head, jpeg_claiming, png_claiming, read_response

# Each test starts a real server (and an engine process): slow for the edit loop, run by `make test`.
pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
KEY = "booth-key-7"
FAST_DEADLINES = {"header_timeout": 0.5, "body_timeout": 1.0, "keep_alive": 0.5, "max_connections": 8}


@pytest.fixture
def server(tmp_path, classic_engine):
    with start_local_server(
        data_dir=tmp_path / "data", api_key=KEY, engine_instance=classic_engine, http_options=FAST_DEADLINES
    ) as running:
        assert running.wait_ready(120)  # /health is 503 until the engine process has loaded
        yield running


def put_headers(length: int, key: str | None = KEY, **extra) -> dict:
    headers = {"Content-Type": "image/jpeg", "Content-Length": str(length), "X-Target-Ages": "20,70"}
    if key is not None:
        headers["x-api-key"] = key
    return {**headers, **extra}


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def poll_final(base_url: str, job_id: str, headers: dict | None = None) -> dict:
    headers = headers if headers is not None else {"x-api-key": KEY}
    document: dict = {}
    wait_for(
        lambda: (
            document.update(httpx.get(f"{base_url}/jobs/{job_id}", headers=headers).json())
            or document["status"] in ("SUCCESS", "FAILED")
        )
    )
    return document


# --- finding 1: checks before the body, read deadlines, a connection bound ---------------------------
@pytest.mark.parametrize(
    ("path", "headers", "status", "code"),
    [
        ("/uploads/{id}", put_headers(10 * 1024 * 1024 - 1, key=None), 403, "FORBIDDEN"),
        ("/uploads/{id}", put_headers(10 * 1024 * 1024 - 1, key="wrong"), 403, "FORBIDDEN"),
        ("/uploads/not-a-uuid", put_headers(5_000_000), 400, "BAD_REQUEST"),
        ("/uploads/{id}", put_headers(5_000_000, **{"Content-Type": "text/plain"}), 400, "BAD_REQUEST"),
        ("/uploads/{id}", put_headers(5_000_000, **{"X-Target-Ages": "10,abc"}), 400, "BAD_REQUEST"),
        ("/uploads/{id}", put_headers(10 * 1024 * 1024 + 1), 413, "TOO_LARGE"),
        ("/elsewhere/{id}", put_headers(5_000_000), 404, "NOT_FOUND"),
    ],
)
def test_refused_before_a_byte_of_the_body_is_sent(server, path, headers, status, code):
    sock = connect(server.port)
    sock.sendall(head("PUT", path.format(id=new_id()), headers))  # the body never follows
    answer, _, body = read_response(sock)
    assert answer == status and code.encode() in body
    assert closed_by_server(sock, within=5.0)  # the unsent body's deadline closes the connection
    assert job_rows(server) == 0 and stored_files(server) == 0


def test_slow_headers_are_closed_at_the_header_deadline(server):
    sock = connect(server.port)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
    assert closed_by_server(sock, within=5.0)


def test_a_body_that_stops_coming_is_closed_and_stores_nothing(server, photo, caplog):
    caplog.set_level(logging.INFO)
    sock = connect(server.port)
    sock.sendall(head("PUT", f"/uploads/{new_id()}", put_headers(len(photo))) + photo[:1000])
    assert closed_by_server(sock, within=5.0)
    wait_for(lambda: any("before its body was complete" in r.getMessage() for r in caplog.records))
    assert job_rows(server) == 0 and stored_files(server) == 0


def test_connections_past_the_bound_get_503_and_capacity_returns(server):
    idle = [connect(server.port) for _ in range(FAST_DEADLINES["max_connections"])]
    for sock in idle:
        sock.sendall(b"GET /health HTTP/1.1\r\n")  # slow headers hold each connection
    wait_for(lambda: len(server._server.server_state.connections) >= len(idle))
    extra = connect(server.port)
    extra.sendall(head("GET", "/health", {"x-api-key": KEY}))
    assert read_response(extra)[0] == 503
    assert all(closed_by_server(sock, within=5.0) for sock in idle)
    wait_for(lambda: httpx.get(f"{server.base_url}/health", headers={"x-api-key": KEY}).status_code == 200)


# --- finding 3: TCP_NODELAY on every accepted connection ---------------------------------------------
def test_accepted_connections_have_tcp_nodelay(server):
    import socket

    with httpx.Client(base_url=server.base_url, headers={"x-api-key": KEY}) as client:
        for _ in range(3):  # one kept-alive connection
            assert client.get("/health").status_code == 200
        connections = list(server._server.server_state.connections)
        assert connections
        for protocol in connections:
            sock = protocol.transport.get_extra_info("socket")
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1


# --- finding 4: readers answer while something else holds SQLite's write lock ------------------------
@pytest.mark.slow
def test_an_outside_write_lock_leaves_reads_answering_and_uploads_get_503(
    tmp_path, classic_engine, photo, monkeypatch
):
    monkeypatch.setattr("job_service.local.table.BUSY_TIMEOUT_S", 0.5)
    auth = {"x-api-key": KEY}
    with start_local_server(
        data_dir=tmp_path / "data", api_key=KEY, engine_instance=classic_engine
    ) as server:
        done_id = new_id()
        httpx.put(f"{server.base_url}/uploads/{done_id}", content=photo, headers=jpeg_headers(**auth))
        assert poll_final(server.base_url, done_id)["status"] == "SUCCESS"
        outside = sqlite3.connect(server.data_dir / "jobs.sqlite3", isolation_level=None)
        outside.execute("BEGIN EXCLUSIVE")
        outside.execute("UPDATE jobs SET engine = engine")
        try:
            for _ in range(5):
                assert (
                    httpx.get(f"{server.base_url}/jobs/{done_id}", headers=auth, timeout=5).status_code == 200
                )
                assert httpx.get(f"{server.base_url}/health", headers=auth, timeout=5).status_code == 200
                frame = httpx.get(f"{server.base_url}/results/{done_id}/1.jpg", headers=auth, timeout=5)
                assert frame.status_code == 200
            blocked_id = new_id()
            refused = httpx.put(
                f"{server.base_url}/uploads/{blocked_id}",
                content=photo,
                headers=jpeg_headers(**auth),
                timeout=10,
            )
            assert refused.status_code == 503 and refused.json()["error"]["code"] == "UNAVAILABLE"
        finally:
            outside.execute("ROLLBACK")
            outside.close()
        assert not server.store.exists(upload_key(blocked_id)) and server.table.get(blocked_id) is None
        retried = httpx.put(
            f"{server.base_url}/uploads/{blocked_id}", content=photo, headers=jpeg_headers(**auth)
        )
        assert retried.status_code == 202
        assert poll_final(server.base_url, blocked_id)["status"] == "SUCCESS"


# --- finding 5: an unreadable database is moved aside -------------------------------------------------
def _break_by_garbage(path: Path) -> None:
    path.write_bytes(b"this is not an sqlite database, it is a photo booth's bad day" * 100)


def _break_by_truncation(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3 + 10])


def _break_by_directory(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "stray").write_text("x")


def _fill_data_dir(data_dir: Path, photo: bytes) -> None:
    """A table of many finished jobs (several pages, so truncation bites) and their photos on disk."""
    table = SqliteJobTable(data_dir / "jobs.sqlite3")
    store = FileObjectStore(data_dir / "objects")
    for number in range(300):
        job = Job(new_id(), JobStatus.FAILED, 1.0, 1.0, (20, 70), expires_at=9e12, error_code="NO_FACE",
                  error_message=f"no face in photo {number} " * 8)  # fmt: skip
        table.create(job)
        if number < 3:
            store.put(upload_key(job.job_id), photo, "image/jpeg")
    table.close()  # the last connection out checkpoints the WAL into the file


@pytest.mark.parametrize("damage", [_break_by_garbage, _break_by_truncation, _break_by_directory])
def test_an_unreadable_database_is_moved_aside_and_the_service_starts_fresh(
    tmp_path, photo, noise_png, caplog, damage
):
    caplog.set_level(logging.INFO)
    data_dir = tmp_path / "data"
    _fill_data_dir(data_dir, photo)
    assert not (data_dir / "jobs.sqlite3-wal").exists()
    damage(data_dir / "jobs.sqlite3")

    with start_local_server(data_dir=data_dir, engine_instance=RaisingEngine()) as server:
        assert any("moved aside as jobs.sqlite3.corrupt" in r.getMessage() for r in caplog.records)
        assert (data_dir / "jobs.sqlite3.corrupt").exists() and (data_dir / "jobs.sqlite3").is_file()
        assert stored_files(server) == 0  # the old photos had no record any more: deleted
        assert job_rows(server) == 0
        job_id = new_id()  # the new table takes a job through to its end (an engine that fails at once)
        put = httpx.put(
            f"{server.base_url}/uploads/{job_id}", content=noise_png, headers={"Content-Type": "image/png"}
        )
        assert put.status_code == 202
        assert poll_final(server.base_url, job_id, headers={})["error"]["code"] == "INFERENCE_FAILED"


# --- finding 6: disk full ---------------------------------------------------------------------------
@pytest.mark.slow
def test_disk_full_refuses_the_upload_with_507_and_leaves_nothing(server, photo, monkeypatch):
    real_fsync = os.fsync

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)  # what a full disk reports when the photo is flushed
    job_id = new_id()
    auth = {"x-api-key": KEY}
    reply = httpx.put(f"{server.base_url}/uploads/{job_id}", content=photo, headers=jpeg_headers(**auth))
    assert reply.status_code == 507 and reply.json()["error"]["code"] == "STORAGE_FULL"
    assert job_rows(server) == 0 and stored_files(server) == 0
    assert list(server.store.root.rglob("*.partial")) == []
    assert httpx.get(f"{server.base_url}/jobs/{job_id}", headers=auth).status_code == 404

    monkeypatch.setattr(os, "fsync", real_fsync)  # room again: the booth's retry goes through
    reply = httpx.put(f"{server.base_url}/uploads/{job_id}", content=photo, headers=jpeg_headers(**auth))
    assert reply.status_code == 202
    assert poll_final(server.base_url, job_id)["status"] == "SUCCESS"


# --- finding 7: concurrent repeats of one id ----------------------------------------------------------
def test_concurrent_repeats_of_one_id_keep_the_winners_bytes(tmp_path):
    import numpy as np
    from PIL import Image

    from tests.conftest import image_bytes

    rng = np.random.default_rng(7)  # six different photos; the engine is beside the point and fails at once
    variants = [
        image_bytes(Image.fromarray(rng.integers(0, 255, (48, 48, 3), dtype=np.uint8)), "PNG")
        for _ in range(6)
    ]
    with start_local_server(data_dir=tmp_path / "data", engine_instance=RaisingEngine()) as server:
        for _ in range(3):
            job_id = new_id()
            start = threading.Barrier(len(variants))
            answers: dict[int, int] = {}

            def upload(index: int, body: bytes, job_id=job_id, start=start, answers=answers) -> None:
                with httpx.Client(base_url=server.base_url) as client:
                    start.wait()
                    reply = client.put(
                        f"/uploads/{job_id}", content=body, headers={"Content-Type": "image/png"}
                    )
                    answers[index] = reply.status_code

            threads = [threading.Thread(target=upload, args=(i, body)) for i, body in enumerate(variants)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            winners = [index for index, status in answers.items() if status == 202]
            assert len(winners) == 1 and sorted(answers.values()).count(200) == len(variants) - 1
            assert server.store.get(upload_key(job_id)) == variants[winners[0]]


# --- finding 9: the pixel cap, read from the header -------------------------------------------------
@pytest.mark.parametrize("make", [png_claiming, jpeg_claiming])
def test_a_photo_claiming_too_many_pixels_is_refused_at_upload(server, make):
    job_id = new_id()
    body = make(7999, 7999)  # 64 MP in under 1 KB
    kind = "image/png" if body.startswith(b"\x89PNG") else "image/jpeg"
    reply = httpx.put(
        f"{server.base_url}/uploads/{job_id}",
        content=body,
        headers={"Content-Type": kind, "x-api-key": KEY},
    )
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["code"] == "BAD_IMAGE" and "7999x7999" in error["message"]
    assert job_rows(server) == 0 and stored_files(server) == 0


# --- finding 10: disconnects, repeated keys, Host, the key's source, file modes -----------------------
def test_a_client_disconnect_mid_upload_logs_one_line_and_no_traceback(server, photo, caplog):
    caplog.set_level(logging.INFO)
    sock = connect(server.port)
    sock.sendall(head("PUT", f"/uploads/{new_id()}", put_headers(len(photo))) + photo[:5000])
    sock.close()
    wait_for(lambda: any("before its body was complete" in r.getMessage() for r in caplog.records))
    lines = [r for r in caplog.records if "before its body was complete" in r.getMessage()]
    assert len(lines) == 1
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert job_rows(server) == 0


@pytest.mark.parametrize("keys", [("wrong", KEY), (KEY, "wrong"), (KEY, KEY)])
def test_a_repeated_api_key_header_is_refused(server, photo, keys):
    job_id = new_id()
    headers = [("Content-Type", "image/jpeg"), *(("x-api-key", key) for key in keys)]
    reply = httpx.put(f"{server.base_url}/uploads/{job_id}", content=photo, headers=headers)
    assert reply.status_code == 403
    assert job_rows(server) == 0 and stored_files(server) == 0


@pytest.mark.slow
def test_frame_urls_never_come_from_the_host_header(server, photo):
    job_id = new_id()
    auth = {"x-api-key": KEY}
    httpx.put(f"{server.base_url}/uploads/{job_id}", content=photo, headers=jpeg_headers(**auth))
    poll_final(server.base_url, job_id)
    reply = httpx.get(f"{server.base_url}/jobs/{job_id}", headers={**auth, "Host": "evil.example:666"})
    frames = reply.json()["frames"]
    assert [frame["url"] for frame in frames] == [f"/results/{job_id}/{n}.jpg" for n in range(3)]
    assert b"evil.example" not in reply.content


@pytest.mark.slow
def test_data_files_are_0600_and_their_folders_0700(server, photo):
    job_id = new_id()
    httpx.put(
        f"{server.base_url}/uploads/{job_id}", content=photo, headers=jpeg_headers(**{"x-api-key": KEY})
    )
    assert poll_final(server.base_url, job_id)["status"] == "SUCCESS"
    entries = [server.data_dir, *server.data_dir.rglob("*")]
    assert any(path.name == "jobs.sqlite3-wal" for path in entries)
    for path in entries:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path.relative_to(server.data_dir), oct(mode))


def test_api_key_sources_file_flag_and_environment(tmp_path):
    from booth_core.errors import TimeTravelerError
    from job_service.serve_command import API_KEY_ENV, resolve_api_key

    key_file = tmp_path / "key"
    key_file.write_text("from-file\n")
    assert resolve_api_key(None, key_file, {API_KEY_ENV: "from-env"}) == "from-file"
    assert resolve_api_key("from-flag", None, {API_KEY_ENV: "from-env"}) == "from-flag"
    assert resolve_api_key(None, None, {API_KEY_ENV: "from-env"}) == "from-env"
    assert resolve_api_key(None, None, {}) is None
    (tmp_path / "empty").write_text("\n")
    for flag, path in (("a", key_file), (None, tmp_path / "empty"), (None, tmp_path / "missing")):
        with pytest.raises(TimeTravelerError):
            resolve_api_key(flag, path, {})


@pytest.mark.slow
def test_serve_takes_its_key_from_a_file_and_keeps_it_out_of_ps(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("secret-from-file\n")
    command = [
        sys.executable, "-m", "inference_container.cli", "serve", "--engine", "classic", "--port", "0",
        "--data-dir", str(tmp_path / "data"), "--api-key-file", str(key_file),
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "TIME_TRAVELER_API_KEY"}
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        banner = process.stdout.readline()
        base_url = banner.split(" on ", 1)[1].split(" ", 1)[0]
        assert httpx.get(f"{base_url}/health").status_code == 403
        assert httpx.get(f"{base_url}/health", headers={"x-api-key": "secret-from-file"}).status_code in (
            200,
            503,
        )
        assert b"secret-from-file" not in Path(f"/proc/{process.pid}/cmdline").read_bytes()
    finally:
        process.terminate()
        process.wait(timeout=20)
