"""Loads the engine in the background so the server answers at once; workers wait until it is ready."""

from __future__ import annotations

import logging
import threading

import inference_container
from booth_core.errors import InferenceError, TimeTravelerError

log = logging.getLogger("job_service")


class EngineHolder:
    """Either wraps a ready engine (`instance`) or loads `name` with `load_engine` in a daemon thread."""

    def __init__(self, name: str = "auto", weights=None, options: dict | None = None, instance=None):
        self._ready = threading.Event()
        self._engine = instance
        self._error: str | None = None
        if instance is not None:
            self.name = getattr(instance, "name", type(instance).__name__)
            self._ready.set()
            return
        from inference_container.engine import resolve_engine_name

        self.name = resolve_engine_name(name, weights)
        self._thread = threading.Thread(
            target=self._load, args=(weights, dict(options or {})), name="engine-loader", daemon=True
        )
        self._thread.start()

    def _load(self, weights, options: dict) -> None:
        try:
            from inference_container.engine import load_engine

            self._engine = load_engine(self.name, weights=weights, **options)
            self.name = getattr(self._engine, "name", self.name)
            log.info("engine %s ready", self.name)
        except Exception as exc:  # noqa: BLE001 - reported through /health and each job's error
            self._error = (
                exc.message if isinstance(exc, TimeTravelerError) else f"{type(exc).__name__}: {exc}"
            )
            log.error("engine %s failed to load: %s", self.name, self._error)
        finally:
            self._ready.set()

    @property
    def version(self) -> str:
        return str(getattr(self._engine, "version", None) or inference_container.__version__)

    def health(self) -> dict:
        """The /health document: `status` ok while loading or ready, `error` when loading failed."""
        ready = self._ready.is_set() and self._error is None
        document = {"status": "ok", "engine": self.name, "version": self.version, "ready": ready}
        if self._error is not None:
            document.update(status="error", error=self._error)
        return document

    def get(self, timeout: float | None = None):
        """The engine, once loaded; InferenceError when it failed or did not load in `timeout` seconds."""
        if not self._ready.wait(timeout):
            raise InferenceError("The engine is still loading.")
        if self._error is not None:
            raise InferenceError(f"The {self.name} engine could not be loaded.")
        return self._engine
