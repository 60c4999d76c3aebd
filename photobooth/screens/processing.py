"""Processing: which step the job is in (sending, in line, ageing, bringing back), how long it has taken,
and a Cancel. Progress is by steps the server actually reported, never a made-up percentage."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QVBoxLayout

from photobooth.screens.common import PictureView, Screen, make_button, make_label
from photobooth.screens.confirm import Confirm

STAGES = ("starting", "uploading", "queued", "ageing", "downloading")


class ProcessingScreen(Screen):
    cancel = Signal()

    def __init__(self, strings, parent=None) -> None:
        super().__init__(strings, parent)
        self.stage = "starting"
        self.retry: dict | None = None
        self.picture = PictureView(self)
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
        self.stage, self.retry = "starting", None
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

    def set_stage(self, stage: str) -> None:
        if stage in STAGES:
            self.stage, self.retry = stage, None
            self.retranslate()

    def set_retrying(self, attempt: int, total: int) -> None:
        self.retry = {"attempt": attempt, "total": total}
        self.retranslate()

    def retranslate(self) -> None:
        if self.retry:
            self.status.setText(self.strings.get("processing.retrying", **self.retry))
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
