"""One engine in its own process, so a hang or a crash costs one job, never the service.

The service keeps only a pipe to the child. Loading (dlib, torch, weights) and ageing happen in the
child, away from the service's GIL. The child decodes each photo once and answers the frames one by
one as JPEG bytes: the original first, then one per age, at their own sizes (nothing is joined into a
strip or upscaled). The parent can kill the child at any moment (a job past its timeout) and start a
new one from the same `EngineRecipe`.

Protocol (tuples over a `multiprocessing` pipe, spawn context):
  parent -> child: ("age", photo bytes, ages tuple, sitter or None) | ("stop",)
  child -> parent: ("ready", name, version, load_seconds) | ("load_failed", message)
                   ("frames", name, [jpeg bytes, ...], seconds, shown ages) | ("error", code, message)
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger("job_service")

#: How often a waiting parent looks at the child and at its cancel condition, in seconds.
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class EngineRecipe:
    """How the child builds its engine; pickled into the child at spawn time.

    `instance`: a ready, picklable engine (tests, benchmarks) instead of `load_engine(name, ...)`.
    `preload_landmarks`: load dlib's landmark model at start (both real engines need it; fakes do not).
    """

    name: str
    weights: str | None = None
    options: dict = field(default_factory=dict)
    instance: object | None = None
    preload_landmarks: bool = True

    @classmethod
    def of(cls, instance, preload_landmarks: bool | None = None) -> EngineRecipe:
        """A spec around an engine object; landmarks are preloaded for the two real engines only."""
        from inference_container.engine import engine_names

        name = getattr(instance, "name", type(instance).__name__)
        preload = name in engine_names() if preload_landmarks is None else preload_landmarks
        return cls(name=name, instance=instance, preload_landmarks=preload)


# --- the child ---------------------------------------------------------------------------------------
def _child_main(connection, spec: EngineRecipe) -> None:
    """Build the engine, say ready (or why not), then answer one job at a time until told to stop."""
    start = time.perf_counter()
    try:
        engine = _build(spec)
    except Exception as exc:  # noqa: BLE001 - the parent reports it in /health and on each job
        connection.send(("load_failed", _words(exc)))
        return
    import inference_container

    version = str(getattr(engine, "version", None) or inference_container.__version__)
    name = str(getattr(engine, "name", spec.name))
    connection.send(("ready", name, version, time.perf_counter() - start))
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return  # the service went away
        if message[0] != "age":
            return
        _, photo, ages, sitter = message
        connection.send(_age_one(engine, name, photo, ages, sitter))


def _build(spec: EngineRecipe):
    if spec.preload_landmarks:
        from inference_container.align import default_landmarker

        default_landmarker()
    if spec.instance is not None:
        return spec.instance
    from inference_container.engine import load_engine

    return load_engine(spec.name, weights=spec.weights, **spec.options)


def _age_one(engine, name: str, photo: bytes, ages: tuple[int, ...], sitter: str | None = None) -> tuple:
    """One job: decode once, age, encode each frame. Exceptions become an answer; a SystemExit ends the child."""
    from booth_core.errors import TimeTravelerError
    from booth_core.photo import load_photo
    from job_service.frames import encode_jpeg

    start = time.perf_counter()
    try:
        result = engine.age(load_photo(photo), ages=list(ages), sitter=sitter)
        jpegs = [encode_jpeg(_rgb_array(frame.image)) for frame in result.all_frames()]
    except TimeTravelerError as exc:
        return ("error", exc.code, exc.message)
    except Exception as exc:  # noqa: BLE001 - the model raised: this job fails, the engine stays
        log.warning("engine raised %s", type(exc).__name__)
        return ("error", "INFERENCE_FAILED", None)
    engine_name = str(getattr(result, "engine", None) or name)
    return ("frames", engine_name, jpegs, time.perf_counter() - start, tuple(result.ages))


def _rgb_array(image):
    import numpy as np

    return np.asarray(image.convert("RGB"), dtype=np.uint8)  # (H, W, 3)


def _words(exc: BaseException) -> str:
    from booth_core.errors import TimeTravelerError

    return exc.message if isinstance(exc, TimeTravelerError) else f"{type(exc).__name__}: {exc}"


# --- the parent's handle -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Frames:
    engine: str
    jpegs: list[bytes]
    seconds: float
    ages: tuple[int, ...]  # the age each frame after the original shows (engine/faces.py FaceFrames)


@dataclass(frozen=True)
class Refused:
    """The engine answered that this photo cannot be done (`code` of API.md; message may be None)."""

    code: str
    message: str | None


@dataclass(frozen=True)
class Lost:
    """No answer: the child died (`died`) or was killed because `cancelled` said so or time ran out."""

    died: bool
    why: str


class EngineProcess:
    """A started child with its engine; `state` is loading, ready, failed (could not load) or dead."""

    def __init__(self, spec: EngineRecipe, context=None):
        self.spec = spec
        self.name = spec.name
        self.version = ""
        self.load_seconds = 0.0
        self.error: str | None = None
        self.state = "loading"
        context = context or multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(
            target=_child_main, args=(child, spec), name=f"engine-{spec.name}", daemon=True
        )
        self._process.start()
        child.close()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def alive(self) -> bool:
        return self._process.is_alive()

    def wait_ready(self, timeout: float | None = None, cancelled: Callable[[], bool] = lambda: False) -> bool:
        """Wait for the child's first word; True once ready. False on failure, death, cancel or timeout."""
        if self.state != "loading":
            return self.state == "ready"
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._connection.poll(POLL_SECONDS):
            if not self._process.is_alive() and not self._connection.poll(0):
                self._mark_dead("the engine process exited while loading")
                return False
            if cancelled() or (deadline is not None and time.monotonic() > deadline):
                return False
        try:
            message = self._connection.recv()
        except (EOFError, OSError):
            self._mark_dead("the engine process exited while loading")
            return False
        if message[0] == "ready":
            _, self.name, self.version, self.load_seconds = message
            self.state = "ready"
            return True
        self.state, self.error = "failed", message[1]
        return False

    def age(
        self,
        photo: bytes,
        ages: tuple[int, ...],
        timeout: float,
        cancelled: Callable[[], bool] = lambda: False,
        sitter: str | None = None,
    ) -> Frames | Refused | Lost:
        """Run one job (`sitter`: what the attendee said is in the photo, booth_core.sitter). Past `timeout`
        seconds, or once `cancelled()` is true, the child is killed."""
        try:
            self._connection.send(("age", photo, tuple(ages), sitter))
        except (OSError, ValueError):
            self._mark_dead("the engine process is gone")
            return Lost(True, self.error or "")
        deadline = time.monotonic() + timeout
        while not self._connection.poll(POLL_SECONDS):
            if not self._process.is_alive() and not self._connection.poll(0):
                self._mark_dead(f"the engine process exited (code {self._process.exitcode})")
                return Lost(True, self.error)
            if time.monotonic() > deadline:
                self.kill("it ran past the job timeout")
                return Lost(False, "timeout")
            if cancelled():
                self.kill("its job ended meanwhile")
                return Lost(False, "cancelled")
        try:
            message = self._connection.recv()
        except (EOFError, OSError):
            self._mark_dead(f"the engine process exited (code {self._process.exitcode})")
            return Lost(True, self.error)
        if message[0] == "frames":
            return Frames(*message[1:])
        return Refused(message[1], message[2])

    def kill(self, why: str) -> None:
        """End the child now (SIGKILL): a hung engine cannot be asked politely."""
        if self._process.is_alive():
            log.warning("engine %s (pid %s) killed: %s", self.name, self._process.pid, why)
            self._process.kill()
        self._process.join(5)
        self._mark_dead(why)

    def close(self, timeout: float = 5.0) -> None:
        """Ask the child to stop, kill it if it does not, and release the pipe."""
        if self._process.is_alive():
            try:
                self._connection.send(("stop",))
            except (OSError, ValueError):
                pass
            self._process.join(timeout)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(5)
        self._connection.close()
        if self.state in ("loading", "ready"):
            self.state = "dead"

    def _mark_dead(self, why: str) -> None:
        if self.state != "failed":
            self.state = "dead"
        self.error = self.error or why
