"""The SAM upgrade: fetch the released weights in the background, load SAM in its own process, time it
on one warm-up photo, and hand new jobs to it when it is fast enough here; otherwise stay on classic.

The booth works on classic from its first second; nothing here blocks a request. States (what /health's
`upgrade.state` says): off, downloading, verifying, loading, too_slow, ready, failed. Offline, the fetch
is retried with waits of minutes that double each time, and the log says so once, not on every try.
Staff can stop it (new jobs go back to the base engine) and start it again (`POST /admin/upgrade`).
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from booth_core.ages import DEFAULT_AGES
from booth_core.demo_photo import DEMO_PORTRAIT
from job_service.local.engine_pool import EnginePool
from job_service.local.engine_process import EngineProcess, EngineRecipe, Frames

log = logging.getLogger("job_service")

#: What staff accept as SAM's time per photo for the configured ages before it takes over (seconds).
DEFAULT_SAM_BUDGET_S = 20.0
#: The first wait after a failed fetch, doubled each time up to RETRY_MAX_S.
RETRY_FIRST_S = 120.0
RETRY_MAX_S = 3600.0
STATES = ("off", "downloading", "verifying", "loading", "too_slow", "ready", "failed")


class _Stopped(Exception):
    """Staff stopped the upgrade (or the service is shutting down)."""


@dataclass
class UpgradeSettings:
    """What a deployment chooses: fetch at all, the time budget, where the weights are or come from."""

    fetch: bool = True
    budget_s: float = DEFAULT_SAM_BUDGET_S
    ages: tuple[int, ...] = DEFAULT_AGES
    weights: str | None = None  # an explicit checkpoint; else $TIME_TRAVELER_WEIGHTS or the cache
    urls: list[str] | None = None  # None: download.weights_urls()
    sam_options: dict | None = None  # passed to load_engine("sam", ...)
    retry_first_s: float = RETRY_FIRST_S
    retry_max_s: float = RETRY_MAX_S
    warm_up_photo: Path = DEMO_PORTRAIT  # the photo SAM is timed on


class SamUpgrade:
    """Runs the upgrade in one background thread; `status()` is /health's `upgrade` object.

    `sleep(seconds)` waits between fetch retries and returns True when the upgrade should stop (tests
    inject one that records the waits). `spec_for(path)` builds the SAM engine spec (tests inject a slow
    engine). `verify(path)` checks a downloaded file (default: the model package's check, in a process).
    `retry_wait`: tenacity's wait between resumed connections within one try; `on_status` sees each change.
    """

    def __init__(
        self,
        pool: EnginePool,
        settings: UpgradeSettings,
        *,
        sleep: Callable[[float], bool] | None = None,
        spec_for: Callable[[Path], EngineRecipe] | None = None,
        verify: Callable[[Path], object] | None = None,
        retry_wait=None,
        on_status: Callable[[dict], None] | None = None,
    ):
        self.pool = pool
        self.settings = settings
        self.base_spec = pool.spec
        self._stop = threading.Event()
        self._injected_sleep = sleep
        self._retry_wait = retry_wait
        self._on_status = on_status
        self._spec_for = spec_for or (lambda path: EngineRecipe("sam", str(path), dict(settings.sam_options or {})))
        self._verify = verify or verify_in_a_process
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._state = {"engine": "sam", "state": "off", "progress": None, "detail": "Not started."}
        self._thread: threading.Thread | None = None
        self._told_offline = False

    # --- control ---------------------------------------------------------------------------------
    def start(self) -> dict:
        """Start (or restart after off, failed or too_slow); a running or finished upgrade is left alone."""
        with self._lock:
            running = self._thread is not None and self._thread.is_alive()
            if running or self._state["state"] == "ready":
                return dict(self._state)
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, name="sam-upgrade", daemon=True)
            self._thread.start()
        return self.status()

    def stop(self, detail: str = "Stopped by staff; the booth uses the classic engine.") -> dict:
        """Stop fetching or loading; if SAM took over, new jobs go back to the base engine."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(30)
        if self.pool.spec != self.base_spec:
            self.pool.switch(self.base_spec)
        self._set("off", None, detail)
        return self.status()

    def close(self) -> None:
        """At service shutdown: stop the thread without changing engines."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)

    def status(self) -> dict:
        with self._lock:
            return dict(self._state)

    def handle(self, action: str) -> dict:
        """`POST /admin/upgrade`'s work: "start" or "stop"."""
        if action == "start":
            return self.start()
        if action == "stop":
            return self.stop()
        raise ValueError(action)

    def _set(self, state: str, progress: float | None, detail: str) -> None:
        with self._changed:
            self._state = {"engine": "sam", "state": state, "progress": progress, "detail": detail}
            self._changed.notify_all()
            status = dict(self._state)
        if self._on_status is not None:
            self._on_status(status)

    def wait_for(self, states: tuple[str, ...], timeout: float) -> dict:
        """Block until the state is one of `states` (scripts and tests) or `timeout` passes; the status."""
        with self._changed:
            self._changed.wait_for(lambda: self._state["state"] in states, timeout)
            return dict(self._state)

    def _sleep(self, seconds: float) -> bool:
        """Wait between fetch tries; True when the upgrade was stopped meanwhile."""
        if self._injected_sleep is not None:
            return bool(self._injected_sleep(seconds)) or self._stop.is_set()
        return self._stop.wait(seconds)

    # --- the work ----------------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            if importlib.util.find_spec("torch") is None:
                self._set("off", None, "SAM needs PyTorch, which this install does not have "
                          "(pip install 'time-traveler[model]').")
                return
            path = self._weights()
            if path is None:
                return
            self._switch_if_fast(path)
        except _Stopped:
            pass
        except Exception as exc:  # noqa: BLE001 - the booth stays on classic whatever happens here
            log.exception("SAM upgrade failed")
            self._set("failed", None, f"{type(exc).__name__}: {exc}")

    def _weights(self) -> Path | None:
        """The checkpoint to load: found on disk, or fetched (with backoff while the fetch keeps failing)."""
        from inference_container.weights import default_weights_path, find_weights
        from inference_container.weights.download import (
            DownloadStopped,
            WeightsRejected,
            WeightsUnreachable,
            download_weights,
        )

        failures = 0
        while True:
            found = find_weights(self.settings.weights)
            if found is not None:
                return found
            if not self.settings.fetch:
                self._set("off", None, "Fetching SAM weights is turned off (--no-fetch-weights); "
                          "the booth uses the classic engine.")
                return None
            self._set("downloading", 0.0, "Fetching the SAM weights (about 2.3 GB).")
            try:
                return download_weights(
                    default_weights_path(), self.settings.urls, verify=self._checked,
                    progress=self._on_progress, cancel=self._stop, attempts=3, retry_wait=self._retry_wait,
                )
            except DownloadStopped as exc:
                raise _Stopped from exc
            except WeightsRejected as exc:
                self._set("failed", None, exc.message)
                log.warning("SAM weights refused: %s", exc.message)
                return None
            except WeightsUnreachable as exc:
                failures += 1
                wait = min(self.settings.retry_first_s * 2 ** (failures - 1), self.settings.retry_max_s)
                if not self._told_offline:
                    log.warning("SAM weights could not be fetched (%s); the booth uses the classic engine "
                                "and tries again in the background, first in %.0f min.", exc.message, wait / 60)
                    self._told_offline = True
                else:
                    log.debug("SAM weights still unreachable (try %d); next in %.0f min", failures, wait / 60)
                self._set("downloading", None, f"Could not fetch the weights: {exc.message} "
                          f"Next try in {wait / 60:.0f} min.")
                if self._sleep(wait):
                    raise _Stopped from exc

    def _on_progress(self, done: int, total: int | None) -> None:
        fraction = round(done / total, 3) if total else None
        size = f" of {total / 1e9:.1f} GB" if total else ""
        self._set("downloading", fraction, f"Fetching the SAM weights: {done / 1e9:.2f}{size}.")

    def _checked(self, path: Path) -> object:
        self._set("verifying", 1.0, "Checking the downloaded SAM weights.")
        return self._verify(path)

    def _switch_if_fast(self, path: Path) -> None:
        spec = self._spec_for(path)
        self._set("loading", None, "Loading SAM and timing it on a warm-up photo.")
        process = EngineProcess(spec)
        handed_over = False
        try:
            if not process.wait_ready(cancelled=self._stop.is_set):
                if self._stop.is_set():
                    raise _Stopped
                self._set("failed", None, f"SAM could not be loaded: {process.error}")
                log.warning("SAM could not be loaded: %s", process.error)
                return
            photo = self.settings.warm_up_photo.read_bytes()
            budget = self.settings.budget_s
            outcome = process.age(photo, self.settings.ages, timeout=max(3 * budget, 60.0),
                                  cancelled=self._stop.is_set)
            if self._stop.is_set():
                raise _Stopped
            if not isinstance(outcome, Frames):
                words = getattr(outcome, "message", None) or getattr(outcome, "why", "") or "no pictures"
                if getattr(outcome, "why", "") == "timeout":
                    self._too_slow(f"more than {3 * budget:.0f} s", budget)
                    return
                self._set("failed", None, f"SAM failed on the warm-up photo: {words}")
                return
            if outcome.seconds > budget:
                self._too_slow(f"{outcome.seconds:.1f} s", budget)
                return
            self.pool.switch(spec, warmed=process)
            handed_over = True
            self._set("ready", 1.0, f"SAM makes a photo in {outcome.seconds:.1f} s here "
                      f"(budget {budget:g} s); new jobs use it.")
            log.info("SAM takes over: %.1f s per photo (budget %g s)", outcome.seconds, budget)
        finally:
            if not handed_over:
                process.close()

    def _too_slow(self, took: str, budget: float) -> None:
        ages = ", ".join(map(str, self.settings.ages))
        self._set("too_slow", None, f"SAM took {took} per photo for ages {ages} on this machine; the budget is "
                  f"{budget:g} s (--sam-budget-s), so the booth stays on the classic engine.")
        log.warning("SAM is too slow here (%s per photo, budget %g s); staying on classic", took, budget)


def verify_in_a_process(path: Path) -> object:
    """The model package's strict check in a spawned process: loading 2.3 GB never touches the service's GIL."""
    from inference_container.weights.download import verify_checkpoint

    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as executor:
        return executor.submit(verify_checkpoint, Path(path)).result()

