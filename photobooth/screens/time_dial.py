"""A clock face whose hands sweep round while the time machine works: the processing screen must visibly
move for the whole wait, or attendees think the booth has frozen. Runs only while it is shown."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from photobooth.screens.common import ACCENT, TEXT

#: Seconds for the long hand's lap; the short hand goes twelve times slower, like years past the hours.
LAP_S = 2.0


class TimeDial(QWidget):
    def __init__(self, parent=None, fps: int = 30) -> None:
        super().__init__(parent)
        self._started = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setInterval(round(1000 / fps))
        self._timer.timeout.connect(self.update)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(120)

    def set_scale(self, unit: float) -> None:
        self.setFixedHeight(max(60, round(140 * unit)))

    def angle(self) -> float:
        """The long hand's angle in degrees, clockwise from twelve, for now."""
        return (time.monotonic() - self._started) / LAP_S * 360.0 % 360.0

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._timer.stop()
        super().hideEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        side = min(self.width(), self.height()) - 8
        centre = QPointF(self.width() / 2, self.height() / 2)
        radius = side / 2
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(ACCENT), max(2.0, radius / 12)))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(QRectF(centre.x() - radius, centre.y() - radius, side, side))
        ticks = QPen(QColor(TEXT), max(1.5, radius / 20))
        ticks.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(ticks)
        for hour in range(12):
            a = math.radians(hour * 30)
            inner, outer = radius * 0.72, radius * 0.84
            painter.drawLine(
                QPointF(centre.x() + inner * math.sin(a), centre.y() - inner * math.cos(a)),
                QPointF(centre.x() + outer * math.sin(a), centre.y() - outer * math.cos(a)),
            )
        long_angle = math.radians(self.angle())
        short_angle = long_angle / 12
        for angle, length, width in ((short_angle, 0.45, radius / 9), (long_angle, 0.68, radius / 14)):
            pen = QPen(QColor(ACCENT), max(2.0, width))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.drawLine(
                centre,
                QPointF(
                    centre.x() + radius * length * math.sin(angle),
                    centre.y() - radius * length * math.cos(angle),
                ),
            )
        painter.end()
