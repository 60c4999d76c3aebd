"""Result: the animated strip (young -> old -> young, crossfading, ages written), a still row of every
frame, which engine made it, a QR code when the backend gives a public URL, and where it was saved."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from photobooth.qr import qr_image
from photobooth.screens.common import ACCENT, MUTED, PictureView, Screen, draw_cover, make_button, make_label
from photobooth.screens.crossfade import CrossfadeView


class StillRow(QWidget):
    """All frames side by side, each with its label under it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._frames: list[tuple[str, QPixmap]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(80)

    def set_frames(self, frames: list[tuple[str, QPixmap]]) -> None:
        self._frames = frames
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        if not self._frames:
            return
        count = len(self._frames)
        gap = max(4, self.width() // 120)
        label_h = max(14, self.height() // 6)
        size = self._frames[0][1].size()
        aspect = max(size.width(), 1) / max(size.height(), 1)  # photo frames keep their shape
        side = int(min((self.width() - gap * (count - 1)) / (count * aspect), self.height() - label_h))
        cell = int(side * aspect)
        x0 = (self.width() - (cell * count + gap * (count - 1))) // 2
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        font = QFont(painter.font())
        font.setPixelSize(max(10, int(label_h * 0.7)))
        painter.setFont(font)
        for position, (label, pixmap) in enumerate(self._frames):
            x = x0 + position * (cell + gap)
            draw_cover(painter, QRect(x, 0, cell, side), pixmap)
            painter.setPen(QColor(ACCENT if position else MUTED))
            painter.drawText(QRectF(x, side, cell, label_h), Qt.AlignmentFlag.AlignCenter, label)
        painter.end()


class ResultScreen(Screen):
    done = Signal()

    def __init__(self, strings, parent=None) -> None:
        super().__init__(strings, parent)
        self.outcome = None
        self.saved_name = ""
        self.title = make_label(role="title")
        self.strip = CrossfadeView(self)
        self.qr = PictureView(self)
        self.qr_caption = make_label(role="small")
        self.engine = make_label(role="small")
        self.row = StillRow(self)
        self.done_button = make_button("", primary=True)
        self.done_button.clicked.connect(self.done)
        side = QVBoxLayout()
        side.addStretch(1)
        side.addWidget(self.qr, 2)
        side.addWidget(self.qr_caption)
        side.addStretch(1)
        self.side = QWidget(self)
        self.side.setLayout(side)
        self.middle = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.middle.addWidget(self.strip, 3)
        self.middle.addWidget(self.side, 1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.done_button)
        bottom.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 20, 32, 24)
        layout.addWidget(self.title)
        layout.addLayout(self.middle, 5)
        layout.addWidget(self.row, 1)
        layout.addWidget(self.engine)
        layout.addLayout(bottom)
        self.retranslate()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        portrait = self.height() > self.width()
        self.middle.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        super().resizeEvent(event)

    def _label(self, age: int | None) -> str:
        return self.strings.get("result.now") if age is None else self.strings.get("result.age", age=age)

    def show_outcome(self, outcome, qr: QImage | None = None) -> None:
        """`outcome` is a JobOutcome whose frames carry PIL images; `qr` the share code if there is one."""
        self.outcome = outcome
        self.saved_name = ""
        pixmaps = [
            (frame.age, QPixmap.fromImage(frame.display or pil_to_qimage(frame.image)))
            for frame in outcome.frames
        ]
        aged = sorted((item for item in pixmaps if item[0] is not None), key=lambda item: item[0])
        self.strip.set_frames([(self._label(age), pixmap) for age, pixmap in aged] or pixmaps)
        self.row.set_frames([(self._label(age), pixmap) for age, pixmap in pixmaps])
        self.qr.set_image(qr)
        self.side.setVisible(qr is not None)
        self.retranslate()

    def enter(self, context) -> None:
        url = getattr(context.outcome, "share_url", None)
        self.show_outcome(context.outcome, qr_image(url) if url else None)

    def set_saved(self, name: str) -> None:
        self.saved_name = name
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.strings.get("result.title"))
        self.qr_caption.setText(self.strings.get("result.qr"))
        engine = getattr(self.outcome, "engine", "")
        parts = [self.strings.get("result.engine", engine=engine)] if engine else []
        if self.saved_name:
            parts.append(self.strings.get("result.saved", name=self.saved_name))
        self.engine.setText("  ·  ".join(parts))
        self.done_button.setText(self.strings.get("result.done"))


def pil_to_qimage(image) -> QImage:
    """An RGB PIL image as a QImage that owns its pixels."""
    rgb = image.convert("RGB")
    data = rgb.tobytes()
    return QImage(data, rgb.width, rgb.height, 3 * rgb.width, QImage.Format.Format_RGB888).copy()
