"""Kiosk mode fills the screen by itself (no window manager needed) and autostart restarts a crash."""

from __future__ import annotations

import configparser

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from photobooth import kiosk


def test_kiosk_window_takes_the_screens_geometry_frameless_on_top_without_cursor(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(400, 300)
    try:
        kiosk.show_kiosk(window)
        screen = window.screen()
        assert window.geometry() == screen.geometry()
        flags = window.windowFlags()
        assert flags & Qt.WindowType.FramelessWindowHint and flags & Qt.WindowType.WindowStaysOnTopHint
        assert QApplication.overrideCursor().shape() is Qt.CursorShape.BlankCursor
    finally:
        QApplication.restoreOverrideCursor()


def test_systemd_unit_restarts_on_failure_and_keeps_the_display(tmp_path):
    command = ["/opt/booth/bin/python", "-m", "photobooth", "--fullscreen"]
    path = kiosk.install_autostart("systemd", tmp_path, command, environ={"DISPLAY": ":0"})
    assert path == tmp_path / "systemd" / "user" / kiosk.UNIT_NAME
    unit = configparser.ConfigParser(strict=False)
    unit.read_string(path.read_text())
    assert unit["Service"]["ExecStart"] == "/opt/booth/bin/python -m photobooth --fullscreen"
    assert unit["Service"]["Restart"] == "on-failure"
    assert unit["Service"]["Environment"] == "DISPLAY=:0"


def test_xdg_autostart_entry_restarts_the_booth_in_a_loop(tmp_path):
    path = kiosk.install_autostart("xdg", tmp_path, ["/usr/bin/time-traveler-booth", "--fullscreen"], {})
    entry = configparser.ConfigParser(interpolation=None)
    entry.read_string(path.read_text())
    exec_line = entry["Desktop Entry"]["Exec"]
    assert exec_line.startswith("sh -c ") and "until /usr/bin/time-traveler-booth --fullscreen" in exec_line
    assert path.parent.name == "autostart"


def test_the_booth_command_names_this_installation():
    command = kiosk.booth_command()
    assert command[-1] == "--fullscreen" and "photobooth" in command


def test_install_autostart_is_one_command(tmp_path, monkeypatch, capsys):
    from photobooth.__main__ import main

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert main(["--install-autostart", "xdg"]) == 0
    assert (tmp_path / "autostart" / kiosk.DESKTOP_NAME).exists()
    assert "autostart written" in capsys.readouterr().out
