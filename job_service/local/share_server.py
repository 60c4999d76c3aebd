"""The venue share server: attendees' phones open their own page over the booth's Wi-Fi, no internet needed.

Opt-in and separate from the booth API: it listens only where staff say (`--share-host ADDR --share-port N`)
and answers nothing but `/s/<job id>/<token>` (the page) and the two media files under it. The token and
its rules (job_service.share_tokens) are the AWS share route's too: a wrong token, an unknown job, an
expired job and any other path all get the same bare 404, so the server reveals nothing else, and
retention deletes the token with the frames, so a link stops working when its job expires.
"""

from __future__ import annotations

import logging
import socket
import threading
import time

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from job_service.service import JobService
from job_service.share_tokens import NOT_FOUND_BODY, PLAIN_TEXT, SHARE_HEADERS, TokenShareLinks

log = logging.getLogger("job_service")

#: Links on the venue share server: `<share base URL>/s/<job id>/<token>`.
SHARE_PREFIX = "/s"


def read_shared(service: JobService, links: TokenShareLinks, path: str) -> tuple[bytes, str, str] | None:
    """(body, content type, file name) for `/s/<job id>/<token>[/<file>]` with the right token, else None."""
    found = links.find(service, path)
    body = None if found is None else service.store.get(found.key)
    return None if body is None else (body, found.content_type, found.download_name or "")


def create_share_app(service: JobService, links: TokenShareLinks) -> Starlette:
    async def endpoint(request: Request) -> Response:
        found = None
        if request.method in ("GET", "HEAD"):
            found = await run_in_threadpool(read_shared, service, links, request.scope["path"])
        if found is None:
            return Response(NOT_FOUND_BODY, 404, headers=SHARE_HEADERS, media_type=PLAIN_TEXT)
        body, content_type, download = found
        headers = dict(SHARE_HEADERS)
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
