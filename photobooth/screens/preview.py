"""Preview: the attendee sees themself (mirrored, like a mirror), a face guide, and what happens to the photo."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from booth_core.limits import DEFAULT_RETENTION_HOURS
from photobooth.screens.camera_view import CameraView
from photobooth.screens.common import Screen, make_button, make_label


class PreviewScreen(Screen):
    start = Signal()
    back = Signal()

    def __init__(self, strings, parent=None) -> None:
        super().__init__(strings, parent)
        self.retention_seconds = DEFAULT_RETENTION_HOURS * 3600.0
        self.hint = make_label(role="big")
        self.camera = CameraView(self)
        self.camera.tapped.connect(self.start)
        self.consent = make_label(role="small")
        self.back_button = make_button("")
        self.start_button = make_button("", primary=True)
        self.back_button.clicked.connect(self.back)
        self.start_button.clicked.connect(self.start)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(self.hint)
        layout.addWidget(self.camera, 1)
        layout.addWidget(self.consent)
        layout.addLayout(buttons)
        self.retranslate()

    def set_retention(self, seconds: float) -> None:
        self.retention_seconds = seconds
        self.retranslate()

    def enter(self, context) -> None:
        self.set_retention(context.retention_seconds)
        if context.new_visit:
            self.camera.clear()  # never a glimpse of the previous attendee

    def show_frame(self, image) -> None:
        self.camera.set_frame(image)

    def key_tap(self) -> bool:
        self.start.emit()
        return True

    def retranslate(self) -> None:
        self.hint.setText(self.strings.get("preview.hint"))
        self.consent.setText(
            self.strings.get("consent.kept", duration=self.strings.duration(self.retention_seconds))
        )
        self.back_button.setText(self.strings.get("preview.back"))
        self.start_button.setText(self.strings.get("preview.start"))
        self.camera.waiting_text = self.strings.get("preview.waiting")
