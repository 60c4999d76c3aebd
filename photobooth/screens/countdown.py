"""Countdown: 3-2-1 over the live picture, then a white flash while the photo is taken."""

from __future__ import annotations

import time

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QVBoxLayout

from photobooth.screens.camera_view import CameraView
from photobooth.screens.common import ACCENT, Screen


class CountdownView(CameraView):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.number = ""
        self.flash = 0.0

    def paint_overlay(self, painter: QPainter) -> None:
        if self.number:
            font = QFont(painter.font())
            font.setPixelSize(max(40, int(min(self.width(), self.height()) * 0.45)))
            font.setBold(True)
            # "Smile!" (or a longer translation) must fit across a narrow portrait screen too.
            wide = QFontMetricsF(font).horizontalAdvance(self.number)
            room = self.width() * 0.9
            if wide > room:
                font.setPixelSize(max(24, int(font.pixelSize() * room / wide)))
            painter.setFont(font)
            painter.setPen(QColor(0, 0, 0, 140))
            painter.drawText(QRectF(self.rect()).translated(6, 6), Qt.AlignmentFlag.AlignCenter, self.number)
            painter.setPen(QColor(ACCENT))
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, self.number)
        if self.flash > 0:
            painter.fillRect(self.rect(), QColor(255, 255, 255, round(255 * self.flash)))


class CountdownScreen(Screen):
    """ "Smile!" shows at zero, `shoot` fires a beat later (take the photo now: people smile when told to,
    not at the instant the word appears); `finished` after the flash has faded."""

    #: The beat between "Smile!" and the shutter, as a share of one countdown step.
    SMILE_BEAT = 0.7

    shoot = Signal()
    finished = Signal()

    def __init__(self, strings, parent=None, flash_ms: int = 350) -> None:
        super().__init__(strings, parent)
        self.flash_ms = flash_ms
        self.camera = CountdownView(self)
        self.camera.guide = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.camera)
        self._tick = QTimer(self)
        self._tick.timeout.connect(self._step)
        self._beat = QTimer(self)
        self._beat.setSingleShot(True)
        self._beat.timeout.connect(self._fire)
        self._fade = QTimer(self)
        self._fade.setInterval(16)
        self._fade.timeout.connect(self._fade_step)
        self._remaining = 0
        self._flash_started = 0.0

    def begin(self, seconds: int, tick_ms: int = 1000) -> None:
        self._remaining = max(0, int(seconds))
        self.camera.flash = 0.0
        self._tick.setInterval(max(1, tick_ms))
        self._beat.setInterval(max(1, round(tick_ms * self.SMILE_BEAT)))
        self._show_number()
        if self._remaining == 0:
            self._beat.start()
        else:
            self._tick.start()

    def stop(self) -> None:
        self._tick.stop()
        self._beat.stop()
        self._fade.stop()
        self.camera.flash = 0.0

    def show_frame(self, image) -> None:
        self.camera.set_frame(image)

    def enter(self, context) -> None:
        self.begin(context.config.booth.countdown_seconds, context.countdown_tick_ms)

    def leave(self) -> None:
        self.stop()
        self.camera.clear()

    def _show_number(self) -> None:
        self.camera.number = str(self._remaining) if self._remaining else self.strings.get("countdown.smile")
        self.camera.update()

    def _step(self) -> None:
        self._remaining -= 1
        self._show_number()
        if self._remaining <= 0:
            self._tick.stop()
            self._beat.start()

    def _fire(self) -> None:
        self.shoot.emit()
        self.camera.flash = 1.0
        self._flash_started = time.monotonic()
        self._fade.start()

    def _fade_step(self) -> None:
        progress = (time.monotonic() - self._flash_started) * 1000 / max(1, self.flash_ms)
        self.camera.flash = max(0.0, 1.0 - progress)
        self.camera.update()
        if progress >= 1.0:
            self._fade.stop()
            self.finished.emit()
