"""A square picture that plays its frames young -> old -> young, crossfading, each with its label.

Used by the attract loop and the result. The timer runs only while the widget is visible, so hidden
screens cost nothing.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from photobooth.screens.common import ACCENT, contain_rect, draw_cover, draw_text_box


def bounce_order(count: int) -> list[int]:
    """0, 1, ..., n-1, n-2, ..., 1: one lap of a ping-pong loop (then it starts again at 0)."""
    return list(range(count)) + list(range(count - 2, 0, -1))


class CrossfadeView(QWidget):
    def __init__(self, parent=None, hold_ms: int = 900, fade_ms: int = 450, fps: int = 30) -> None:
        super().__init__(parent)
        self.hold_ms, self.fade_ms = hold_ms, fade_ms
        self._frames: list[tuple[str, QPixmap]] = []
        self._order: list[int] = []
        self._started = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setInterval(round(1000 / fps))
        self._timer.timeout.connect(self.update)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(120, 120)

    def set_frames(self, frames: list[tuple[str, QImage | QPixmap]]) -> None:
        self._frames = [
            (label, item if isinstance(item, QPixmap) else QPixmap.fromImage(item)) for label, item in frames
        ]
        self._order = bounce_order(len(self._frames))
        self._started = time.monotonic()
        self.update()

    def position(self) -> tuple[int, int, float]:
        """(frame shown, frame coming, blend 0..1) for now."""
        if not self._order:
            return 0, 0, 0.0
        step = self.hold_ms + self.fade_ms
        elapsed = (time.monotonic() - self._started) * 1000
        lap = int(elapsed // step)
        into = elapsed - lap * step
        current = self._order[lap % len(self._order)]
        upcoming = self._order[(lap + 1) % len(self._order)]
        blend = 0.0 if into < self.hold_ms else (into - self.hold_ms) / max(1, self.fade_ms)
        return current, upcoming, blend

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._timer.stop()
        super().hideEvent(event)

    def picture_rect(self) -> QRect:
        """The largest rectangle in the frames' own aspect (a whole photo, or a square face crop)."""
        if not self._frames:
            side = min(self.width(), self.height())
            return QRect((self.width() - side) // 2, (self.height() - side) // 2, side, side)
        return contain_rect(self._frames[0][1].size(), self.rect()).toRect()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        if not self._frames:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.picture_rect()
        current, upcoming, blend = self.position()
        draw_cover(painter, rect, self._frames[current][1])
        if blend > 0:
            painter.setOpacity(blend)
            draw_cover(painter, rect, self._frames[upcoming][1])
            painter.setOpacity(1.0)
        painter.setPen(QColor(ACCENT))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        label = self._frames[upcoming if blend > 0.5 else current][0]
        if label:
            size = max(14, rect.height() // 11)
            band = QRect(rect.x(), rect.bottom() - size * 2, rect.width(), size * 2)
            draw_text_box(painter, band, label, size)
        painter.end()
