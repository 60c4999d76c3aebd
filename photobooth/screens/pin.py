"""The staff PIN pad: big digit buttons; the digits typed are shown as dots."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout

from photobooth.screens.common import TEXT, Screen, make_button, make_label
from photobooth.screens.icons import make_icon


class PinScreen(Screen):
    accepted = Signal()
    cancelled = Signal()

    def __init__(self, strings, pin: str, parent=None) -> None:
        super().__init__(strings, parent)
        self.pin = pin
        self.entered = ""
        self.title = make_label(role="title")
        self.dots = make_label(role="huge")
        self.message = make_label(role="body")
        grid = QGridLayout()
        self.digit_buttons = {}
        for position, digit in enumerate("123456789"):
            button = make_button(digit)
            button.clicked.connect(lambda _=False, d=digit: self.press(d))
            grid.addWidget(button, position // 3, position % 3)
            self.digit_buttons[digit] = button
        self.back_button = make_button("")  # a drawn icon: the backspace glyph is missing from many fonts
        self.back_button.setIcon(make_icon("backspace", color=TEXT))
        self.back_button.setAccessibleName("Delete")
        self.back_button.clicked.connect(self._backspace)
        zero = make_button("0")
        zero.clicked.connect(lambda: self.press("0"))
        self.digit_buttons["0"] = zero
        self.ok_button = make_button("", primary=True)
        self.ok_button.clicked.connect(self.submit)
        grid.addWidget(self.back_button, 3, 0)
        grid.addWidget(zero, 3, 1)
        grid.addWidget(self.ok_button, 3, 2)
        self.cancel_button = make_button("")
        self.cancel_button.clicked.connect(self._cancel)
        pad = QHBoxLayout()
        pad.addStretch(1)
        pad.addLayout(grid)
        pad.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 40, 40, 40)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.dots)
        layout.addWidget(self.message)
        layout.addLayout(pad)
        layout.addSpacing(20)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self.retranslate()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        side = round(56 * self.unit())
        self.back_button.setIconSize(QSize(side, side))
        super().resizeEvent(event)

    def reset(self, pin: str | None = None) -> None:
        if pin is not None:
            self.pin = pin
        self.entered = ""
        self.message.setText("")
        self._refresh()

    def enter(self, context) -> None:
        self.reset(context.config.booth.staff_pin)

    def press(self, digit: str) -> None:
        if len(self.entered) < 12:
            self.entered += digit
        self.message.setText("")
        self._refresh()

    def submit(self) -> None:
        if self.entered and self.entered == self.pin:
            self.entered = ""
            self._refresh()
            self.accepted.emit()
        else:
            self.entered = ""
            self.message.setText(self.strings.get("pin.wrong"))
            self._refresh()

    def _backspace(self) -> None:
        self.entered = self.entered[:-1]
        self._refresh()

    def _cancel(self) -> None:
        self.reset()
        self.cancelled.emit()

    def _refresh(self) -> None:
        self.dots.setText("•" * len(self.entered) or " ")

    def retranslate(self) -> None:
        self.title.setText(self.strings.get("pin.title"))
        self.ok_button.setText(self.strings.get("pin.ok"))
        self.cancel_button.setText(self.strings.get("pin.cancel"))
        self._refresh()
