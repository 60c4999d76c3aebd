"""Engines that misbehave in the local service's engine process: slow to load, hanging, exiting.

Each is picklable (it travels to the engine process at spawn time) and counts its calls in a
spawn-context shared value, so the misbehaviour happens once and the restarted process behaves.
"""

from __future__ import annotations

import multiprocessing
import time

_SPAWN = multiprocessing.get_context("spawn")


class SlowLoadingEngine:
    """Wraps a real engine; unpickling it in the engine process waits until the test calls `finish_loading`."""

    def __init__(self, engine):
        self.engine = engine
        self.name = engine.name
        self.loaded = _SPAWN.Event()

    def finish_loading(self) -> None:
        self.loaded.set()

    def __setstate__(self, state) -> None:
        self.__dict__.update(state)
        self.loaded.wait(60)

    def age(self, photo, ages=None, sitter=None):
        return self.engine.age(photo, ages=ages)


class _Once:
    """Misbehaves on the first call of all processes together, then hands every call to the real engine."""

    def __init__(self, engine):
        self.engine = engine
        self.name = engine.name
        self.calls = _SPAWN.Value("i", 0)
        self.entered = _SPAWN.Event()

    def age(self, photo, ages=None, sitter=None):
        with self.calls.get_lock():
            self.calls.value += 1
            first = self.calls.value == 1
        self.entered.set()
        if first:
            self.misbehave()
        return self.engine.age(photo, ages=ages)


class HangingEngine(_Once):
    """The first call never returns (a deadlocked model)."""

    def misbehave(self) -> None:
        while True:
            time.sleep(3600)


class ExitingEngine(_Once):
    """The first call raises SystemExit (a library that calls sys.exit)."""

    def misbehave(self) -> None:
        raise SystemExit(3)


class SleepyEngine:
    """Takes `seconds` per photo on top of the real engine: a machine too slow for a budget."""

    def __init__(self, engine, seconds: float, name: str = "sam"):
        self.engine, self.seconds, self.name = engine, seconds, name

    def age(self, photo, ages=None, sitter=None):
        time.sleep(self.seconds)
        result = self.engine.age(photo, ages=ages)
        result.engine = self.name
        return result


def _classic():
    from inference_container.classic import ClassicEngine

    return ClassicEngine


class SmallOriginalEngine:
    """The classic engine, but its aligned original is 64 px: frames of two sizes in one job."""

    name = "classic"

    def __init__(self, output_size: int = 256):
        self.engine = _classic()(output_size=output_size)

    def age(self, photo, ages=None, sitter=None):
        result = self.engine.age(photo, ages=ages)
        result.original = result.original.resize((64, 64))
        return result


class NamedEngine:
    """No model at all: for tests of the process plumbing that never reach a real call."""

    name = "plain"

    def age(self, photo, ages=None, sitter=None):
        raise AssertionError("not meant to be called")
