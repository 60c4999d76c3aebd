"""Error screens: what went wrong in words for a person, and the booth goes on by itself after a while."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from photobooth.screens.common import Screen, make_button, make_label
from photobooth.screens.icons import IconView
from photobooth.state import ErrorKind

#: The drawn icon (photobooth.screens.icons) of each error: no font glyphs, so never a missing-glyph box.
ICON_NAMES = {
    ErrorKind.NO_FACE: "face",
    ErrorKind.BAD_PHOTO: "photo",
    ErrorKind.NETWORK: "no_signal",
    ErrorKind.BUSY: "hourglass",
    ErrorKind.TIMEOUT: "clock",
    ErrorKind.SERVER: "warning",
    ErrorKind.CAMERA: "camera",
}


class ErrorScreen(Screen):
    """`dismissed` fires on OK or when the countdown runs out; the camera screen has no countdown."""

    dismissed = Signal()
    back = Signal()  # the camera screen's way out to attract while the camera stays away

    def __init__(self, strings, parent=None) -> None:
        super().__init__(strings, parent)
        self.kind = ErrorKind.SERVER
        self.symbol = IconView(base_size=150)
        self.title = make_label(role="title")
        self.body = make_label(role="body")
        self.returning = make_label(role="small")
        self.ok_button = make_button("", primary=True)
        self.ok_button.clicked.connect(self._dismiss)
        self.back_button = make_button("")
        self.back_button.clicked.connect(self._back)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 60, 80, 60)
        layout.addStretch(1)
        layout.addWidget(self.symbol)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addSpacing(48)
        layout.addLayout(buttons)
        layout.addWidget(self.returning)
        layout.addStretch(1)
        self._deadline = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._tick)

    def show_error(self, kind: ErrorKind, seconds: float) -> None:
        self.kind = kind
        self.retranslate()
        self._timer.stop()
        waits_for_camera = kind is ErrorKind.CAMERA
        self.ok_button.setVisible(not waits_for_camera)
        self.back_button.setVisible(waits_for_camera)
        self.returning.setVisible(not waits_for_camera)
        if not waits_for_camera:
            self._deadline = time.monotonic() + seconds
            self._tick()
            self._timer.start()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.symbol.set_scale(self.unit())
        super().resizeEvent(event)

    def stop(self) -> None:
        self._timer.stop()

    def enter(self, context) -> None:
        self.show_error(context.error, context.config.booth.error_seconds)

    def leave(self) -> None:
        self.stop()

    def retranslate(self) -> None:
        self.symbol.set_icon(ICON_NAMES[self.kind])
        self.title.setText(self.strings.get(f"error.{self.kind.value}.title"))
        self.body.setText(self.strings.get(f"error.{self.kind.value}.body"))
        self.ok_button.setText(self.strings.get("error.back"))
        self.back_button.setText(self.strings.get("preview.back"))

    def _tick(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            self._dismiss()
            return
        self.returning.setText(self.strings.get("error.returning", n=math.ceil(left)))

    def key_tap(self) -> bool:
        if self.kind is ErrorKind.CAMERA:
            self._back()
        else:
            self._dismiss()
        return True

    def _back(self) -> None:
        self._timer.stop()
        self.back.emit()

    def _dismiss(self) -> None:
        self._timer.stop()
        self.dismissed.emit()
