"""The live camera picture with a face guide; paints the newest frame, scaled to fill, nothing else."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from photobooth.screens.common import ACCENT, contain_rect, draw_text_box


class CameraView(QWidget):
    tapped = Signal()
    resized = Signal(int, int)  # the camera worker scales frames to this size

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self.waiting_text = ""
        self.guide = True
        self.frames_painted = 0
        self._overlay: tuple[tuple, QPixmap] | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 160)

    def set_frame(self, image: QImage) -> None:
        self._image = image
        if self.isVisible():
            self.update()

    def clear(self) -> None:
        self._image = None
        self.update()

    @property
    def has_frame(self) -> bool:
        return self._image is not None

    def image_rect(self) -> QRectF:
        """Where the camera picture goes: the whole frame, fitted (what you see is what is photographed)."""
        if self._image is None:
            return QRectF(self.rect())
        return contain_rect(self._image.size(), self.rect())

    def guide_rect(self) -> QRectF:
        """The oval a face should fill: about 40% of the picture's short side wide, 3:4 tall."""
        area = self.image_rect()
        side = min(area.width(), area.height())
        width, height = side * 0.42, side * 0.56
        return QRectF(
            area.center().x() - width / 2, area.center().y() - height / 2 - side * 0.02, width, height
        )

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.resized.emit(self.width(), self.height())
        super().resizeEvent(event)

    def _guide_overlay(self, area: QRectF) -> QPixmap:
        """The shade around the oval and its dashed outline, drawn once per size (painting is per frame)."""
        key = (self.width(), self.height(), area.getRect())
        if self._overlay is None or self._overlay[0] != key:
            pixmap = QPixmap(self.size())
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            oval = self.guide_rect()
            shade = QPainterPath()
            shade.addRect(area)
            hole = QPainterPath()
            hole.addEllipse(oval)
            painter.fillPath(shade.subtracted(hole), QColor(0, 0, 0, 110))
            pen = QPen(QColor(ACCENT), max(3.0, min(self.width(), self.height()) / 160))
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(oval)
            painter.end()
            self._overlay = (key, pixmap)
        return self._overlay[1]

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.tapped.emit()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#05070b"))
        if self._image is None:
            draw_text_box(
                painter, self.rect(), self.waiting_text, max(16, min(self.width(), self.height()) // 18)
            )
            painter.end()
            return
        area = self.image_rect()
        if abs(area.width() - self._image.width()) < 1.5 and abs(area.height() - self._image.height()) < 1.5:
            painter.drawImage(area.topLeft(), self._image)  # already screen-sized by the worker: a plain blit
        else:
            painter.drawImage(area, self._image, QRectF(self._image.rect()))
        self.frames_painted += 1
        if self.guide:
            painter.drawPixmap(0, 0, self._guide_overlay(area))
        self.paint_overlay(painter)
        painter.end()

    def paint_overlay(self, painter: QPainter) -> None:
        """Screens add their own layer (the countdown number) by subclassing."""
