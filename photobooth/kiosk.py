"""Kiosk mode: a window that really fills the screen, and an autostart that brings the booth back.

`showFullScreen()` alone asks the window manager, and a bare X server (no window manager) or a small
kiosk manager ignores the request, leaving a small window in a corner. So the window is also made
frameless and on top and given the screen's geometry itself, and follows it when the screen changes
(a rotated or replugged display). Under a Wayland kiosk compositor (cage) the compositor sizes the one
window and maps touch to it; the same calls are harmless there.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

UNIT_NAME = "time-traveler-booth.service"
DESKTOP_NAME = "time-traveler-booth.desktop"


def show_kiosk(window: QWidget) -> None:
    """Full screen on the window's screen, frameless, on top, no cursor."""
    window.setWindowFlags(
        window.windowFlags() | Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
    )
    screen = window.screen() or QApplication.primaryScreen()
    QApplication.setOverrideCursor(Qt.CursorShape.BlankCursor)
    if screen is not None:
        window.setGeometry(screen.geometry())
        screen.geometryChanged.connect(window.setGeometry)
    window.showFullScreen()
    if screen is not None:  # some managers move or shrink it on show: set it once more
        window.setGeometry(screen.geometry())


def booth_command() -> list[str]:
    """How to start this very installation in kiosk mode (the bundle's executable, or this Python)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--fullscreen"]
    return [sys.executable, "-m", "photobooth", "--fullscreen"]


def systemd_unit(command: list[str], environment: dict[str, str]) -> str:
    lines = [
        "[Unit]",
        "Description=Time Traveler photobooth kiosk",
        "After=graphical-session.target",
        "",
        "[Service]",
        f"ExecStart={shlex.join(command)}",
        "Restart=on-failure",
        "RestartSec=3",
        *(f"Environment={key}={value}" for key, value in sorted(environment.items())),
        "",
        "[Install]",
        "WantedBy=graphical-session.target default.target",
        "",
    ]
    return "\n".join(lines)


def desktop_entry(command: list[str]) -> str:
    # XDG autostart cannot restart on a crash by itself; a shell loop does, with a pause between tries.
    loop = f"until {shlex.join(command)}; do sleep 3; done"
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            "Name=Time Traveler photobooth",
            f"Exec=sh -c {shlex.quote(loop)}",
            "X-GNOME-Autostart-enabled=true",
            "NoDisplay=true",
            "",
        ]
    )


def install_autostart(kind: str, config_home: Path, command: list[str], environ=None) -> Path:
    """Write a systemd user unit (restart on failure) or an XDG autostart entry; returns the file."""
    environ = os.environ if environ is None else environ
    if kind == "systemd":
        path = config_home / "systemd" / "user" / UNIT_NAME
        display = {
            key: environ[key] for key in ("DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY") if environ.get(key)
        }
        text = systemd_unit(command, display)
    elif kind == "xdg":
        path = config_home / "autostart" / DESKTOP_NAME
        text = desktop_entry(command)
    else:
        raise ValueError(f"unknown autostart kind {kind!r} (systemd or xdg)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def default_kind() -> str:
    return "systemd" if shutil.which("systemctl") else "xdg"


def enable_systemd_unit() -> str:
    """Ask the user's systemd to start the unit from now on; returns words for the terminal."""
    for args in (["daemon-reload"], ["enable", UNIT_NAME]):
        result = subprocess.run(
            ["systemctl", "--user", *args], capture_output=True, text=True, timeout=30, check=False
        )
        if result.returncode != 0:
            return f"written, but `systemctl --user {' '.join(args)}` failed: {result.stderr.strip()}"
    return f"enabled: it starts with the graphical session (systemctl --user start {UNIT_NAME} to start now)"
