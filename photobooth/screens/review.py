"""Review: the photo just taken, with Retake and Go; Go happens by itself after a few seconds.

Where the backend's engine judges the sitter's age from the face (booth_core.sitter.JUDGING_ENGINES), a row
of big toggles asks "Who is in the photo?": optional, so no tap costs nothing, and the review's pause is
where the attendee looks at the photo anyway (why: docs/classic.md, "Asking the attendee")."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QVBoxLayout, QWidget

from booth_core.sitter import JUDGING_ENGINES, SITTERS
from photobooth.screens.common import PictureView, Screen, make_button, make_label


class ReviewScreen(Screen):
    retake = Signal()
    go = Signal()

    def __init__(self, strings, parent=None, clock=time.monotonic) -> None:
        super().__init__(strings, parent)
        self.clock = clock  # monotonic seconds; tests pass their own to drive the auto-go without waiting
        self.title = make_label(role="title")
        self.picture = PictureView(self)
        self.auto = make_label(role="small")
        self.retake_button = make_button("")
        self.go_button = make_button("", primary=True)
        self.retake_button.clicked.connect(self._retake)
        self.go_button.clicked.connect(self._go)
        self.sitter_row = QWidget(self)
        self.sitter_label = make_label(role="small")
        self.sitter_buttons = {sitter: make_button("") for sitter in SITTERS}
        self._sitters = QButtonGroup(self)
        self._sitters.setExclusive(False)  # exclusive by hand, so a second tap can take an answer back
        self.sitter_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column = QVBoxLayout(self.sitter_row)  # the question over its answers, centred under the photo
        column.setContentsMargins(0, 8, 0, 16)
        column.addWidget(self.sitter_label)
        row = QHBoxLayout()
        row.setSpacing(16)  # three separate targets, not one bar
        row.addStretch(1)
        for sitter, button in self.sitter_buttons.items():
            button.setCheckable(True)
            button.setObjectName(f"sitter_{sitter}")
            self._sitters.addButton(button)
            row.addWidget(button)
        row.addStretch(1)
        column.addLayout(row)
        self._sitters.buttonClicked.connect(self._answered)
        buttons = QHBoxLayout()
        buttons.addWidget(self.retake_button)
        buttons.addStretch(1)
        buttons.addWidget(self.go_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(self.title)
        layout.addWidget(self.picture, 1)
        layout.addWidget(self.sitter_row)  # the question right under the photo it is about
        layout.addWidget(self.auto)  # the countdown next to the Go it will press
        layout.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._tick)
        self._deadline = 0.0
        self._review_seconds = 0.0
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
        """The answer given for this photo ("child", "adult", "senior"), or None."""
        if self.sitter_row.isHidden():
            return None
        return next((s for s, button in self.sitter_buttons.items() if button.isChecked()), None)

    def show_photo(self, image: QImage, auto_go_seconds: float) -> None:
        self.picture.set_image(image)
        self._review_seconds = auto_go_seconds
        self._deadline = self.clock() + auto_go_seconds
        self._tick()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def enter(self, context) -> None:
        for button in self.sitter_buttons.values():
            button.setChecked(False)  # every photo starts unanswered
        self.sitter_row.setVisible(context.health.get("engine") in JUDGING_ENGINES)
        self.show_photo(context.photo, context.config.booth.review_seconds)

    def leave(self) -> None:
        self.stop()

    def _tick(self) -> None:
        left = self._deadline - self.clock()
        if left <= 0:
            self._go()
            return
        self.auto.setText(self.strings.get("review.auto", n=math.ceil(left)))

    def key_tap(self) -> bool:
        self._go()
        return True

    def _answered(self, button) -> None:
        """One answer at most; a tap on the chosen one takes it back. Either way the attendee is here, so
        the countdown starts again."""
        for other in self.sitter_buttons.values():
            if other is not button:
                other.setChecked(False)
        self._deadline = self.clock() + self._review_seconds
        self._tick()

    def _retake(self) -> None:
        self.stop()
        self.retake.emit()

    def _go(self) -> None:
        self.stop()
        self.go.emit()
