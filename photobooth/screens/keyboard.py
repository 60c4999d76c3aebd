"""An on-screen keyboard for the staff settings: a touchscreen booth has no physical keyboard, and every
text field (backend URL, API key, ages, output folder, PIN) must still be editable by touch.

It types into whichever line edit has the focus (`attach` follows the focus); its keys never take the
focus themselves. Only the characters those fields need: letters, digits and URL/path punctuation.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QWidget

from photobooth.screens.common import make_button

ROWS = ("1234567890", "qwertyuiop", "asdfghjkl:", "zxcvbnm,./", "-_~?=&%@")


class TouchKeyboard(QWidget):
    done = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.target: QLineEdit | None = None
        self.shifted = False
        self.keys: dict[str, object] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        for row, letters in enumerate(ROWS):
            for column, letter in enumerate(letters):
                button = self._key(letter, lambda _=False, k=letter: self.type(self._cased(k)))
                self.keys[letter] = button
                grid.addWidget(button, row, column)
        self.shift_button = self._key("Shift", self._toggle_shift)
        self.shift_button.setCheckable(True)
        self.space_button = self._key("Space", lambda: self.type(" "))
        self.backspace_button = self._key("Del", self.backspace)
        self.done_button = self._key("OK", self.done.emit)
        self.done_button.setProperty("primary", True)
        last = len(ROWS)
        grid.addWidget(self.shift_button, last - 1, 8)
        grid.addWidget(self.backspace_button, last - 1, 9)
        grid.addWidget(self.space_button, last, 0, 1, 8)
        grid.addWidget(self.done_button, last, 8, 1, 2)

    def _key(self, text: str, action) -> object:
        button = make_button(self._label(text))
        button.setProperty("compact", True)
        button.setProperty("key", True)  # narrower than other buttons: ten keys fit a portrait screen
        button.clicked.connect(action)
        return button

    @staticmethod
    def _label(text: str) -> str:
        return text.replace("&", "&&")  # a lone & would be taken as a shortcut marker and not shown

    def _cased(self, letter: str) -> str:
        return letter.upper() if self.shifted else letter

    def _toggle_shift(self) -> None:
        self.shifted = not self.shifted
        for letter, button in self.keys.items():
            button.setText(self._label(self._cased(letter)))

    def attach(self, widget) -> None:
        """Type into `widget` from now on if it is a line edit (called as the focus moves)."""
        if isinstance(widget, QLineEdit) and widget.isEnabled():
            self.target = widget

    def type(self, text: str) -> None:
        if self.target is not None:
            self.target.insert(text)  # the field's validator still applies (the PIN takes digits only)

    def backspace(self) -> None:
        if self.target is not None:
            self.target.backspace()


def keep_focus_out(keyboard: TouchKeyboard) -> None:
    """Keys must never steal the focus from the field being edited."""
    for button in keyboard.findChildren(QWidget):
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
