"""Icons drawn with QPainter, so they look the same on every machine.

Emoji and symbol characters (hourglass, warning sign, backspace…) are missing from many fonts and show up
as an empty box; lines and shapes need no font. Each icon is drawn in a 100x100 box scaled to the target.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from photobooth.screens.common import ACCENT


def _pen(painter: QPainter, color: QColor, width: float = 7.0) -> None:
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)


def _dot(painter: QPainter, color: QColor, x: float, y: float, r: float) -> None:
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawEllipse(QPointF(x, y), r, r)
    painter.restore()


def _question(painter: QPainter, color: QColor, x: float, y: float, size: float) -> None:
    """A question mark of height `size` with its top-left at (x, y)."""
    _pen(painter, color, size * 0.14)
    path = QPainterPath()
    path.moveTo(x + size * 0.05, y + size * 0.25)
    path.arcTo(QRectF(x + size * 0.05, y, size * 0.5, size * 0.5), 180, -250)
    path.lineTo(x + size * 0.3, y + size * 0.72)
    painter.drawPath(path)
    _dot(painter, color, x + size * 0.3, y + size * 0.93, size * 0.08)


def _face(p: QPainter, c: QColor) -> None:
    _pen(p, c)
    p.drawEllipse(QRectF(8, 18, 64, 64))
    _dot(p, c, 29, 43, 5)
    _dot(p, c, 51, 43, 5)
    p.drawLine(QPointF(28, 64), QPointF(52, 64))
    _question(p, c, 70, 4, 34)


def _warning(p: QPainter, c: QColor) -> None:
    _pen(p, c)
    path = QPainterPath()
    path.moveTo(50, 8)
    path.lineTo(94, 88)
    path.lineTo(6, 88)
    path.closeSubpath()
    p.drawPath(path)
    _pen(p, c, 9)
    p.drawLine(QPointF(50, 36), QPointF(50, 62))
    _dot(p, c, 50, 76, 5)


def _photo(p: QPainter, c: QColor) -> None:
    _pen(p, c)
    p.drawRoundedRect(QRectF(8, 18, 84, 64), 8, 8)
    _dot(p, c, 70, 36, 7)
    hills = QPainterPath()
    hills.moveTo(14, 76)
    hills.lineTo(38, 46)
    hills.lineTo(56, 66)
    hills.lineTo(66, 56)
    hills.lineTo(86, 76)
    p.drawPath(hills)
    _pen(p, c, 8)
    p.drawLine(QPointF(12, 92), QPointF(88, 8))  # crossed out


def _no_signal(p: QPainter, c: QColor) -> None:
    _pen(p, c)
    for radius in (16, 30, 44):
        p.drawArc(QRectF(50 - radius, 78 - radius, 2 * radius, 2 * radius), 45 * 16, 90 * 16)
    _dot(p, c, 50, 78, 6)
    _pen(p, c, 8)
    p.drawLine(QPointF(14, 14), QPointF(86, 90))


def _hourglass(p: QPainter, c: QColor) -> None:
    _pen(p, c)
    p.drawLine(QPointF(20, 8), QPointF(80, 8))
    p.drawLine(QPointF(20, 92), QPointF(80, 92))
    glass = QPainterPath()
    glass.moveTo(28, 8)
    glass.cubicTo(28, 40, 46, 44, 46, 50)
    glass.cubicTo(46, 56, 28, 60, 28, 92)
    glass.moveTo(72, 8)
    glass.cubicTo(72, 40, 54, 44, 54, 50)
    glass.cubicTo(54, 56, 72, 60, 72, 92)
    p.drawPath(glass)
    sand = QPainterPath()
    sand.moveTo(36, 88)
    sand.quadTo(50, 66, 64, 88)
    sand.closeSubpath()
    sand.moveTo(38, 26)
    sand.lineTo(62, 26)
    sand.quadTo(54, 40, 50, 44)
    sand.quadTo(46, 40, 38, 26)
    p.save()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawPath(sand)
    p.restore()


def _clock(p: QPainter, c: QColor) -> None:
    _pen(p, c)
    p.drawEllipse(QRectF(8, 8, 84, 84))
    for hour in range(12):
        angle = hour * math.pi / 6
        inner = 34 if hour % 3 else 30
        p.drawPoint(QPointF(50 + inner * math.sin(angle), 50 - inner * math.cos(angle)))
    p.drawLine(QPointF(50, 50), QPointF(50, 24))
    p.drawLine(QPointF(50, 50), QPointF(68, 60))


def _camera(p: QPainter, c: QColor) -> None:
    _pen(p, c)
    body = QPainterPath()
    body.addRoundedRect(QRectF(6, 28, 88, 58), 10, 10)
    p.drawPath(body)
    p.drawLine(QPointF(34, 28), QPointF(40, 16))
    p.drawLine(QPointF(40, 16), QPointF(60, 16))
    p.drawLine(QPointF(60, 16), QPointF(66, 28))
    p.drawEllipse(QPointF(50, 57), 17, 17)
    _dot(p, c, 80, 40, 4)


def _backspace(p: QPainter, c: QColor) -> None:
    _pen(p, c)
    shape = QPainterPath()
    shape.moveTo(30, 20)
    shape.lineTo(92, 20)
    shape.lineTo(92, 80)
    shape.lineTo(30, 80)
    shape.lineTo(6, 50)
    shape.closeSubpath()
    p.drawPath(shape)
    p.drawLine(QPointF(48, 36), QPointF(74, 64))
    p.drawLine(QPointF(74, 36), QPointF(48, 64))


ICONS = {
    "face": _face,
    "warning": _warning,
    "photo": _photo,
    "no_signal": _no_signal,
    "hourglass": _hourglass,
    "clock": _clock,
    "camera": _camera,
    "backspace": _backspace,
}


def paint_icon(painter: QPainter, rect: QRectF, name: str, color: QColor | str = ACCENT) -> None:
    """Draw icon `name` centred in `rect`, as large as fits (square)."""
    side = min(rect.width(), rect.height())
    if side <= 0:
        return
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate(rect.center().x() - side / 2, rect.center().y() - side / 2)
    painter.scale(side / 100, side / 100)
    ICONS[name](painter, QColor(color))
    painter.restore()


def icon_image(name: str, size: int, color: QColor | str = ACCENT) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    paint_icon(painter, QRectF(0, 0, size, size), name, color)
    painter.end()
    return image


def make_icon(name: str, size: int = 128, color: QColor | str = ACCENT) -> QIcon:
    """A QIcon for buttons."""
    return QIcon(QPixmap.fromImage(icon_image(name, size, color)))


class IconView(QWidget):
    """A drawn icon that scales with the window (`unit` is the screen's 1080p scale)."""

    def __init__(self, name: str = "warning", base_size: int = 120, parent=None) -> None:
        super().__init__(parent)
        self.name = name
        self.base_size = base_size
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(base_size)

    def set_icon(self, name: str) -> None:
        if name not in ICONS:
            raise KeyError(f"no icon named {name!r}")
        self.name = name
        self.update()

    def set_scale(self, unit: float) -> None:
        self.setFixedHeight(max(48, round(self.base_size * unit)))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(self.height(), self.height())

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        paint_icon(painter, QRectF(self.rect()), self.name)
        painter.end()
