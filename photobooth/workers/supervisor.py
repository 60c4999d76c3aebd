"""The backend's keeper: starts it, asks its /health every few seconds, and restarts a local service that
died or stopped answering, so that one crash never ends the booth's day.

It lives in its own QThread, apart from the network worker: that one is busy for a whole job, and a dead
service must be noticed and replaced while a job is still waiting on it (that job then ends honestly, by
its own retries, or finishes when the restarted service picks it up again from its data folder).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import httpx
from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot

from photobooth.workers.network import BackendSpec

log = logging.getLogger(__name__)


def read_health(base_url: str, api_key: str = "", timeout: float = 3.0) -> tuple[bool, str, dict]:
    """(up, reason, document) from GET /health; a 503 with a reason is the service saying it cannot work."""
    headers = {"x-api-key": api_key} if api_key else {}
    try:
        response = httpx.get(base_url.rstrip("/") + "/health", headers=headers, timeout=timeout)
    except httpx.TransportError as error:
        return False, f"no answer ({type(error).__name__})", {}
    try:
        document = response.json()
    except ValueError:
        document = {}
    document = document if isinstance(document, dict) else {}
    if response.status_code == 200 and document.get("status", "ok") == "ok":
        return True, "", document
    reason = str(document.get("reason") or document.get("status") or f"HTTP {response.status_code}")
    return False, reason, document


class BackendSupervisor(QObject):
    """Signals: `ready(url, health)` when a backend can be used (again), `failed(words)` when it could not
    start, `health(up, reason, document)` after every check, `restarted(reason)` after a local restart."""

    ready = Signal(str, dict)
    failed = Signal(str)
    health = Signal(bool, str, dict)
    restarted = Signal(str)

    def __init__(self, interval: float = 2.0, silent_limit: float = 20.0) -> None:
        super().__init__()
        self.interval = interval
        # A service busy with a face can be slow to answer for a while; only this much silence is a hang.
        self.silent_limit = silent_limit
        self._spec: BackendSpec | None = None
        self._local = None  # LocalBackendProcess or an in-process LocalServer
        self._base_url = ""
        self._silent_since: float | None = None
        self._timer: QTimer | None = None

    @Slot(object)
    def start(self, spec: BackendSpec) -> None:
        """Use `spec` from now on (the settings may have changed): stop what ran before, start the new one."""
        self._stop_local()
        self._spec = spec
        if self._timer is None:  # made here, in the supervisor's own thread
            self._timer = QTimer(self)
            self._timer.timeout.connect(self.check)
        self._timer.start(round(self.interval * 1000))
        self._bring_up(port=0)

    def _bring_up(self, port: int) -> None:
        spec = self._spec
        try:
            self._base_url = spec.url or self._start_local(spec, port)
        except Exception as error:  # any failure to start must reach the screen, not kill the thread
            log.exception("backend did not start")
            self._base_url = ""
            self.failed.emit(f"{type(error).__name__}: {error}")
            return
        self._silent_since = None
        up, reason, document = read_health(self._base_url, spec.api_key)
        self.ready.emit(self._base_url, document)
        self.health.emit(up, reason, document)

    def _start_local(self, spec: BackendSpec, port: int) -> str:
        data_dir = Path(spec.data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        options = {"engine": spec.engine, "data_dir": str(data_dir), **dict(spec.local_options)}
        if port:
            options["port"] = port  # the same address: a job waiting on it can carry on
        if spec.in_process:
            from job_service.local import start_local_server

            self._local = start_local_server(**options)
        else:
            from photobooth.local_backend import LocalBackendProcess

            self._local = LocalBackendProcess(**options)
        pid = getattr(self._local, "pid", None)  # staff find (or end) the service by it; a restart names a new one
        log.info("local job service started on %s (%s)", self._local.base_url,
                 f"pid {pid}" if pid else "in the booth's process")
        return self._local.base_url

    @Slot()
    def check(self) -> None:
        """One look at the backend; a local one that is gone, or silent for `silent_limit` seconds, restarts."""
        spec = self._spec
        if spec is None:
            return
        if not self._base_url:  # it never started: try again, things (a port, a disk) may have changed
            self._bring_up(port=0)
            return
        if self._local is not None and not getattr(self._local, "alive", True):
            self._restart("the local job service died")
            return
        up, reason, document = read_health(self._base_url, spec.api_key, timeout=max(3.0, self.interval))
        now = time.monotonic()
        if up or document:  # it answered, even if only to say it cannot work now
            self._silent_since = None
        elif self._silent_since is None:
            self._silent_since = now
        self.health.emit(up, reason, document)
        silent_for = 0.0 if self._silent_since is None else now - self._silent_since
        if self._local is not None and silent_for >= self.silent_limit:
            self._restart(f"the local job service stopped answering ({reason})")

    def _restart(self, reason: str) -> None:
        log.warning("%s; restarting it", reason)
        self.health.emit(False, reason, {})
        port = int(self._base_url.rsplit(":", 1)[1]) if self._base_url else 0
        started = time.monotonic()
        self._stop_local(timeout=2.0)  # it is not answering: do not wait long for a polite exit
        self._bring_up(port=port)
        if self._base_url:
            log.info("local job service restarted in %.1f s", time.monotonic() - started)
            self.restarted.emit(reason)
        elif port:  # the old port is taken after all: any free one will do
            self._bring_up(port=0)

    def _stop_local(self, timeout: float = 10.0) -> None:
        if self._local is not None:
            local, self._local = self._local, None
            try:
                local.stop(timeout) if hasattr(local, "pid") else local.stop()
            except Exception:  # a half-dead service must not stop us from starting the next
                log.exception("stopping the local job service failed")

    @Slot()
    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._stop_local()
        self._spec = None


class SupervisorThread(QThread):
    """The thread the supervisor lives in; `shutdown()` stops the backend and joins the thread."""

    def __init__(self, parent=None, interval: float = 2.0) -> None:
        super().__init__(parent)
        self.supervisor = BackendSupervisor(interval=interval)
        self.supervisor.moveToThread(self)

    def shutdown(self, timeout_ms: int = 15000) -> None:
        if self.isRunning():
            QMetaObject.invokeMethod(self.supervisor, "stop", Qt.ConnectionType.BlockingQueuedConnection)
            self.quit()
            self.wait(timeout_ms)
