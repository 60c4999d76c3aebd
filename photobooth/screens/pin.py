"""The staff PIN pad: big digit buttons; the digits typed are shown as dots. After `MAX_TRIES` wrong PINs
in a row the pad locks for `LOCKOUT_S` seconds (each further lockout twice as long), so a passer-by cannot
try PINs until one works; the lockout outlives leaving the screen."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout

from photobooth.screens.common import TEXT, Screen, make_button, make_label
from photobooth.screens.icons import make_icon

MAX_TRIES = 5
LOCKOUT_S = 60.0


class PinScreen(Screen):
    accepted = Signal()
    cancelled = Signal()

    def __init__(self, strings, pin: str, parent=None, clock=time.monotonic) -> None:
        super().__init__(strings, parent)
        self.pin = pin
        self.entered = ""
        self.clock = clock
        self.wrong_tries = 0
        self.lockouts = 0
        self.locked_until = 0.0
        self._lock_timer = QTimer(self)
        self._lock_timer.setInterval(250)
        self._lock_timer.timeout.connect(self._refresh_lock)
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
        self._refresh_lock()

    def enter(self, context) -> None:
        self.reset(context.config.booth.staff_pin)

    def leave(self) -> None:
        self._lock_timer.stop()

    @property
    def locked(self) -> bool:
        return self.clock() < self.locked_until

    def press(self, digit: str) -> None:
        if self.locked:
            return
        if len(self.entered) < 12:
            self.entered += digit
        self.message.setText("")
        self._refresh()

    def submit(self) -> None:
        if self.locked:
            return
        if self.entered and self.entered == self.pin:
            self.entered = ""
            self.wrong_tries = 0
            self._refresh()
            self.accepted.emit()
            return
        self.entered = ""
        self.wrong_tries += 1
        self._refresh()
        if self.wrong_tries >= MAX_TRIES:
            self.wrong_tries = 0
            self.locked_until = self.clock() + LOCKOUT_S * 2**self.lockouts
            self.lockouts += 1
            self._refresh_lock()
        else:
            self.message.setText(self.strings.get("pin.wrong", left=MAX_TRIES - self.wrong_tries))

    def _refresh_lock(self) -> None:
        """Digits and OK disabled with a countdown while locked; enabled again when the time is up."""
        locked = self.locked
        for button in (*self.digit_buttons.values(), self.ok_button, self.back_button):
            button.setEnabled(not locked)
        if locked:
            left = math.ceil(self.locked_until - self.clock())
            self.message.setText(self.strings.get("pin.locked", n=left))
            if not self._lock_timer.isActive():
                self._lock_timer.start()
        elif self._lock_timer.isActive():
            self._lock_timer.stop()
            self.message.setText("")

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
