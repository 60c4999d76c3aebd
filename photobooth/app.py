"""The booth window: screens in a stack, the state machine deciding which one shows, workers doing the work.

Everything slow (camera reads, HTTP, JPEG/GIF encoding, the local job service) happens in worker threads;
this module only reacts to their signals, so the UI thread never waits.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import platformdirs
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from photobooth import retention
from photobooth.config import Config, save_config
from photobooth.counters import DailyCounts
from photobooth.images import to_qimage
from photobooth.screens.attract import AttractScreen
from photobooth.screens.common import Screen, stylesheet, touch_px
from photobooth.screens.context import ScreenContext
from photobooth.screens.countdown import CountdownScreen
from photobooth.screens.error import ErrorScreen
from photobooth.screens.out_of_order import OutOfOrderScreen
from photobooth.screens.pin import PinScreen
from photobooth.screens.preview import PreviewScreen
from photobooth.screens.processing import ProcessingScreen
from photobooth.screens.result import ResultScreen
from photobooth.screens.review import ReviewScreen
from photobooth.screens.settings import SettingsScreen
from photobooth.screens.share_panel import PrintState
from photobooth.screens.slideshow import SlideshowLoader
from photobooth.state import BoothStateMachine, Event, State, Transition, kind_for_code
from photobooth.status import BoothStatus, disk_free
from photobooth.strings import Strings
from photobooth.watch import OrderWatch
from photobooth.workers.camera import CameraWorker
from photobooth.workers.files import FileThread
from photobooth.workers.jobs import RetryPolicy
from photobooth.workers.network import BackendSpec, NetworkThread
from photobooth.workers.printing import CopyLimit, PrinterStatus, PrintSettings, PrintThread
from photobooth.workers.supervisor import SupervisorThread

log = logging.getLogger(__name__)

#: Keys that act as a tap, so a USB arcade button (which types Space or Enter) works the booth.
TAP_KEYS = {Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter}
#: Taps this soon after a screen change are dropped: they were meant for the screen before.
TAP_GUARD_S = 0.4
#: How often saved pictures past the retention period are looked for.
SWEEP_INTERVAL_MS = 60_000
#: How often the staff status goes to the log as one line.
STATUS_LOG_INTERVAL_MS = 10 * 60_000


def backend_spec(config: Config) -> BackendSpec:
    """What the network worker should start: the configured URL, or the local job service with our settings."""
    options = {
        "ages": tuple(config.booth.ages),
        "retention_hours": config.booth.retention_hours,
        "job_timeout": config.backend.job_timeout_seconds,
        "fetch_weights": config.backend.local_fetch_weights,
        "sam_budget_s": config.backend.local_sam_budget_seconds,
    }
    if config.backend.local_output_size:
        options["engine_options"] = {"output_size": config.backend.local_output_size}
    if config.backend.share_host:  # the venue share server: phones on the booth's Wi-Fi get a QR code
        options["share_host"] = config.backend.share_host
        options["share_port"] = config.backend.share_port
    data_dir = config.backend.local_data_dir or str(
        Path(platformdirs.user_data_dir("time-traveler")) / "booth-jobs"
    )
    return BackendSpec(
        url=config.backend.url,
        api_key=config.backend.api_key,
        engine=config.backend.engine,
        data_dir=data_dir,
        timeout=config.backend.request_timeout_seconds,
        local_options=tuple(options.items()),
        in_process=config.backend.local_in_process,
    )


class BoothWindow(QMainWindow):
    # Requests to workers (queued across threads).
    start_backend = Signal(object)
    use_backend = Signal(str, str, float)
    probe_backend = Signal(str, str, float)
    upgrade_engine = Signal(str)
    no_backend = Signal(str)
    submit_job = Signal(int, object, tuple, object, object, str)
    save_strip = Signal(int, object, str)
    print_outcome = Signal(int, object, object)
    check_printer = Signal(str)
    load_slides = Signal(str, float)
    sweep_saved = Signal(str, float)

    def __init__(
        self, config: Config, problems: list[str] | None = None, countdown_tick_ms: int = 1000
    ) -> None:
        super().__init__()
        self.config = config
        self.problems = list(problems or [])
        self.countdown_tick_ms = countdown_tick_ms
        self.strings = Strings(config.booth.language)
        self.machine = BoothStateMachine()
        self.backend_url = ""
        self.health: dict = {}
        self.backend_error = ""
        self.backend_up = False  # the supervisor's last look at /health
        self.backend_restarts = 0
        self.last_problem = ""
        self.camera_ok = False
        self.camera_lost = False  # the worker said so (not just: no frame yet)
        self.photo = None  # the captured RGB array
        self.photo_image: QImage | None = None
        self.outcome = None
        self.saved_paths: tuple[str, str] | None = None
        self._token = 0
        self._screen_changed = 0.0  # when the shown screen last changed (taps just after it are dropped)
        self._cancel: threading.Event | None = None  # set for the job in flight, None when there is none
        self.setWindowTitle(self.strings.get("app.title"))

        self.attract = AttractScreen(self.strings, config.booth.ages)
        self.preview = PreviewScreen(self.strings)
        self.countdown = CountdownScreen(self.strings)
        self.review = ReviewScreen(self.strings)
        self.processing = ProcessingScreen(self.strings)
        self.result = ResultScreen(self.strings)
        self.error = ErrorScreen(self.strings)
        self.pin = PinScreen(self.strings, config.booth.staff_pin)
        self.settings = SettingsScreen(self.strings)
        self.out_of_order = OutOfOrderScreen(self.strings)
        #: Screen widgets by the key the state table (STATE_FACTS) names.
        self.screens: dict[str, Screen] = {
            "attract": self.attract,
            "preview": self.preview,
            "countdown": self.countdown,
            "review": self.review,
            "processing": self.processing,
            "result": self.result,
            "error": self.error,
            "pin": self.pin,
            "settings": self.settings,
            "out_of_order": self.out_of_order,
        }
        self.stack = QStackedWidget()
        for screen in self.screens.values():
            self.stack.addWidget(screen)
        self.setCentralWidget(self.stack)

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(lambda: self.machine.handle(Event.IDLE_TIMEOUT))
        self.camera_grace = QTimer(self)
        self.camera_grace.setSingleShot(True)
        self.camera_grace.timeout.connect(self._camera_grace_over)
        self.watch = OrderWatch(config.booth.out_of_order_seconds)
        self.order_timer = QTimer(self)
        self.order_timer.setInterval(250)
        self.order_timer.timeout.connect(self._check_order)
        self._connect_screens()
        self.machine.add_listener(self._on_transition)

        self.camera: CameraWorker | None = None
        self.network = NetworkThread(self)
        worker = self.network.worker
        self.submit_job.connect(worker.submit)
        self.use_backend.connect(worker.use_backend)
        self.no_backend.connect(worker.no_backend)
        self.probe_backend.connect(worker.probe)
        self.upgrade_engine.connect(worker.upgrade)
        worker.probed.connect(self.settings.show_connection)
        worker.upgrade_answered.connect(self._on_upgrade_answer)
        self.keeper = SupervisorThread(self, interval=config.backend.health_check_seconds)
        supervisor = self.keeper.supervisor
        self.start_backend.connect(supervisor.start)
        supervisor.ready.connect(self._on_backend_ready)
        supervisor.failed.connect(self._on_backend_failed)
        supervisor.health.connect(self._on_health)
        supervisor.restarted.connect(self._on_backend_restarted)
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_job_done)
        worker.failed.connect(self._on_job_failed)
        self.files = FileThread(self)
        self.save_strip.connect(self.files.worker.save)
        self.sweep_saved.connect(self.files.worker.sweep)
        self.sweep_timer = QTimer(self)
        self.sweep_timer.setInterval(SWEEP_INTERVAL_MS)
        self.sweep_timer.timeout.connect(self._sweep_saved)
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(STATUS_LOG_INTERVAL_MS)
        self.status_timer.timeout.connect(self._log_status)
        self.files.worker.saved.connect(self._on_saved)
        self.slides = SlideshowLoader()
        self.slides.moveToThread(self.files)
        self.load_slides.connect(self.slides.load)
        self.slides.loaded.connect(self.attract.show_slides)
        self.prints = PrintThread(self)
        self.print_outcome.connect(self.prints.worker.print_outcome)
        self.check_printer.connect(self.prints.worker.check)
        self.prints.worker.printed.connect(self._on_printed)
        self.prints.worker.failed.connect(self._on_print_failed)
        self.prints.worker.status.connect(self._on_printer_status)
        self.result.side.print_requested.connect(self._print)
        self.copies = CopyLimit(config.booth.print_copies)
        self.printer: PrinterStatus | None = None
        self.print_pending = False  # a print of the current attendee is in the print thread
        self.counts = DailyCounts(Path(config.booth.output_dir).expanduser() / ".today.json")
        self.network.start()
        self.keeper.start()
        self.files.start()
        self.prints.start()
        QApplication.instance().installEventFilter(self)

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the camera and the backend; the attract screen shows meanwhile."""
        self._start_camera()
        self.start_backend.emit(backend_spec(self.config))
        state = self.machine.state
        self._show(Transition(state, Event.IDLE_TIMEOUT, state), first=True)
        self.order_timer.start()
        self.sweep_timer.start()
        self.status_timer.start()
        self._sweep_saved()

    def shutdown(self) -> None:
        """Stop every thread this window started (idempotent)."""
        QApplication.instance().removeEventFilter(self)
        self.idle_timer.stop()
        self.order_timer.stop()
        self.sweep_timer.stop()
        self.status_timer.stop()
        self._cancel_job()
        self.stack.currentWidget().leave()
        if self.camera is not None:
            self.camera.stop()
            self.camera = None
        self.network.shutdown()
        self.keeper.shutdown()
        self.files.shutdown()
        self.prints.shutdown()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.shutdown()
        super().closeEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.setStyleSheet(stylesheet(self.width(), self.height(), touch_px(self)))
        super().resizeEvent(event)

    def _preview_box_changed(self, width: int, height: int) -> None:
        if self.camera is not None:
            self.camera.set_preview_box(width, height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Any touch or key restarts the idle countdown; taps just after a screen change are dropped (a
        double tap on attract must not also press the preview's shutter); Space and Enter act as a tap."""
        kind = event.type()
        if kind not in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress):
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self:
            return False
        if self.machine.facts.idle and self.idle_timer.isActive():
            self.idle_timer.start()
        tap_key = kind is QEvent.Type.KeyPress and event.key() in TAP_KEYS
        if kind is QEvent.Type.KeyPress and not tap_key:
            return False  # staff typing in the settings
        if time.monotonic() - self._screen_changed < TAP_GUARD_S:
            return True
        if tap_key:
            return event.isAutoRepeat() or self.stack.currentWidget().key_tap()
        return False

    # -- wiring ------------------------------------------------------------------------------------
    def _connect_screens(self) -> None:
        m = self.machine
        self.attract.tapped.connect(lambda: m.handle(Event.TAP))
        self.attract.staff_gesture.connect(lambda: m.handle(Event.STAFF_GESTURE))
        self.out_of_order.staff_gesture.connect(lambda: m.handle(Event.STAFF_GESTURE))
        self.preview.start.connect(lambda: m.handle(Event.TAP))
        self.preview.back.connect(lambda: m.handle(Event.CANCEL))
        self.countdown.shoot.connect(self._shoot)
        self.countdown.finished.connect(self._captured)
        self.review.retake.connect(lambda: m.handle(Event.RETAKE))
        self.review.go.connect(lambda: m.handle(Event.GO))
        self.processing.cancel.connect(lambda: m.handle(Event.CANCEL))
        self.result.done.connect(lambda: m.handle(Event.TAP))
        self.error.dismissed.connect(lambda: m.handle(Event.ERROR_DONE))
        self.error.back.connect(lambda: m.handle(Event.CANCEL))
        self.pin.accepted.connect(lambda: m.handle(Event.PIN_OK))
        self.pin.cancelled.connect(lambda: m.handle(Event.CANCEL))
        self.settings.saved.connect(self._apply_settings)
        self.settings.closed.connect(lambda: m.handle(Event.SETTINGS_CLOSED))
        self.settings.quit_requested.connect(self.close)
        self.settings.test_connection.connect(
            lambda url, key: self.probe_backend.emit(url, key, self.config.backend.request_timeout_seconds)
        )
        self.settings.upgrade_requested.connect(self.upgrade_engine.emit)
        self.preview.camera.resized.connect(self._preview_box_changed)

    def use_camera(self, spec: str) -> None:
        """Switch to another camera source now (not saved to the settings file)."""
        self.config.booth.camera = str(spec)
        self._start_camera()

    def _start_camera(self) -> None:
        if self.camera is not None:
            self.camera.stop()
        self.camera_ok = self.camera_lost = False
        self.camera = CameraWorker(self.config.booth.camera, self)
        self.camera.set_preview_box(self.preview.camera.width(), self.preview.camera.height())
        self.camera.set_delivering(self.machine.facts.camera)
        self.camera.frame.connect(self._on_frame)
        self.camera.lost.connect(self._on_camera_lost)
        self.camera.back.connect(self._on_camera_back)
        self.camera.start()

    # -- state machine -> screens --------------------------------------------------------------------
    def _on_transition(self, transition: Transition) -> None:
        log.debug("%s --%s--> %s", transition.source.value, transition.event.value, transition.target.value)
        source, target = transition.source_facts, transition.target_facts
        if source.job and not target.job:
            self._cancel_job()  # a finished job has already let go of it, so this only stops a dropped one
        if not target.session:
            self.photo = self.photo_image = self.outcome = None
        if target.job and not source.job:
            self._submit()
        self._show(transition)

    def _show(self, transition: Transition, first: bool = False) -> None:
        """Switch screens as the state table says and apply the new state's facts (timer, camera).

        A screen is entered when it comes up and left when another takes over: two states that share one
        (processing and retrying) keep it running. `first` enters the screen the window starts on.
        """
        facts = transition.target_facts
        screen = self.screens[facts.screen]
        current = self.stack.currentWidget()
        if screen is not current or first:
            self._screen_changed = time.monotonic()
            if not first:
                current.leave()
            self.stack.setCurrentWidget(screen)
            screen.enter(self._context(transition))
        if self.camera is not None:
            self.camera.set_delivering(facts.camera)
        if facts.idle:
            self.idle_timer.start(round(self.config.booth.idle_timeout_seconds * 1000))
        else:
            self.idle_timer.stop()
        if facts.camera:
            if self.camera_lost:  # known to be gone: say so now (after this transition has finished)
                QTimer.singleShot(0, lambda: self.machine.handle(Event.CAMERA_LOST))
            elif not self.camera_ok:
                self.camera_grace.start(2500)
        if screen is not current or first:
            self._entered(screen)

    def _entered(self, screen: Screen) -> None:
        """What the take-home parts add to a screen the window just entered (slides, printing, counts)."""
        if screen is self.attract:
            if self.config.booth.slideshow:
                self.load_slides.emit(self.config.booth.output_dir, self.config.booth.retention_hours * 3600)
            else:
                self.attract.show_slides([])
        elif screen is self.result:
            self._show_print_state()
            if self.config.booth.print_enabled:
                self.check_printer.emit(self.config.booth.printer_name)
        elif screen is self.settings:
            self.settings.set_staff_info(self._staff_info())
            if self.config.booth.print_enabled:
                self.check_printer.emit(self.config.booth.printer_name)

    def _context(self, transition: Transition) -> ScreenContext:
        return ScreenContext(
            transition=transition,
            config=self.config,
            photo=self.photo_image,
            error=self.machine.error,
            outcome=self.outcome,
            countdown_tick_ms=self.countdown_tick_ms,
            backend=self.backend_url or self.backend_error,
            health=dict(self.health),
            problems=tuple(self.problems),
            retention_seconds=self.retention_seconds(),
            status=self.status,  # made only by the screen that shows it (it reads the disk)
        )

    # -- the flow ---------------------------------------------------------------------------------
    def _shoot(self) -> None:
        self.photo = self.camera.capture() if self.camera is not None else None

    def _captured(self) -> None:
        if self.photo is None:
            self.machine.handle(Event.CAMERA_LOST)
            return
        self.photo_image = to_qimage(self.photo, max_side=960)
        self.machine.handle(Event.CAPTURED)

    def _submit(self) -> None:
        self._token += 1
        self._cancel = threading.Event()
        backend = self.config.backend
        policy = RetryPolicy(
            retries=backend.retries,
            job_timeout=backend.job_timeout_seconds,
            first_wait=backend.retry_first_wait_seconds,
        )
        self.submit_job.emit(
            self._token, self.photo, tuple(self.config.booth.ages), self._cancel, policy, self.review.sitter or ""
        )

    def _cancel_job(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self._cancel = None

    # -- worker reports ---------------------------------------------------------------------------
    def _current(self, token: int) -> bool:
        return token == self._token and self._cancel is not None

    def _on_frame(self, image: QImage) -> None:
        if self.machine.facts.camera:
            self.stack.currentWidget().show_frame(image)

    def _on_camera_lost(self) -> None:
        self.camera_ok, self.camera_lost = False, True
        self.watch.report("camera", False, "the camera is not answering")
        self.last_problem = "the camera is not answering"
        self.machine.handle(Event.CAMERA_LOST)

    def _on_camera_back(self) -> None:
        self.camera_ok, self.camera_lost = True, False
        self.watch.report("camera", True)
        self.camera_grace.stop()
        self.machine.handle(Event.CAMERA_BACK)

    def _camera_grace_over(self) -> None:
        if not self.camera_ok:
            self.machine.handle(Event.CAMERA_LOST)

    def _on_backend_ready(self, base_url: str, health: dict) -> None:
        self.backend_url, self.health, self.backend_error = base_url, health, ""
        backend = self.config.backend
        self.use_backend.emit(base_url, backend.api_key, backend.request_timeout_seconds)
        log.info("backend %s ready (engine %s)", base_url, health.get("engine"))

    def _on_backend_failed(self, message: str) -> None:
        self.backend_url, self.backend_error, self.backend_up = "", message, False
        self.last_problem = message
        self.watch.report("backend", False, f"the backend did not start: {message}")
        self.no_backend.emit(message)

    def _on_health(self, up: bool, reason: str, document: dict) -> None:
        if up != self.backend_up:
            log.info("backend %s%s", "up" if up else "down", f": {reason}" if reason else "")
        self.backend_up = up
        self.watch.report("backend", up, f"the backend is down: {reason}")
        if not up:
            self.last_problem = f"backend: {reason}"
        if self.machine.state is State.SETTINGS:  # staff watching: keep what they read true
            self.settings.show_status(self.status(), document)
        if document:
            self.health = document
        self.backend_error = "" if up else reason

    def _on_upgrade_answer(self, accepted: bool, words: str) -> None:
        log.info("engine upgrade request %s (%s)", "accepted" if accepted else "refused", words)
        if not accepted:
            self.settings.message.setText(self.strings.get("settings.upgrade_refused", error=words))

    def _on_backend_restarted(self, reason: str) -> None:
        self.backend_restarts += 1
        self.last_problem = reason

    def _on_progress(self, token: int, stage: str, details: dict) -> None:
        if not self._current(token):
            return
        if stage == "retrying":
            self.machine.handle(Event.NETWORK_TROUBLE)
            self.processing.set_retrying(details["attempt"], details["total"])
        elif stage == "network_ok":
            self.machine.handle(Event.NETWORK_OK)
            self.processing.set_stage(self.processing.stage)
        else:
            self.processing.set_stage(stage, details.get("stage"))

    def _on_job_done(self, token: int, outcome) -> None:
        if not self._current(token):
            return
        self._cancel = None
        self.outcome = outcome
        self.saved_paths = None
        self.print_pending = False
        self.machine.handle(Event.JOB_DONE)
        self.save_strip.emit(token, outcome, self.config.booth.output_dir)

    def _on_job_failed(self, token: int, code: str, message: str) -> None:
        if not self._current(token) or code == "CANCELLED":
            return
        self._cancel = None
        log.info("job failed with %s", code)
        self.machine.handle(Event.FAILED, kind_for_code(code))

    def _on_saved(self, token: int, gif: str, jpeg: str) -> None:
        self.saved_paths = (gif, jpeg)
        if token == self._token:
            self.result.set_saved()

    # -- printing ---------------------------------------------------------------------------------
    def print_settings(self) -> PrintSettings:
        booth = self.config.booth
        return PrintSettings(
            printer_name=booth.printer_name,
            pdf_dir=str(Path(booth.output_dir).expanduser() / "prints"),
            caption=booth.print_caption,
            logo_path=booth.print_logo,
            retention_s=booth.retention_hours * 3600,
        )

    def _show_print_state(self) -> None:
        """The Print button as this attendee's copies and the printer's last known state allow."""
        if not self.config.booth.print_enabled or self.outcome is None:
            state = PrintState.HIDDEN
        elif self.print_pending:
            state = PrintState.SENDING
        elif self.printer is not None and not self.printer.ok:
            state = PrintState.PAUSED
        else:
            left = self.copies.left(self.outcome.job_id)
            printed = self.copies.per_attendee - left
            state = PrintState.READY if not printed else PrintState.SENT if left else PrintState.USED_UP
        self.result.set_print_state(state, self.copies.left(self.outcome.job_id) if self.outcome else 0)

    def _print(self) -> None:
        if self.outcome is None or not self.config.booth.print_enabled:
            return
        if self.print_pending or not self.copies.take(self.outcome.job_id):
            self._show_print_state()
            return
        self.print_pending = True
        self._show_print_state()
        self.print_outcome.emit(self._token, self.outcome, self.print_settings())

    def _on_printed(self, token: int, where: str) -> None:
        self.counts.add("prints")
        log.info("printed a strip")
        if token == self._token:
            self.print_pending = False
            self._show_print_state()

    def _on_print_failed(self, token: int, message: str) -> None:
        if self.outcome is not None and token == self._token:
            self.copies.give_back(self.outcome.job_id)  # nothing came out: the copy is still theirs
            self.print_pending = False
        if self.printer is None or self.printer.ok:
            self.printer = PrinterStatus(self.config.booth.printer_name or "PDF", message)
        if token == self._token:
            self._show_print_state()

    def _on_printer_status(self, status: PrinterStatus) -> None:
        self.printer = status
        if self.machine.state is State.RESULT:
            self._show_print_state()
        if self.machine.state is State.SETTINGS:
            self.settings.set_staff_info(self._staff_info())

    def _staff_info(self) -> str:
        get = self.strings.get
        if not self.config.booth.print_enabled:
            printer = get("settings.printer_off")
        elif self.printer is None or self.printer.ok:
            name = self.config.booth.printer_name or "PDF"
            printer = get("settings.printer_ok", name=name)
        else:
            printer = get("settings.printer_problem", name=self.printer.name, problem=self.printer.problem)
        return get("settings.today", prints=self.counts.get("prints"), printer=printer)

    def status(self) -> BoothStatus:
        """Everything staff want to know at a glance (settings screen, and a log line)."""
        camera = "ok" if self.camera_ok else "lost" if self.camera_lost else "waiting"
        return BoothStatus(
            engine=str(self.health.get("engine") or ""),
            backend=self.backend_url or self.backend_error,
            backend_up=self.backend_up,
            camera=camera,
            disk_free=disk_free(self.config.booth.output_dir),
            last_problem=self.last_problem,
            photos_today=retention.saved_today(Path(self.config.booth.output_dir).expanduser()),
            restarts=self.backend_restarts,
        )

    def _log_status(self) -> None:
        log.info("%s", self.status().log_line())

    def retention_seconds(self) -> float:
        """What the consent line promises: the backend's retention when its /health says it, else ours."""
        hours = self.health.get("retention_hours")
        if isinstance(hours, (int, float)) and not isinstance(hours, bool) and hours > 0:
            return float(hours) * 3600
        return self.config.booth.retention_hours * 3600

    def _sweep_saved(self) -> None:
        self.sweep_saved.emit(self.config.booth.output_dir, self.retention_seconds())

    def _check_order(self) -> None:
        """Between visits, swap the invitation for "out of order" while a part stays down, and back."""
        reasons = self.watch.out_of_order()
        if reasons and self.machine.handle(Event.OUT_OF_ORDER):
            log.warning("out of order: %s", "; ".join(reasons))
            self._log_status()
        elif not reasons and self.machine.handle(Event.IN_ORDER):
            log.info("back in order")
            self._log_status()

    # -- settings ---------------------------------------------------------------------------------
    def _apply_settings(self, config: Config) -> None:
        old = self.config
        try:
            save_config(config)
        except OSError as error:
            self.settings.message.setText(str(error))
            return
        self.config = config
        self.watch.grace = config.booth.out_of_order_seconds
        self.strings = Strings(config.booth.language)
        for screen in self.screens.values():
            screen.set_strings(self.strings)
        self.copies.per_attendee = config.booth.print_copies
        if config.booth.camera != old.booth.camera:
            self._start_camera()
        if (config.backend.url, config.backend.api_key) != (old.backend.url, old.backend.api_key):
            self.backend_url = ""
            self.start_backend.emit(backend_spec(config))
        self.machine.handle(Event.SETTINGS_CLOSED)
