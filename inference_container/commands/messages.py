"""Keep command-line errors to one line, even when a library wrapped a multi-line message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from booth_core.errors import TimeTravelerError

MAX_LENGTH = 200


def one_line(message: str) -> str:
    """Whitespace collapsed; an over-long message loses its parenthesised detail (often a library's essay)."""
    line = " ".join(message.split())
    if len(line) <= MAX_LENGTH:
        return line
    head = line.split(" (", 1)[0]
    if len(head) < len(line) and len(head) <= MAX_LENGTH:
        return head.rstrip(".:;,") + "."
    return line[: MAX_LENGTH - 1] + "…"


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Let a TimeTravelerError through with its message flattened to one line of bounded length."""
    try:
        yield
    except TimeTravelerError as exc:
        exc.message = one_line(exc.message)
        exc.args = (exc.message,)
        raise
