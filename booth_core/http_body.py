"""A request body read over ASGI with a size cap: both servers use it, so no client makes either buffer more.

The read deadline is not here: `booth_core.http_server` closes a connection whose body is late, and the
reader then sees the disconnect like any other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable


class BodyTooLarge(Exception):
    """More bytes came (or were declared) than the limit; what was read so far is dropped."""


class ClientGone(Exception):
    """The connection closed before the body was complete (the client left, or its read deadline passed)."""


def declared_length(headers: Iterable[tuple[bytes, bytes]]) -> int | None:
    """The request's Content-Length as an int, or None when it sent none (h11 has already refused a bad one)."""
    for name, value in headers:
        if name.lower() == b"content-length" and value.strip().isdigit():
            return int(value)
    return None


async def read_capped_body(receive: Callable[[], Awaitable[dict]], limit: int) -> bytes:
    """All of the body, or BodyTooLarge as soon as it passes `limit` bytes, or ClientGone."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
