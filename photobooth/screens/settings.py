"""Staff settings: backend URL and key, ages, camera, countdown, idle timeout, output folder, language, PIN.

The screen edits a copy of the config; `saved(Config)` hands the new one to the app, which writes the
TOML file and applies it. Bad values stay on screen with a message instead of being saved.
"""

from __future__ import annotations

import copy
from urllib.parse import urlsplit

from PySide6.QtCore import QEvent, QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from booth_core.ages import parse_ages
from photobooth.camera_sources import camera_sources
from photobooth.config import DEFAULT_STAFF_PIN, MIN_PIN_DIGITS, Config
from photobooth.screens.common import Screen, make_button, make_label
from photobooth.screens.confirm import Confirm
from photobooth.screens.keyboard import TouchKeyboard, keep_focus_out
from photobooth.strings import LANGUAGE_NAMES, LANGUAGES, Strings

#: The local service's engine upgrade states (docs/job_service.md) in which it is under way (Stop applies).
UPGRADE_RUNNING = {"downloading", "verifying", "loading"}


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
    test_connection = Signal(str, str)  # url, api key: the app asks the network worker
    upgrade_requested = Signal(str)  # "start" or "stop" the local service's engine upgrade

    def __init__(self, strings, parent=None) -> None:
        super().__init__(strings, parent)
        self.config = Config()
        self.title = make_label(role="title")
        self.status = make_label(role="small")
        self.today = make_label(role="small")  # photos and prints today, the printer's state
        self.message = make_label(role="body")
        self.url = QLineEdit()
        self.test_button = make_button("")
        self.test_button.setProperty("compact", True)
        self.test_button.clicked.connect(self._test_connection)
        url_row = QWidget()
        url_layout = QHBoxLayout(url_row)
        url_layout.setContentsMargins(0, 0, 0, 0)
        url_layout.addWidget(self.url, 1)
        url_layout.addWidget(self.test_button)
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        self.ages = QLineEdit()
        self.camera = QLineEdit()
        self.camera_button = make_button("")
        self.camera_button.setProperty("compact", True)  # as tall as the text fields (still >= 15 mm)
        self.camera_button.clicked.connect(self.toggle_camera_list)
        self.camera_list = QListWidget()  # cameras and media to pick by touch (no file dialog)
        self.camera_list.itemClicked.connect(self._camera_picked)
        self.camera_list.hide()
        camera_row = QWidget()
        camera_box = QVBoxLayout(camera_row)
        camera_box.setContentsMargins(0, 0, 0, 0)
        camera_line = QHBoxLayout()
        camera_line.addWidget(self.camera, 1)
        camera_line.addWidget(self.camera_button)
        camera_box.addLayout(camera_line)
        camera_box.addWidget(self.camera_list)
        self.countdown = Stepper(0, 10)
        self.idle = Stepper(5, 3600, step=5)
        self.output = QLineEdit()
        self.language = Choice({code: LANGUAGE_NAMES.get(code, code) for code in sorted(LANGUAGES)})
        self.pin = QLineEdit()  # masked, digits only, empty keeps the PIN; never shown in clear
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,12}"), self.pin))
        self.must_change_pin = False
        self.print_enabled = Choice({"off": "", "on": ""})
        self.slideshow = Choice({"off": "", "on": ""})
        self.form = QFormLayout()
        self.fields = [
            ("settings.backend_url", url_row),
            ("settings.api_key", self.api_key),
            ("settings.ages", self.ages),
            ("settings.camera", camera_row),
            ("settings.countdown", self.countdown),
            ("settings.idle", self.idle),
            ("settings.output", self.output),
            ("settings.language", self.language),
            ("settings.pin", self.pin),
            ("settings.print", self.print_enabled),
            ("settings.slideshow", self.slideshow),
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
        self.upgrade_label = make_label(role="small", align=Qt.AlignmentFlag.AlignLeft)
        self.upgrade_bar = QProgressBar()
        self.upgrade_bar.setRange(0, 1000)
        self.upgrade_bar.setTextVisible(False)
        self.upgrade_button = make_button("")
        self.upgrade_button.setProperty("compact", True)
        self.upgrade_button.clicked.connect(self._upgrade_clicked)
        self.upgrade_action = "start"
        upgrade_row = QHBoxLayout()
        upgrade_text = QVBoxLayout()
        upgrade_text.addWidget(self.upgrade_label)
        upgrade_text.addWidget(self.upgrade_bar)
        upgrade_row.addLayout(upgrade_text, 1)
        upgrade_row.addWidget(self.upgrade_button)
        self.upgrade_panel = QWidget()
        self.upgrade_panel.setLayout(upgrade_row)
        self.upgrade_panel.hide()
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.today)
        layout.addWidget(self.upgrade_panel)
        layout.addWidget(scroll, 1)
        self.keyboard = TouchKeyboard()  # every text field is editable by touch
        keep_focus_out(self.keyboard)
        self.keyboard.done.connect(self.keyboard.hide)
        self.keyboard.hide()
        for field in (self.url, self.api_key, self.ages, self.camera, self.output, self.pin):
            field.installEventFilter(self)
        layout.addWidget(self.keyboard)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.retranslate()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        """A text field touched (or focused): the on-screen keyboard types into it."""
        if event.type() in (QEvent.Type.FocusIn, QEvent.Type.MouseButtonPress) and watched.isEnabled():
            self.keyboard.attach(watched)
            self.keyboard.show()
        return False

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
        self.camera_list.hide()
        self.keyboard.hide()
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
        self.print_enabled.setCurrentText("on" if config.booth.print_enabled else "off")
        self.slideshow.setCurrentText("on" if config.booth.slideshow else "off")
        self.status.setText(self.strings.get("settings.status", backend=backend or "-", engine=engine or "-"))
        self.message.setText(
            ""
            if shown == config.booth.language
            else self.strings.get("settings.language_missing", code=config.booth.language)
        )
        # First use: the PIN everyone could look up must go before anything else can be changed.
        self.must_change_pin = config.booth.staff_pin == DEFAULT_STAFF_PIN
        for _key, widget in self.fields:
            widget.setEnabled(widget is self.pin or not self.must_change_pin)
        self.quit_button.setEnabled(not self.must_change_pin)
        if self.must_change_pin:
            self.message.setText(self.strings.get("settings.new_pin", n=MIN_PIN_DIGITS))

    def show_status(self, status, health: dict | None = None) -> None:
        """The staff status (photobooth.status.BoothStatus), one line each, and any engine upgrade."""
        self.status.setText("\n".join(status.lines(self.strings)))
        self.show_upgrade((health or {}).get("upgrade"))

    def enter(self, context) -> None:
        self.load(context.config, context.backend, context.health.get("engine", ""))
        if context.status is not None:
            self.show_status(context.status(), context.health)
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
        config.booth.print_enabled = self.print_enabled.currentText() == "on"
        config.booth.slideshow = self.slideshow.currentText() == "on"
        return config

    def set_staff_info(self, text: str) -> None:
        self.today.setText(text)

    def toggle_camera_list(self) -> None:
        """Show the cameras and media to pick from (a booth without a webcam, or a demo), or hide them."""
        if self.camera_list.isVisible():
            self.camera_list.hide()
            return
        self.camera_list.clear()
        for label, spec in camera_sources():
            self.camera_list.addItem(label)
            self.camera_list.item(self.camera_list.count() - 1).setData(Qt.ItemDataRole.UserRole, spec)
        rows = min(6, self.camera_list.count())
        self.camera_list.setFixedHeight(rows * (self.camera_list.sizeHintForRow(0) + 2) + 8)
        self.camera_list.show()

    def _camera_picked(self, item) -> None:
        self.camera.setText(item.data(Qt.ItemDataRole.UserRole))
        self.camera_list.hide()

    def _test_connection(self) -> None:
        url = self.url.text().strip()
        parts = urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.hostname):
            self.message.setText(self.strings.get("settings.bad_url"))
            return
        self.message.setText(self.strings.get("settings.testing"))
        self.test_connection.emit(url, self.api_key.text().strip())

    def show_connection(self, ok: bool, words: str, health: dict) -> None:
        """The network worker's answer to "test connection"."""
        if ok:
            self.message.setText(self.strings.get("settings.connection_ok", engine=health.get("engine", "?")))
        else:
            self.message.setText(self.strings.get("settings.connection_failed", error=words))

    def show_upgrade(self, upgrade: dict | None) -> None:
        """The local service's engine upgrade from /health's optional `upgrade` object, or none."""
        if not isinstance(upgrade, dict) or not upgrade.get("state"):
            self.upgrade_panel.hide()
            return
        state = str(upgrade.get("state"))
        progress = upgrade.get("progress")
        words = self.strings.get("settings.upgrade", engine=upgrade.get("engine", "sam"), state=state)
        if upgrade.get("detail"):
            words += f": {upgrade['detail']}"
        self.upgrade_label.setText(words)
        known = isinstance(progress, (int, float)) and not isinstance(progress, bool)
        self.upgrade_bar.setVisible(known)
        if known:
            self.upgrade_bar.setValue(round(max(0.0, min(1.0, float(progress))) * 1000))
        self.upgrade_action = "stop" if state in UPGRADE_RUNNING else "start"
        self.upgrade_button.setText(self.strings.get(f"settings.upgrade_{self.upgrade_action}"))
        self.upgrade_button.setVisible(state != "ready")
        self.upgrade_panel.show()

    def _upgrade_clicked(self) -> None:
        self.upgrade_requested.emit(self.upgrade_action)

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
        self.camera_button.setText(self.strings.get("settings.choose_camera"))
        self.test_button.setText(self.strings.get("settings.test"))
        for choice in (self.print_enabled, self.slideshow):
            for code, button in choice.buttons.items():
                button.setText(self.strings.get(f"settings.{code}"))
        self.save_button.setText(self.strings.get("settings.save"))
        self.cancel_button.setText(self.strings.get("settings.cancel"))
        self.quit_button.setText(self.strings.get("settings.quit"))
        self.quit_confirm.set_texts(
            self.strings.get("settings.quit_ask"),
            self.strings.get("settings.quit_yes"),
            self.strings.get("settings.quit_no"),
        )
