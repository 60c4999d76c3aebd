"""The one way tests wait for state they cannot be told about (another process, an HTTP API that is polled).

In-process state is waited on through its events (threading.Event, qtbot.waitUntil); this helper is for the
rest, and it always ends: with the condition's value, or with an AssertionError saying what never happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(condition: Callable[[], T], timeout: float, what: str, interval: float = 0.05) -> T:
    """Call `condition()` until it returns something truthy and return that; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(interval)
