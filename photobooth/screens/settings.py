"""Staff settings: backend URL and key, ages, camera, countdown, idle timeout, output folder, language, PIN.

The screen edits a copy of the config; `saved(Config)` hands the new one to the app, which writes the
TOML file and applies it. Bad values stay on screen with a message instead of being saved.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inference_container.ages import parse_ages
from photobooth.config import Config
from photobooth.screens.common import Screen, make_button, make_label
from photobooth.strings import LANGUAGES


class SettingsScreen(Screen):
    saved = Signal(object)  # Config
    closed = Signal()
    quit_requested = Signal()

    def __init__(self, strings, parent=None) -> None:
        super().__init__(strings, parent)
        self.config = Config()
        self.title = make_label(role="title")
        self.status = make_label(role="small")
        self.message = make_label(role="body")
        self.url = QLineEdit()
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        self.ages = QLineEdit()
        self.camera = QLineEdit()
        self.countdown = QSpinBox()
        self.countdown.setRange(0, 10)
        self.idle = QSpinBox()
        self.idle.setRange(5, 3600)
        self.output = QLineEdit()
        self.language = QComboBox()
        self.language.addItems(sorted(LANGUAGES))
        self.pin = QLineEdit()
        self.form = QFormLayout()
        self.fields = [
            ("settings.backend_url", self.url),
            ("settings.api_key", self.api_key),
            ("settings.ages", self.ages),
            ("settings.camera", self.camera),
            ("settings.countdown", self.countdown),
            ("settings.idle", self.idle),
            ("settings.output", self.output),
            ("settings.language", self.language),
            ("settings.pin", self.pin),
        ]
        self.field_labels = []
        for _key, widget in self.fields:
            label = make_label(role="small", align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            self.field_labels.append(label)
            self.form.addRow(label, widget)
        form_widget = QWidget()
        form_widget.setLayout(self.form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_widget)
        self.save_button = make_button("", primary=True)
        self.cancel_button = make_button("")
        self.quit_button = make_button("")
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.closed)
        self.quit_button.clicked.connect(self.quit_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.quit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.retranslate()

    def load(self, config: Config, backend: str = "", engine: str = "") -> None:
        self.config = copy.deepcopy(config)
        self.url.setText(config.backend.url)
        self.api_key.setText(config.backend.api_key)
        self.ages.setText(",".join(str(age) for age in config.booth.ages))
        self.camera.setText(config.booth.camera)
        self.countdown.setValue(int(config.booth.countdown_seconds))
        self.idle.setValue(int(config.booth.idle_timeout_seconds))
        self.output.setText(config.booth.output_dir)
        self.language.setCurrentText(config.booth.language)
        self.pin.setText(config.booth.staff_pin)
        self.status.setText(self.strings.get("settings.status", backend=backend or "-", engine=engine or "-"))
        self.message.setText("")

    def read(self) -> Config:
        """The config as the form says; ValueError with a message for staff when a field is bad."""
        config = copy.deepcopy(self.config)
        try:
            ages = parse_ages(self.ages.text())
        except ValueError as error:
            raise ValueError(self.strings.get("settings.bad_ages", error=error)) from None
        config.backend.url = self.url.text().strip()
        config.backend.api_key = self.api_key.text().strip()
        config.booth.ages = ages
        config.booth.camera = self.camera.text().strip() or "0"
        config.booth.countdown_seconds = self.countdown.value()
        config.booth.idle_timeout_seconds = float(self.idle.value())
        config.booth.output_dir = self.output.text().strip() or config.booth.output_dir
        config.booth.language = self.language.currentText()
        config.booth.staff_pin = self.pin.text().strip() or config.booth.staff_pin
        return config

    def save(self) -> None:
        try:
            config = self.read()
        except ValueError as error:
            self.message.setText(str(error))
            return
        self.saved.emit(config)

    def retranslate(self) -> None:
        self.title.setText(self.strings.get("settings.title"))
        for label, (key, _widget) in zip(self.field_labels, self.fields, strict=True):
            label.setText(self.strings.get(key))
        self.save_button.setText(self.strings.get("settings.save"))
        self.cancel_button.setText(self.strings.get("settings.cancel"))
        self.quit_button.setText(self.strings.get("settings.quit"))
