"""The venue share server: attendees' phones open their own page over the booth's Wi-Fi, no internet needed.

Opt-in and separate from the booth API: it listens only where staff say (`--share-host ADDR --share-port N`)
and answers nothing but `/s/<job id>/<token>` (the page) and the two media files under it. The token is
random per job (128 bits), compared in constant time; a wrong token, an unknown job, an expired job and
any other path all get the same bare 404, so the server reveals nothing else. Retention deletes the token
with the frames, so a link stops working when its job expires.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import socket
import threading
import time

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from job_service.model import Job, JobStatus
from job_service.ports import ObjectStore
from job_service.service import JobService
from job_service.share import CONTENT_TYPES, GIF, MP4, PAGE, share_document, share_key
from job_service.validation import is_job_id

log = logging.getLogger("job_service")

TOKEN = "token"
#: 128 random bits: unguessable, and short enough to keep the QR code coarse (easy to scan).
TOKEN_BYTES = 16
#: Every answer of this server: nothing cached, nothing indexed, no referrer leaks the link to anyone.
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src data:; media-src data:; style-src 'unsafe-inline'",
}
_FILES = {"": PAGE, "animation.gif": GIF, "animation.mp4": MP4}
_DOWNLOAD_NAMES = {GIF: "time-traveler.gif", MP4: "time-traveler.mp4"}


class LocalShareLinks:
    """Links of the form `<base_url>/s/<job id>/<token>`; the token lies beside the job's frames."""

    def __init__(self, store: ObjectStore, base_url: str):
        self.store = store
        self.base_url = base_url.rstrip("/")

    def issue(self, job: Job) -> None:
        self.store.put(
            share_key(job.job_id, TOKEN), secrets.token_urlsafe(TOKEN_BYTES).encode("ascii"), "text/plain"
        )

    def _token(self, job_id: str) -> bytes | None:
        return self.store.get(share_key(job_id, TOKEN))

    def link(self, job: Job) -> dict | None:
        token = self._token(job.job_id)
        if token is None or job.status != JobStatus.SUCCESS:
            return None
        return share_document(f"{self.base_url}/s/{job.job_id}/{token.decode('ascii')}", job.expires_at)

    def matches(self, job_id: str, token: str) -> bool:
        stored = self._token(job_id)
        return stored is not None and hmac.compare_digest(stored, token.encode("utf-8", "replace"))


def read_shared(service: JobService, links: LocalShareLinks, path: str) -> tuple[bytes, str, str] | None:
    """(body, content type, file name) for `/s/<job id>/<token>[/<file>]` with the right token, else None."""
    parts = path.strip("/").split("/")
    if len(parts) not in (3, 4) or parts[0] != "s" or not is_job_id(parts[1]):
        return None
    name = _FILES.get(parts[3] if len(parts) == 4 else "")
    if name is None:
        return None
    job = service.get_job(parts[1], missing_ok=True)  # None once expired, even before the sweep runs
    if job is None or job.status != JobStatus.SUCCESS or not links.matches(job.job_id, parts[2]):
        return None
    body = service.store.get(share_key(job.job_id, name))
    return None if body is None else (body, CONTENT_TYPES[name], _DOWNLOAD_NAMES.get(name, ""))


def create_share_app(service: JobService, links: LocalShareLinks) -> Starlette:
    async def endpoint(request: Request) -> Response:
        found = None
        if request.method in ("GET", "HEAD"):
            found = await run_in_threadpool(read_shared, service, links, request.scope["path"])
        if found is None:
            return Response("Not found\n", 404, headers=_HEADERS, media_type="text/plain")
        body, content_type, download = found
        headers = dict(_HEADERS)
        if download:
            headers["Content-Disposition"] = f'attachment; filename="{download}"'
        return Response(body, 200, headers=headers, media_type=content_type)

    methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]
    return Starlette(routes=[Route("/{path:path}", endpoint, methods=methods)])


def lan_address() -> str:
    """This machine's address on its local network, for a server bound to every interface.

    A UDP socket "connected" to a private address picks the outgoing interface without sending a
    packet, so this works on a venue Wi-Fi that has no internet at all.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.254.254.254", 9))
        return probe.getsockname()[0]
    except OSError:
        return socket.gethostbyname(socket.gethostname())
    finally:
        probe.close()


def advertised_base_url(host: str, port: int) -> str:
    """The URL phones use: the bound address, or the LAN address when bound to all interfaces."""
    if host in ("0.0.0.0", "::", ""):
        host = lan_address()
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


class ShareServer:
    """The share app in its own uvicorn thread; `.stop()` ends it."""

    def __init__(self, app: Starlette, sock: socket.socket, base_url: str):
        self.base_url = base_url
        self.port = sock.getsockname()[1]
        self._server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        )
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="share-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self._server.started:
            raise RuntimeError(f"the share server did not start on {base_url}")
        log.info("share server on %s", base_url)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
