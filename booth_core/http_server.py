"""uvicorn set up for clients that are slow, idle or hostile: the one server setup of both HTTP fronts
(the local job service and the model server).

- request headers must be complete within HEADER_TIMEOUT_S of the connection (or its last answer);
- a request body must be complete within BODY_TIMEOUT_S of its headers, read or not (a refused upload's
  body is discarded as it arrives, never buffered);
- idle kept-alive connections close after KEEP_ALIVE_S; headers over MAX_HEADER_BYTES are refused;
- past MAX_CONNECTIONS open connections a request is answered 503 at once;
- every accepted connection has TCP_NODELAY: without it a small reply on a kept-alive connection waits
  about 40 ms for the client's delayed ACK.
"""

from __future__ import annotations

import logging
import socket

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("booth_core.http")

HEADER_TIMEOUT_S = 10.0
#: 10 MB at ~1.5 Mbit/s, a poor venue Wi-Fi; the booth's own uploads take well under a second.
BODY_TIMEOUT_S = 60.0
KEEP_ALIVE_S = 5.0
#: A booth keeps one or two; the rest is headroom for a venue LAN (each idle one costs a few KB).
MAX_CONNECTIONS = 128
MAX_HEADER_BYTES = 16 * 1024


def set_nodelay(sock) -> None:
    """Send small replies at once (asyncio only does this itself for sockets made with IPPROTO_TCP)."""
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol plus a deadline on each phase of reading a request."""

    header_timeout = HEADER_TIMEOUT_S
    body_timeout = BODY_TIMEOUT_S

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        set_nodelay(transport.get_extra_info("socket"))
        self._phase: str | None = None
        self._deadline = None
        self._track_phase()

    def handle_events(self) -> None:
        super().handle_events()
        self._track_phase()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._track_phase()

    def connection_lost(self, exc) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def _track_phase(self) -> None:
        """Arm the deadline of the phase the client is in: sending headers, sending a body, or neither."""
        state = self.conn.their_state
        phase = "headers" if state is h11.IDLE else "body" if state is h11.SEND_BODY else None
        if phase == self._phase:
            return
        self._cancel_deadline()
        self._phase = phase
        if phase is not None and not self.transport.is_closing():
            timeout = self.header_timeout if phase == "headers" else self.body_timeout
            self._deadline = self.loop.call_later(timeout, self._deadline_passed, phase, timeout)

    def _cancel_deadline(self) -> None:
        if getattr(self, "_deadline", None) is not None:
            self._deadline.cancel()
            self._deadline = None

    def _deadline_passed(self, phase: str, timeout: float) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            log.info("closed a slow connection: request %s not complete within %.0f s", phase, timeout)
            self.transport.close()


def guarded_protocol(header_timeout: float, body_timeout: float) -> type[GuardedH11Protocol]:
    """The protocol class with these deadlines (uvicorn builds one instance per connection)."""
    attributes = {"header_timeout": header_timeout, "body_timeout": body_timeout}
    return type("GuardedH11Protocol", (GuardedH11Protocol,), attributes)


def server_config(
    app,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    header_timeout: float = HEADER_TIMEOUT_S,
    body_timeout: float = BODY_TIMEOUT_S,
    keep_alive: float = KEEP_ALIVE_S,
    max_connections: int = MAX_CONNECTIONS,
    **options,
) -> uvicorn.Config:
    """A uvicorn Config with the deadlines and caps above; `options` go to uvicorn (log_level, lifespan, ...)."""
    options.setdefault("access_log", False)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=guarded_protocol(header_timeout, body_timeout),
        timeout_keep_alive=keep_alive,
        limit_concurrency=max_connections,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        **options,
    )


def listen_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket (made with IPPROTO_TCP, so asyncio also sets TCP_NODELAY on what it accepts)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock
