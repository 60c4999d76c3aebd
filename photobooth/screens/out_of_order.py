"""Out of order: shown instead of the invitation while the camera or the backend stays down, so nobody
taps into an error. It invites nothing; the booth leaves it by itself when things answer again. The
staff corner still opens the PIN pad."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout

from photobooth.screens.common import Screen, StaffCorner, make_label
from photobooth.screens.icons import IconView


class OutOfOrderScreen(Screen):
    staff_gesture = Signal()

    def __init__(self, strings, parent=None) -> None:
        super().__init__(strings, parent)
        self.corner = StaffCorner()
        self.reasons: tuple[str, ...] = ()
        self.symbol = IconView("hourglass", base_size=180)
        self.title = make_label(role="title")
        self.body = make_label(role="body")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 60, 80, 60)
        layout.addStretch(1)
        layout.addWidget(self.symbol)
        layout.addSpacing(24)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addStretch(1)
        self.retranslate()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.symbol.set_scale(self.unit())
        super().resizeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.strings.get("out_of_order.title"))
        self.body.setText(self.strings.get("out_of_order.body"))

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.corner.tap(self, event.position())[1]:
            self.staff_gesture.emit()
