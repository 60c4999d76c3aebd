"""The take-home corner of the result screen: a QR code to the attendee's share page and the Print button.

It only shows what the window tells it (the share link, the print state); printing itself happens in the
print thread, so a tap here never waits for a printer.
"""

from __future__ import annotations

import time
from datetime import datetime
from enum import Enum

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

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
        self.print_note = make_label(role="small")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addStretch(1)
        layout.addWidget(self.qr, 3)
        layout.addWidget(self.caption)
        layout.addWidget(self.expiry)
        layout.addSpacing(12)
        layout.addWidget(self.print_button)
        layout.addWidget(self.print_note)
        layout.addStretch(1)
        self.retranslate()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        # A code a phone reads from a step away: as wide as the panel, up to half its height.
        self.qr.setMinimumHeight(max(100, min(self.width(), self.height() // 2)))
        super().resizeEvent(event)

    @property
    def has_content(self) -> bool:
        return self.url is not None or self.print_state is not PrintState.HIDDEN

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
        self.print_note.setVisible(state is not PrintState.HIDDEN)
        self.print_button.setEnabled(state in (PrintState.READY, PrintState.SENT))
        labels = {
            PrintState.READY: text("result.print"),
            PrintState.SENDING: text("result.printing"),
            PrintState.SENT: text("result.print_again"),
            PrintState.USED_UP: text("result.printed"),
            PrintState.PAUSED: text("result.print"),
        }
        notes = {
            PrintState.SENT: text("result.print_sent"),
            PrintState.USED_UP: text("result.print_sent"),
            PrintState.PAUSED: text("result.print_paused"),
        }
        self.print_button.setText(labels.get(state, ""))
        self.print_note.setText(notes.get(state, ""))
