"""A small stand-in for the booth API that misbehaves on purpose: no face, corrupt answers, slow or busy."""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

MODES = ("ok", "no_face", "corrupt_json", "corrupt_frame", "processing", "slow", "busy", "busy_once")


def jpeg_bytes(color=(200, 120, 80), size=64) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), color).save(buffer, "JPEG")
    return buffer.getvalue()


class FakeBackend:
    """Runs on loopback in a thread; `requests` records (method, path, headers) of every request."""

    def __init__(
        self, mode: str = "ok", delay: float = 0.0, ages=(25, 35), port: int = 0, share: dict | None = None
    ) -> None:
        assert mode in MODES, mode
        self.mode, self.delay, self.ages = mode, delay, tuple(ages)
        self.share = share  # the optional `share` field of a finished job
        self.requests: list[tuple[str, str, dict]] = []
        self.busy_answers = 0
        self.closing = threading.Event()  # a slow answer waits on this, so closing ends it at once
        self.health = {"status": "ok", "engine": "fake", "version": "0"}  # tests add optional fields
        self.stage = None  # the job document's optional "stage" while PROCESSING
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: int, document) -> None:
                self._send(status, json.dumps(document).encode())

            def do_PUT(self) -> None:  # noqa: N802 - http.server naming
                length = int(self.headers.get("Content-Length", 0))
                self.rfile.read(length)
                backend.requests.append(("PUT", self.path, dict(self.headers)))
                if backend.mode == "busy" or (backend.mode == "busy_once" and backend.busy_answers == 0):
                    backend.busy_answers += 1
                    self._json(503, {"error": {"code": "BUSY"}})
                    return
                job_id = self.path.rsplit("/", 1)[-1]
                self._json(202, {"job_id": job_id, "status": "QUEUED"})

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                backend.requests.append(("POST", self.path, dict(self.headers)))
                if self.path == "/admin/upgrade" and body.get("action") in ("start", "stop"):
                    state = "downloading" if body["action"] == "start" else "off"
                    backend.health["upgrade"] = {"engine": "sam", "state": state, "progress": 0.0}
                    self._json(202, {"upgrade": backend.health["upgrade"]})
                else:
                    self._json(400, {"error": {"code": "BAD_REQUEST"}})

            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                backend.requests.append(("GET", self.path, dict(self.headers)))
                if backend.mode == "slow":
                    backend.closing.wait(backend.delay)  # a slow server, not a wait for state
                if self.path == "/health":
                    self._json(200 if backend.health.get("status") == "ok" else 503, backend.health)
                elif self.path.startswith("/jobs/"):
                    self._job(self.path.rsplit("/", 1)[-1])
                elif self.path.startswith("/results/"):
                    if backend.mode == "corrupt_frame":
                        self._send(200, b"not a jpeg at all", "image/jpeg")
                    else:
                        index = int(self.path.rsplit("/", 1)[-1].split(".")[0])
                        self._send(200, jpeg_bytes((40 * index, 100, 200 - 40 * index)), "image/jpeg")
                else:
                    self._json(404, {"error": {"code": "NOT_FOUND"}})

            def _job(self, job_id: str) -> None:
                document = {
                    "job_id": job_id,
                    "status": "SUCCESS",
                    "ages": list(backend.ages),
                    "frames": [],
                    "engine": "fake",
                    "error": None,
                }
                if backend.mode == "corrupt_json":
                    self._send(200, b"{this is not json")
                    return
                if backend.mode == "no_face":
                    document.update(status="FAILED", error={"code": "NO_FACE", "message": "no face"})
                elif backend.mode == "processing":
                    document.update(status="PROCESSING")
                    if backend.stage:
                        document["stage"] = backend.stage
                else:
                    document["frames"] = [
                        {"index": index, "age": age, "url": f"/results/{job_id}/{index}.jpg"}
                        for index, age in enumerate((None, *backend.ages))
                    ]
                    if backend.share is not None:
                        document["share"] = backend.share
                self._json(200, document)

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeBackend:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def refused_url() -> str:
    """A loopback URL where nothing listens (the port was just free)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
