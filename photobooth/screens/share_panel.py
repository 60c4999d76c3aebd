"""The take-home part of the result screen: a QR code to the attendee's share page, and the Print button.

It only shows what the window tells it (the share link, the print state); printing itself happens in the
print thread, so a tap here never waits for a printer. The button belongs to the panel but the result
screen puts it in its row of buttons, beside Done; its words say how printing goes.
"""

from __future__ import annotations

import time
from datetime import datetime
from enum import Enum

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget

from photobooth.qr import qr_image
from photobooth.screens.common import PictureView, make_button, make_label


class PrintState(Enum):
    HIDDEN = "hidden"  # staff have not turned printing on
    READY = "ready"
    SENDING = "sending"
    SENT = "sent"  # and copies are left
    USED_UP = "used_up"  # the attendee's copies are printed
    PAUSED = "paused"  # printer trouble: staff are told, the attendee is not kept waiting


def seconds_until(iso_time: str | None, now: float | None = None) -> float | None:
    """Seconds from now to an ISO-8601 `...Z` time (the share field's `expires_at`); None if unreadable."""
    if not iso_time:
        return None
    try:
        moment = datetime.fromisoformat(iso_time.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
    return moment - (time.time() if now is None else now)


class SharePanel(QWidget):
    print_requested = Signal()

    def __init__(self, strings, parent=None) -> None:
        super().__init__(parent)
        self.strings = strings
        self.url: str | None = None
        self.expires_at: str | None = None
        self.print_state = PrintState.HIDDEN
        self.copies_left = 0
        self.qr = PictureView(self)
        self.caption = make_label(role="body")
        self.expiry = make_label(role="small")
        self.print_button = make_button("", primary=False)
        self.print_button.clicked.connect(self._print_clicked)
        words = QVBoxLayout()
        words.addStretch(1)
        words.addWidget(self.caption)
        words.addWidget(self.expiry)
        words.addStretch(1)
        self.layout_box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.layout_box.setContentsMargins(0, 0, 0, 0)
        self.layout_box.addWidget(self.qr, 1)
        self.layout_box.addLayout(words)
        self.retranslate()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        # A code a phone reads from a step away: at least a sixth of the window's short side.
        window = self.window()
        self.qr.setMinimumHeight(max(120, min(window.width(), window.height()) // 6))
        # On a portrait screen the words go beside the code, so the panel costs no more height than it.
        portrait = window.height() > window.width()
        self.layout_box.setDirection(
            QBoxLayout.Direction.LeftToRight if portrait else QBoxLayout.Direction.TopToBottom
        )
        super().resizeEvent(event)

    @property
    def has_content(self) -> bool:
        """Whether the panel (the QR code) has anything to show; the Print button shows on its own."""
        return self.url is not None

    def show_share(self, url: str | None, expires_at: str | None = None) -> None:
        self.url, self.expires_at = url, expires_at
        self.qr.set_image(qr_image(url) if url else None)
        self.retranslate()

    def set_print_state(self, state: PrintState, copies_left: int = 0) -> None:
        self.print_state, self.copies_left = state, copies_left
        self.retranslate()

    def _print_clicked(self) -> None:
        if self.print_state in (PrintState.READY, PrintState.SENT):
            self.print_requested.emit()

    def set_strings(self, strings) -> None:
        self.strings = strings
        self.retranslate()

    def retranslate(self) -> None:
        text = self.strings.get
        sharing = self.url is not None
        for widget in (self.qr, self.caption, self.expiry):
            widget.setVisible(sharing)
        self.caption.setText(text("result.qr"))
        left = seconds_until(self.expires_at)
        self.expiry.setText(
            text("result.qr_expires", duration=self.strings.duration(left)) if left and left > 0 else ""
        )
        state = self.print_state
        self.print_button.setVisible(state is not PrintState.HIDDEN)
        self.print_button.setEnabled(state in (PrintState.READY, PrintState.SENT))
        labels = {
            PrintState.READY: text("result.print"),
            PrintState.SENDING: text("result.printing"),
            PrintState.SENT: text("result.print_again"),
            PrintState.USED_UP: text("result.printed"),
            PrintState.PAUSED: text("result.print_paused"),
        }
        self.print_button.setText(labels.get(state, ""))
