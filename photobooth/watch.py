"""Whether the booth is fit to invite attendees: the camera and the backend, each with how long it has
been down. Qt-free, so the rule "down for longer than the grace period means out of order" is tested alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class OrderWatch:
    """Told when a part goes down or comes back; says which parts have stayed down past `grace` seconds."""

    PARTS = ("camera", "backend")

    def __init__(self, grace: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.grace = grace
        self.clock = clock
        self._down_since: dict[str, float] = {}
        self._why: dict[str, str] = {}

    def report(self, part: str, ok: bool, why: str = "") -> None:
        if part not in self.PARTS:
            raise ValueError(f"unknown part {part!r}")
        if ok:
            self._down_since.pop(part, None)
            self._why.pop(part, None)
        else:
            self._down_since.setdefault(part, self.clock())
            self._why[part] = why or part

    def out_of_order(self) -> list[str]:
        """The reasons of every part down for at least `grace` seconds (empty: fit to invite attendees)."""
        now = self.clock()
        return [
            self._why[part]
            for part in self.PARTS
            if part in self._down_since and now - self._down_since[part] >= self.grace
        ]
