"""The network worker: runs jobs against the backend the supervisor (workers/supervisor.py) keeps up.

It lives in its own QThread; the UI sends it requests by signal and hears back by signal. Requests queue
in order. Cancelling sets the job's Event straight from the UI thread, which every wait in `run_job`
watches.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, Signal, Slot

from photobooth.images import encode_jpeg, to_qimage
from photobooth.workers.jobs import BoothClient, JobFailed, RetryPolicy, run_job

log = logging.getLogger(__name__)
#: Frames are made screen-sized here, off the UI thread (they may be 1024 px; the screen shows them smaller).
DISPLAY_SIZE = 720


@dataclass(frozen=True)
class BackendSpec:
    """Where to send jobs: a URL (and key), or an empty url to start the local job service."""

    url: str = ""
    api_key: str = ""
    engine: str = "auto"
    data_dir: str = ""
    timeout: float = 15.0
    local_options: tuple = ()  # extra start_local_server keywords, as (name, value) pairs
    in_process: bool = (
        False  # run the local service in this process (else a child process, see local_backend)
    )


class NetworkWorker(QObject):
    """Signals carry the job token the UI gave, so the UI can ignore answers for a job it dropped."""

    progress = Signal(int, str, dict)  # token, stage, details
    probed = Signal(bool, str, dict)  # "test connection": answered, words, /health document
    upgrade_answered = Signal(bool, str)  # POST /admin/upgrade: accepted, words
    finished = Signal(int, object)  # token, JobOutcome
    failed = Signal(int, str, str)  # token, code, message

    def __init__(self) -> None:
        super().__init__()
        self._client: BoothClient | None = None
        self._backend_error = "the backend is not started"

    @Slot(str, str, float)
    def use_backend(self, base_url: str, api_key: str, timeout: float) -> None:
        """Send jobs to `base_url` from now on (the supervisor found it up, or restarted it elsewhere)."""
        self.stop_backend()
        self._client = BoothClient(base_url, api_key, timeout)

    @Slot(str)
    def no_backend(self, reason: str) -> None:
        self.stop_backend()
        self._backend_error = reason

    @Slot(int, object, tuple, object, object, str)
    def submit(self, token: int, photo, ages: tuple, cancel: threading.Event, policy: RetryPolicy,
               sitter: str = "") -> None:
        """`photo` is an RGB array (encoded to JPEG here, off the UI thread) or JPEG bytes; `sitter` the
        attendee's answer to "who is in the photo?" (booth_core.sitter), "" when none was given."""
        if self._client is None:
            self.failed.emit(token, "NETWORK", self._backend_error)
            return

        def report(stage: str, details: dict) -> None:
            self.progress.emit(token, stage, details)

        try:
            try:
                jpeg = photo if isinstance(photo, bytes) else encode_jpeg(photo)
            except ValueError as error:
                raise JobFailed("BAD_IMAGE", str(error)) from None
            outcome = run_job(self._client, jpeg, ages, cancel, report, policy, sitter=sitter or None)
        except JobFailed as failure:
            log.info("job failed: %s", failure.code)
            self.failed.emit(token, failure.code, failure.message)
        except Exception as error:  # a bug must end in an apology on screen, not a stuck spinner
            log.exception("job crashed")
            self.failed.emit(token, "BAD_ANSWER", str(error))
        else:
            for frame in outcome.frames:  # decode for the screen here, not on the UI thread
                frame.display = to_qimage(frame.image, max_side=DISPLAY_SIZE)
            log.info("job %s done in %.1f s", outcome.job_id, outcome.elapsed)
            self.finished.emit(token, outcome)

    @Slot(str, str, float)
    def probe(self, url: str, api_key: str, timeout: float) -> None:
        """Staff's "test connection": does `url` answer /health as a booth backend?"""
        from photobooth.workers.supervisor import read_health

        if not url:
            self.probed.emit(self._client is not None, "" if self._client else self._backend_error, {})
            return
        up, reason, document = read_health(url, api_key, timeout)
        self.probed.emit(up, reason, document)

    @Slot(str)
    def upgrade(self, action: str) -> None:
        """Start or stop the local service's engine upgrade (`POST /admin/upgrade`, loopback only)."""
        if self._client is None:
            self.upgrade_answered.emit(False, self._backend_error)
            return
        try:
            status, document = self._client.admin_upgrade(action)
        except JobFailed as failure:
            self.upgrade_answered.emit(False, failure.code)
            return
        error = document.get("error") if isinstance(document.get("error"), dict) else {}
        self.upgrade_answered.emit(status < 300, str(error.get("message") or error.get("code") or status))

    @Slot()
    def stop_backend(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


class NetworkThread(QThread):
    """The thread the network worker lives in; `shutdown()` stops the backend and joins the thread."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.worker = NetworkWorker()
        self.worker.moveToThread(self)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        if self.isRunning():
            # Runs after whatever request is in progress; cancel jobs first so that is quick.
            QMetaObject.invokeMethod(self.worker, "stop_backend", Qt.ConnectionType.BlockingQueuedConnection)
            self.quit()
            self.wait(timeout_ms)
