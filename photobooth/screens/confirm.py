"""An "are you sure?" row in place of a button that cannot be undone (Cancel a job, Quit the booth): one
stray tap must never throw away an attendee's pictures or close the kiosk."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from photobooth.screens.common import make_button, make_label


class Confirm(QWidget):
    """Hidden until `ask`; `confirmed` on Yes. Either answer hides it and shows the guarded button again."""

    confirmed = Signal()

    def __init__(self, guarded: QPushButton, parent=None) -> None:
        super().__init__(parent)
        self.guarded = guarded
        self.question = make_label(role="big")
        self.yes_button = make_button("", primary=True)
        self.no_button = make_button("")
        self.yes_button.clicked.connect(self._yes)
        self.no_button.clicked.connect(self.dismiss)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.no_button)
        buttons.addWidget(self.yes_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.question)
        layout.addLayout(buttons)
        self.hide()

    def set_texts(self, question: str, yes: str, no: str) -> None:
        self.question.setText(question)
        self.yes_button.setText(yes)
        self.no_button.setText(no)

    def ask(self) -> None:
        self.guarded.hide()
        self.show()

    def dismiss(self) -> None:
        self.hide()
        self.guarded.show()

    def _yes(self) -> None:
        self.dismiss()
        self.confirmed.emit()
