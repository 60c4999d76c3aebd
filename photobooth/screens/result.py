"""Result: the animated strip (young -> old -> young, crossfading, ages written), a still row of every
frame, which engine made it, a QR code when the backend gives a public URL, and where it was saved."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from photobooth.images import to_qimage
from photobooth.screens.common import ACCENT, TEXT, Screen, draw_cover, make_button, make_label
from photobooth.screens.crossfade import CrossfadeView
from photobooth.screens.share_panel import SharePanel


class StillRow(QWidget):
    """Every frame, each with its label under it, in `columns` columns (all in one row when 0)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._frames: list[tuple[str, QPixmap]] = []
        self.columns = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(80)

    def set_frames(self, frames: list[tuple[str, QPixmap]]) -> None:
        self._frames = frames
        self.update()

    def set_columns(self, columns: int) -> None:
        self.columns = columns
        self.update()

    def label_px(self) -> int:
        """The labels' pixel size: 32 px at 1080p at least, so "Age 55" reads from a step away."""
        window = self.window()
        return max(14, round(34 * min(window.width(), window.height()) / 1080))

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        if not self._frames:
            return
        count = len(self._frames)
        columns = min(count, self.columns or count)
        rows = -(-count // columns)
        gap = max(6, self.width() // 90)
        label_px = self.label_px()
        label_h = round(label_px * 1.5)
        size = self._frames[0][1].size()
        aspect = max(size.width(), 1) / max(size.height(), 1)  # photo frames keep their own shape
        side = int(min(
            (self.width() - gap * (columns - 1)) / (columns * aspect),
            (self.height() - rows * label_h - gap * (rows - 1)) / rows,
        ))
        if side <= 0:
            return
        cell = int(side * aspect)  # a frame's width; `side` its height
        x0 = (self.width() - (cell * columns + gap * (columns - 1))) // 2
        y0 = (self.height() - (rows * (side + label_h) + gap * (rows - 1))) // 2
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        font = QFont(painter.font())
        font.setPixelSize(label_px)
        font.setBold(True)
        painter.setFont(font)
        for position, (label, pixmap) in enumerate(self._frames):
            column, row = position % columns, position // columns
            x = x0 + column * (cell + gap)
            y = y0 + row * (side + label_h + gap)
            draw_cover(painter, QRect(x, y, cell, side), pixmap)
            painter.setPen(QColor(ACCENT if position else TEXT))
            painter.drawText(QRectF(x, y + side, cell, label_h), Qt.AlignmentFlag.AlignCenter, label)
        painter.end()


class ResultScreen(Screen):
    """In landscape the animated strip fills the left and the stills, words and buttons the right, so the
    whole width is used; in portrait they stack. `actions` is the row of buttons (Done, and any added
    beside it); `side` is the take-home panel (the share QR code, the Print button)."""

    done = Signal()

    def __init__(self, strings, parent=None) -> None:
        super().__init__(strings, parent)
        self.outcome = None
        self.saved = False
        self.title = make_label(role="title")
        self.strip = CrossfadeView(self)
        self.side = SharePanel(strings, self)
        self.engine = make_label(role="small")
        self.row = StillRow(self)
        self.done_button = make_button("", primary=True)
        self.done_button.clicked.connect(self.done)
        self.actions = QHBoxLayout()
        self.actions.addStretch(1)
        self.actions.addWidget(self.side.print_button)  # hidden unless staff turned printing on
        self.actions.addWidget(self.done_button)
        self.actions.addStretch(1)
        panel = QVBoxLayout()
        panel.setContentsMargins(0, 0, 0, 0)
        panel.addWidget(self.row, 3)
        panel.addWidget(self.side, 2)
        panel.addWidget(self.engine)
        panel.addLayout(self.actions)
        self.panel = QWidget(self)
        self.panel.setLayout(panel)
        self.middle = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.middle.addWidget(self.strip, 3)
        self.middle.addWidget(self.panel, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 20, 32, 24)
        layout.addWidget(self.title)
        layout.addLayout(self.middle, 1)
        self.retranslate()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        portrait = self.height() > self.width()
        self.middle.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        self.middle.setStretch(0, 5 if portrait else 3)
        self.row.set_columns(0 if portrait else 3)
        # The strip is square: in portrait, height beyond its width would only be empty bands.
        self.strip.setMaximumHeight(self.width() if portrait else 16777215)
        super().resizeEvent(event)

    def _label(self, age: int | None) -> str:
        return self.strings.get("result.now") if age is None else self.strings.get("result.age", age=age)

    def show_outcome(self, outcome) -> None:
        """`outcome` is a JobOutcome whose frames carry PIL images, and maybe a share link."""
        self.outcome = outcome
        self.saved = False
        pixmaps = [
            (frame.age, QPixmap.fromImage(frame.display or to_qimage(frame.image)))
            for frame in outcome.frames
        ]
        aged = sorted((item for item in pixmaps if item[0] is not None), key=lambda item: item[0])
        self.strip.set_frames([(self._label(age), pixmap) for age, pixmap in aged] or pixmaps)
        self.row.set_frames([(self._label(age), pixmap) for age, pixmap in pixmaps])
        self.side.show_share(outcome.share_url, outcome.share_expires_at)
        self.side.setVisible(self.side.has_content)
        self.retranslate()

    def enter(self, context) -> None:
        self.show_outcome(context.outcome)

    def set_print_state(self, state, copies_left: int = 0) -> None:
        self.side.set_print_state(state, copies_left)
        self.side.setVisible(self.side.has_content)

    def key_tap(self) -> bool:
        self.done.emit()
        return True

    def set_saved(self) -> None:
        self.saved = True
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.strings.get("result.title"))
        self.side.set_strings(self.strings)
        engine = getattr(self.outcome, "engine", "")
        parts = [self.strings.get("result.engine", engine=engine)] if engine else []
        if self.saved:
            parts.append(self.strings.get("result.saved"))
        self.engine.setText("  ·  ".join(parts))
        self.done_button.setText(self.strings.get("result.done"))
