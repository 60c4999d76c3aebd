"""Review: the photo just taken, with Retake and Go; Go happens by itself after a few seconds.

When the backend's engine judges the sitter's age from the face (classic), the screen also asks "Who is
in the photo?" (Child / Adult / Senior). Answering is optional: no answer lets the engine judge.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from booth_core.sitter import SITTERS
from photobooth.screens.common import PictureView, Screen, make_button, make_label

#: Engines (as `/health` names them) that judge the sitter's age from the face, so a hint can help them.
SITTER_ENGINES = frozenset({"classic"})


def asks_sitter(health: dict) -> bool:
    """True when the backend's last /health says its engine would use the attendee's answer."""
    return health.get("engine") in SITTER_ENGINES


class ReviewScreen(Screen):
    retake = Signal()
    go = Signal()

    def __init__(self, strings, parent=None, clock=time.monotonic) -> None:
        super().__init__(strings, parent)
        self.clock = clock  # seconds, monotonic (tests pass their own to drive the auto-go without waiting)
        self.title = make_label(role="title")
        self.picture = PictureView(self)
        self.auto = make_label(role="small")
        self.retake_button = make_button("")
        self.go_button = make_button("", primary=True)
        self.retake_button.clicked.connect(self._retake)
        self.go_button.clicked.connect(self._go)
        self.sitter_row = QWidget(self)
        self.sitter_label = make_label(role="small")
        self.sitter_buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout(self.sitter_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        row.addWidget(self.sitter_label)
        for sitter in SITTERS:
            button = make_button("")
            button.setCheckable(True)
            button.clicked.connect(lambda _checked, sitter=sitter: self._answer(sitter))
            self.sitter_buttons[sitter] = button
            row.addWidget(button)
        row.addStretch(1)
        self.sitter_row.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.retake_button)
        buttons.addStretch(1)
        buttons.addWidget(self.go_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(self.title)
        layout.addWidget(self.picture, 1)
        layout.addWidget(self.sitter_row)
        layout.addWidget(self.auto)
        layout.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._tick)
        self._deadline = 0.0
        self._auto_go_seconds = 0.0
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.strings.get("review.title"))
        self.retake_button.setText(self.strings.get("review.retake"))
        self.go_button.setText(self.strings.get("review.go"))
        self.sitter_label.setText(self.strings.get("review.sitter"))
        for sitter, button in self.sitter_buttons.items():
            button.setText(self.strings.get(f"review.sitter.{sitter}"))

    @property
    def sitter(self) -> str | None:
        """The attendee's answer (one of SITTERS), or None: not asked, or not answered."""
        if self.sitter_row.isHidden():
            return None
        return next((sitter for sitter, button in self.sitter_buttons.items() if button.isChecked()), None)

    def ask_sitter(self, ask: bool) -> None:
        """Show or hide the question; either way the previous answer is forgotten."""
        for button in self.sitter_buttons.values():
            button.setChecked(False)
        self.sitter_row.setVisible(ask)

    def show_photo(self, image: QImage, auto_go_seconds: float) -> None:
        self.picture.set_image(image)
        self._auto_go_seconds = auto_go_seconds
        self._restart_countdown()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def enter(self, context) -> None:
        self.ask_sitter(asks_sitter(context.health))
        self.show_photo(context.photo, context.config.booth.review_seconds)

    def leave(self) -> None:
        self.stop()

    def _restart_countdown(self) -> None:
        self._deadline = self.clock() + self._auto_go_seconds
        self._tick()

    def _answer(self, sitter: str) -> None:
        """One answer at most; tapping the chosen one again takes it back. The attendee is busy: wait."""
        for other, button in self.sitter_buttons.items():
            if other != sitter:
                button.setChecked(False)
        if self._timer.isActive():
            self._restart_countdown()

    def _tick(self) -> None:
        left = self._deadline - self.clock()
        if left <= 0:
            self._go()
            return
        self.auto.setText(self.strings.get("review.auto", n=math.ceil(left)))

    def key_tap(self) -> bool:
        self._go()
        return True

    def _retake(self) -> None:
        self.stop()
        self.retake.emit()

    def _go(self) -> None:
        self.stop()
        self.go.emit()
