"""Staff settings: backend URL and key, ages, camera, countdown, idle timeout, output folder, language, PIN.

The screen edits a copy of the config; `saved(Config)` hands the new one to the app, which writes the
TOML file and applies it. Bad values stay on screen with a message instead of being saved.
"""

from __future__ import annotations

import copy
from urllib.parse import urlsplit

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from booth_core.ages import parse_ages
from photobooth.config import DEFAULT_STAFF_PIN, MIN_PIN_DIGITS, Config
from photobooth.screens.common import Screen, make_button, make_label
from photobooth.screens.confirm import Confirm
from photobooth.strings import LANGUAGE_NAMES, LANGUAGES, Strings

CAMERA_FILES = (
    "Videos and photos (*.mp4 *.avi *.mov *.mkv *.webm *.jpg *.jpeg *.png *.bmp *.webp);;All files (*)"
)


class Choice(QWidget):
    """One of a few options as toggle buttons side by side: a combo box's drop-down is fiddly by touch.

    `currentText()`/`setCurrentText(code)` speak in option codes, like the QComboBox this replaces.
    """

    def __init__(self, options: dict[str, str], parent=None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, object] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for code, name in options.items():
            button = make_button(name)
            button.setCheckable(True)
            button.setProperty("compact", True)
            self.group.addButton(button)
            self.buttons[code] = button
            layout.addWidget(button)
        layout.addStretch(1)
        if self.buttons:
            next(iter(self.buttons.values())).setChecked(True)

    def currentText(self) -> str:  # noqa: N802 - QComboBox's name
        return next((code for code, button in self.buttons.items() if button.isChecked()), "")

    def setCurrentText(self, code: str) -> None:  # noqa: N802 - QComboBox's name
        if code in self.buttons:
            self.buttons[code].setChecked(True)


class Stepper(QWidget):
    """A number with big − and + buttons: a spin box's arrows are far too small for a finger."""

    def __init__(self, minimum: int, maximum: int, step: int = 1, parent=None) -> None:
        super().__init__(parent)
        self.minimum, self.maximum, self.step = minimum, maximum, step
        self._value = minimum
        self.minus_button = make_button("-")
        self.plus_button = make_button("+")
        for button in (self.minus_button, self.plus_button):
            button.setProperty("stepper", True)
            button.setAutoRepeat(True)
        self.minus_button.clicked.connect(lambda: self.setValue(self._value - self.step))
        self.plus_button.clicked.connect(lambda: self.setValue(self._value + self.step))
        self.label = make_label(role="big", wrap=False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.minus_button)
        layout.addWidget(self.label)
        layout.addWidget(self.plus_button)
        layout.addStretch(1)
        self.setValue(minimum)

    def value(self) -> int:
        return self._value

    def setValue(self, value: int) -> None:  # noqa: N802 - same name as QSpinBox, which this replaces
        self._value = max(self.minimum, min(self.maximum, int(value)))
        self.label.setText(str(self._value))
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance(str(self.maximum)) + 24)
        self.minus_button.setEnabled(self._value > self.minimum)
        self.plus_button.setEnabled(self._value < self.maximum)


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
        self.camera_button = make_button("")
        self.camera_button.setProperty("compact", True)  # as tall as the text fields (still >= 15 mm)
        self.camera_button.clicked.connect(self.choose_camera_file)
        camera_row = QWidget()
        camera_layout = QHBoxLayout(camera_row)
        camera_layout.setContentsMargins(0, 0, 0, 0)
        camera_layout.addWidget(self.camera, 1)
        camera_layout.addWidget(self.camera_button)
        self.countdown = Stepper(0, 10)
        self.idle = Stepper(5, 3600, step=5)
        self.output = QLineEdit()
        self.language = Choice({code: LANGUAGE_NAMES.get(code, code) for code in sorted(LANGUAGES)})
        self.pin = QLineEdit()  # masked, digits only, empty keeps the PIN; never shown in clear
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,12}"), self.pin))
        self.must_change_pin = False
        self.form = QFormLayout()
        self.fields = [
            ("settings.backend_url", self.url),
            ("settings.api_key", self.api_key),
            ("settings.ages", self.ages),
            ("settings.camera", camera_row),
            ("settings.countdown", self.countdown),
            ("settings.idle", self.idle),
            ("settings.output", self.output),
            ("settings.language", self.language),
            ("settings.pin", self.pin),
        ]
        self.field_labels = []
        for _key, widget in self.fields:
            label = make_label(
                role="field", align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, wrap=False
            )
            self.field_labels.append(label)
            self.form.addRow(label, widget)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.form.setVerticalSpacing(18)
        self.form.setHorizontalSpacing(24)
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
        self.quit_confirm = Confirm(self.quit_button, self)  # quitting leaves the venue without a booth
        self.quit_button.clicked.connect(self.quit_confirm.ask)
        self.quit_confirm.confirmed.connect(self.quit_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.quit_confirm)
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

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        # Labels beside their fields in landscape, above them on a portrait screen (the fields get the width).
        portrait = self.width() < self.height() * 1.2
        self.form.setRowWrapPolicy(
            QFormLayout.RowWrapPolicy.WrapAllRows if portrait else QFormLayout.RowWrapPolicy.DontWrapRows
        )
        self.form.setVerticalSpacing(round((10 if portrait else 18) * self.unit()) + 4)
        super().resizeEvent(event)

    def load(self, config: Config, backend: str = "", engine: str = "") -> None:
        self.config = copy.deepcopy(config)
        self.quit_confirm.dismiss()
        self.url.setText(config.backend.url)
        self.api_key.setText(config.backend.api_key)
        self.ages.setText(",".join(str(age) for age in config.booth.ages))
        self.camera.setText(config.booth.camera)
        self.countdown.setValue(int(config.booth.countdown_seconds))
        self.idle.setValue(int(config.booth.idle_timeout_seconds))
        self.output.setText(config.booth.output_dir)
        shown = Strings(config.booth.language).language  # an unknown language is shown as what is used
        self.language.setCurrentText(shown)
        self.pin.setText("")
        self.pin.setPlaceholderText(self.strings.get("settings.pin_keep"))
        self.status.setText(self.strings.get("settings.status", backend=backend or "-", engine=engine or "-"))
        self.message.setText(
            "" if shown == config.booth.language
            else self.strings.get("settings.language_missing", code=config.booth.language)
        )
        # First use: the PIN everyone could look up must go before anything else can be changed.
        self.must_change_pin = config.booth.staff_pin == DEFAULT_STAFF_PIN
        for _key, widget in self.fields:
            widget.setEnabled(widget is self.pin or not self.must_change_pin)
        self.quit_button.setEnabled(not self.must_change_pin)
        if self.must_change_pin:
            self.message.setText(self.strings.get("settings.new_pin", n=MIN_PIN_DIGITS))
            self.pin.setFocus()

    def enter(self, context) -> None:
        self.load(context.config, context.backend, context.health.get("engine", ""))
        if context.problems:  # a bad settings file: staff see why the defaults are in use
            self.message.setText("\n".join(context.problems))

    def read(self) -> Config:
        """The config as the form says; ValueError with a message for staff when a field is bad."""
        config = copy.deepcopy(self.config)
        try:
            ages = parse_ages(self.ages.text())
        except ValueError as error:
            raise ValueError(self.strings.get("settings.bad_ages", error=error)) from None
        url = self.url.text().strip()
        parts = urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.hostname):
            raise ValueError(self.strings.get("settings.bad_url"))
        pin = self.pin.text().strip()
        if pin and (len(pin) < MIN_PIN_DIGITS or pin == DEFAULT_STAFF_PIN):
            raise ValueError(self.strings.get("settings.bad_pin", n=MIN_PIN_DIGITS))
        if self.must_change_pin and not pin:
            raise ValueError(self.strings.get("settings.new_pin", n=MIN_PIN_DIGITS))
        config.backend.url = url
        config.backend.api_key = self.api_key.text().strip()
        config.booth.ages = ages
        config.booth.camera = self.camera.text().strip() or "0"
        config.booth.countdown_seconds = self.countdown.value()
        config.booth.idle_timeout_seconds = float(self.idle.value())
        config.booth.output_dir = self.output.text().strip() or config.booth.output_dir
        config.booth.language = self.language.currentText()
        config.booth.staff_pin = pin or config.booth.staff_pin
        return config

    def choose_camera_file(self) -> None:
        """Pick a video or photo to use as the camera (a booth without a webcam, or a demo)."""
        path, _filter = QFileDialog.getOpenFileName(
            self, self.strings.get("settings.camera"), self.camera.text(), CAMERA_FILES
        )
        if path:
            self.camera.setText(path)

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
        self.camera_button.setText(self.strings.get("settings.choose_file"))
        self.save_button.setText(self.strings.get("settings.save"))
        self.cancel_button.setText(self.strings.get("settings.cancel"))
        self.quit_button.setText(self.strings.get("settings.quit"))
        self.quit_confirm.set_texts(
            self.strings.get("settings.quit_ask"),
            self.strings.get("settings.quit_yes"),
            self.strings.get("settings.quit_no"),
        )
