"""Processing: which step the job is in (sending, in line, warming up, ageing, bringing back), how long it
has taken, a dial that keeps moving, and a Cancel that asks first. Progress is by steps the server
actually reported, never a made-up percentage; the job document's optional `stage` refines the step."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QVBoxLayout

from booth_core import job_stage
from photobooth.screens.common import PictureView, Screen, make_button, make_label
from photobooth.screens.confirm import Confirm
from photobooth.screens.time_dial import TimeDial

STAGES = ("starting", "uploading", "queued", "ageing", "downloading")
#: The job document's optional `stage` (docs/job_service.md) -> the words shown while it lasts.
SERVER_STAGES = {job_stage.WAITING: "queued", job_stage.WARMING_UP: "warming_up", job_stage.AGING: "ageing"}


class ProcessingScreen(Screen):
    cancel = Signal()

    def __init__(self, strings, parent=None) -> None:
        super().__init__(strings, parent)
        self.stage = "starting"
        self.server_stage: str | None = None
        self.retry: dict | None = None
        self.picture = PictureView(self)
        self.dial = TimeDial(self)
        self.status = make_label(role="big")
        self.steps = QProgressBar(self)
        self.steps.setRange(0, len(STAGES) - 1)
        self.steps.setTextVisible(False)
        self.elapsed = make_label(role="small")
        self.cancel_button = make_button("")
        self.confirm = Confirm(self.cancel_button, self)  # Cancel asks first: the pictures are nearly there
        self.cancel_button.clicked.connect(self.confirm.ask)
        self.confirm.confirmed.connect(self.cancel)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.confirm)
        bottom.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.addWidget(self.picture, 1)
        layout.addWidget(self.dial)
        layout.addWidget(self.status)
        layout.addWidget(self.steps)
        layout.addWidget(self.elapsed, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addLayout(bottom)
        self._started = time.monotonic()
        self._clock = QTimer(self)
        self._clock.setInterval(250)
        self._clock.timeout.connect(self._refresh_elapsed)
        self.retranslate()

    def begin(self, photo: QImage | None) -> None:
        self.picture.set_image(photo)
        self.stage, self.server_stage, self.retry = "starting", None, None
        self.confirm.dismiss()
        self._started = time.monotonic()
        self._clock.start()
        self.retranslate()

    def stop(self) -> None:
        self._clock.stop()

    def enter(self, context) -> None:
        self.begin(context.photo)

    def leave(self) -> None:
        self.stop()

    def set_stage(self, stage: str, server_stage: str | None = None) -> None:
        if stage in STAGES:
            self.stage, self.retry = stage, None
            self.server_stage = server_stage if server_stage in SERVER_STAGES else None
            self.retranslate()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.dial.set_scale(self.unit())
        super().resizeEvent(event)

    def set_retrying(self, attempt: int, total: int) -> None:
        self.retry = {"attempt": attempt, "total": total}
        self.retranslate()

    def retranslate(self) -> None:
        if self.retry:
            self.status.setText(self.strings.get("processing.retrying", **self.retry))
        elif self.server_stage:
            self.status.setText(self.strings.get(f"processing.{SERVER_STAGES[self.server_stage]}"))
        else:
            self.status.setText(self.strings.get(f"processing.{self.stage}"))
        self.steps.setValue(STAGES.index(self.stage))
        self.cancel_button.setText(self.strings.get("processing.cancel"))
        self.confirm.set_texts(
            self.strings.get("processing.cancel_ask"),
            self.strings.get("processing.cancel_yes"),
            self.strings.get("processing.cancel_no"),
        )
        self._refresh_elapsed()

    def _refresh_elapsed(self) -> None:
        self.elapsed.setText(
            self.strings.get("processing.elapsed", seconds=int(time.monotonic() - self._started))
        )
