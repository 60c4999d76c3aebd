"""Review: the photo just taken, with Retake and Go; Go happens by itself after a few seconds."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from photobooth.screens.common import PictureView, Screen, make_button, make_label


class ReviewScreen(Screen):
    retake = Signal()
    go = Signal()

    def __init__(self, strings, parent=None) -> None:
        super().__init__(strings, parent)
        self.title = make_label(role="title")
        self.picture = PictureView(self)
        self.auto = make_label(role="small")
        self.retake_button = make_button("")
        self.go_button = make_button("", primary=True)
        self.retake_button.clicked.connect(self._retake)
        self.go_button.clicked.connect(self._go)
        buttons = QHBoxLayout()
        buttons.addWidget(self.retake_button)
        buttons.addStretch(1)
        buttons.addWidget(self.go_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(self.title)
        layout.addWidget(self.picture, 1)
        layout.addWidget(self.auto)
        layout.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._tick)
        self._deadline = 0.0
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.strings.get("review.title"))
        self.retake_button.setText(self.strings.get("review.retake"))
        self.go_button.setText(self.strings.get("review.go"))

    def show_photo(self, image: QImage, auto_go_seconds: float) -> None:
        self.picture.set_image(image)
        self._deadline = time.monotonic() + auto_go_seconds
        self._tick()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def enter(self, context) -> None:
        self.show_photo(context.photo, context.config.booth.review_seconds)

    def leave(self) -> None:
        self.stop()

    def _tick(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            self._go()
            return
        self.auto.setText(self.strings.get("review.auto", n=math.ceil(left)))

    def key_tap(self) -> bool:
        self._go()
        return True

    def _retake(self) -> None:
        self.stop()
        self.retake.emit()

    def _go(self) -> None:
        self.stop()
        self.go.emit()
