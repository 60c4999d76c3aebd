"""`--tour DIR`: the booth drives itself through every screen and saves a PNG of each.

The flow part is real (camera, upload, the configured backend, the result and its saved files); the
retrying and error screens are then reached through the state machine's own events, each from a fresh
visit (tap, photo, Go), as an attendee would meet them.
A `tour.json` next to the PNGs lists what was captured and whether torch was ever imported.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication

from photobooth import tour_take_home as take_home
from photobooth.state import ErrorKind, Event, State

log = logging.getLogger(__name__)


class Tour:
    def __init__(
        self,
        window,
        out_dir: Path,
        step_ms: int = 50,
        job_timeout: float = 240.0,
        fallback_camera: Path | None = None,
        camera_wait: float = 6.0,
    ) -> None:
        self.window = window
        self.fallback_camera = fallback_camera  # used when the configured camera gives no frame in time
        self.camera_wait = camera_wait
        self.camera_note = ""
        self.out_dir = Path(out_dir)
        self.job_timeout = job_timeout
        self.shots: list[str] = []
        self.problems: list[str] = []
        self.exit_code = 1
        self._script = self.script()
        self._waiting = None  # (condition, deadline, what)
        self._sleep_until = 0.0
        self._timer = QTimer()
        self._timer.setInterval(step_ms)
        self._timer.timeout.connect(self._advance)

    def start(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._timer.start()

    # -- the runner: the script yields seconds to sleep or (condition, timeout, what) to wait for ----------
    def _advance(self) -> None:
        now = time.monotonic()
        if now < self._sleep_until:
            return
        if self._waiting is not None:
            condition, deadline, what = self._waiting
            if not condition():
                if now < deadline:
                    return
                if what is None:  # an optional wait: go on without it
                    self._waiting = None
                    return
                self.problems.append(f"gave up waiting for {what}")
                log.error("tour: gave up waiting for %s", what)
                self._finish()
                return
            self._waiting = None
        try:
            step = next(self._script)
        except StopIteration:
            self._finish()
            return
        except Exception as error:  # a broken step must fail the tour, not hang it
            log.exception("tour step failed")
            self.problems.append(f"{type(error).__name__}: {error}")
            self._finish()
            return
        if isinstance(step, (int, float)):
            self._sleep_until = now + step
        else:
            condition, timeout, what = step
            self._waiting = (condition, now + timeout, what)

    def _finish(self) -> None:
        self._timer.stop()
        if not self.problems:
            self.exit_code = 0
        report = {
            "screens": self.shots,
            "problems": self.problems,
            "torch_loaded": "torch" in sys.modules,
            "backend": self.window.backend_url,
            "engine": self.window.health.get("engine"),
            "saved": list(self.window.saved_paths or ()),
            "size": [self.window.width(), self.window.height()],
            "camera": self.window.config.booth.camera,
            "camera_note": self.camera_note,
        }
        (self.out_dir / "tour.json").write_text(json.dumps(report, indent=2))
        QApplication.instance().quit()

    def shot(self, name: str) -> None:
        path = self.out_dir / f"{len(self.shots) + 1:02d}-{name}.png"
        # Lay out texts set in this same step (a wrapped status line needs its second row) before grabbing.
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.window.grab().save(str(path))
        self.shots.append(path.name)
        log.info("tour: saved %s", path.name)

    def state_is(self, *states: State):
        return lambda: self.window.machine.state in states

    def camera_steps(self):
        """No frame from the configured camera in time (a machine without a webcam): use the fallback photo."""
        w = self.window
        if self.fallback_camera is None:
            return
        # Stop waiting as soon as the camera worker says the source is gone (no device at all).
        yield (lambda: w.camera.has_frame or w.camera_lost, self.camera_wait, None)
        if not w.camera.has_frame:
            self.camera_note = (
                f"camera {w.config.booth.camera!r} gave no frame; using {self.fallback_camera.name}"
            )
            log.warning("tour: %s", self.camera_note)
            w.use_camera(str(self.fallback_camera))
            yield (lambda: w.camera.has_frame, 10, "a frame from the demo portrait")

    def visit_until_processing(self):
        """Attract -> preview -> countdown -> review -> processing by the machine's events (a real job starts)."""
        w = self.window
        w.machine.handle(Event.TAP)
        yield (lambda: w.preview.camera.has_frame, 10, "a camera frame")
        w.machine.handle(Event.TAP)
        yield (self.state_is(State.REVIEW), 5, "the review")
        w.machine.handle(Event.GO)
        yield (self.state_is(State.PROCESSING), 5, "processing")

    def sitter_steps(self):
        """The review's "Who is in the photo?" with an answer chosen. Only a backend whose engine judges age
        (classic) asks; with another one the row is shown just for this shot. The answer is taken back
        before Go: the tour's photo is of an adult, and the job should be what the engine judges."""
        review = self.window.review
        hidden = review.sitter_row.isHidden()
        review.sitter_row.show()
        child = review.sitter_buttons["child"]
        child.click()
        yield 0.1
        self.shot("review-sitter")
        child.click()
        review.sitter_row.setHidden(hidden)
        yield 0.05

    # -- the script --------------------------------------------------------------------------------
    def script(self):
        w = self.window
        yield (lambda: bool(w.backend_url or w.backend_error), 120, "the backend")
        yield from self.camera_steps()
        yield 1.6
        self.shot("attract")
        w.attract.tapped.emit()
        yield (lambda: w.preview.camera.has_frame, 20, "a camera frame")
        yield 0.3
        self.shot("preview")
        w.preview.start_button.click()
        yield (lambda: w.countdown.camera.has_frame and w.countdown.camera.number, 5, "the countdown")
        yield 0.05
        self.shot("countdown")
        yield (lambda: w.countdown.camera.flash > 0.5, 20, "the flash")
        flash = w.countdown.camera.flash  # at full strength the shot is plain white: show it fading instead
        w.countdown.camera.flash = min(flash, 0.6)
        self.shot("flash")
        w.countdown.camera.flash = flash
        yield (self.state_is(State.REVIEW), 5, "the review")
        yield 0.2
        self.shot("review")
        yield from self.sitter_steps()
        w.review.go_button.click()
        yield (self.state_is(State.PROCESSING, State.RETRYING), 5, "processing")
        yield 0.4
        self.shot("processing")
        yield (self.state_is(State.RESULT, State.ERROR), self.job_timeout, "the job")
        if w.machine.state is State.ERROR:
            self.problems.append(f"the job failed: {w.machine.error.value}")
            self.shot("job-failed")
            return
        yield 1.2
        self.shot("result")
        yield (lambda: w.saved_paths is not None, 30, "the saved strip")
        self.shot("result-saved")
        yield from take_home.steps(self)
        w.result.done_button.click()
        yield (self.state_is(State.ATTRACT), 5, "back to attract")

        # The walk through retrying and the error screens needs photos, not suspense.
        w.config.booth.countdown_seconds = 0
        yield from self.visit_until_processing()
        w.machine.handle(Event.NETWORK_TROUBLE)  # a request failed and the booth is trying again
        yield 0.2
        w.processing.set_retrying(2, w.config.backend.retries)  # after any real progress report
        self.shot("retrying")
        w.machine.handle(Event.CANCEL)
        for kind in ErrorKind:
            if kind is ErrorKind.CAMERA:
                w.machine.handle(Event.TAP)
                yield (self.state_is(State.PREVIEW), 5, "the preview")
                w.machine.handle(Event.CAMERA_LOST)
            else:
                yield from self.visit_until_processing()
                w.machine.handle(Event.FAILED, kind)
            yield (self.state_is(State.ERROR), 5, f"the {kind.value} error")
            yield 0.2
            self.shot(f"error-{kind.value}")
            w.machine.handle(Event.IDLE_TIMEOUT)
            yield (self.state_is(State.ATTRACT), 5, "back to attract")

        # Out of order: what replaces the invitation while a part stays down (nothing is, so it returns).
        w.machine.handle(Event.OUT_OF_ORDER)
        self.shot("out-of-order")
        yield (self.state_is(State.ATTRACT), 5, "back in order by itself")

        w.attract.staff_gesture.emit()
        yield (self.state_is(State.PIN), 5, "the PIN pad")
        for digit in "12":
            w.pin.digit_buttons[digit].click()
        yield 0.1
        self.shot("pin")
        w.pin.reset()
        for digit in w.config.booth.staff_pin:
            w.pin.press(digit)
        w.pin.submit()
        yield (self.state_is(State.SETTINGS), 5, "the settings")
        yield 0.2
        self.shot("settings")
        w.settings.cancel_button.click()
        yield (self.state_is(State.ATTRACT), 5, "back to attract")
