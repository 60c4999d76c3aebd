"""Kiosk input: Space and Enter act as a tap (a USB arcade button types them), and a tap meant for one
screen never lands on the next one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from photobooth.state import State
from tests.app.fake_backend import FakeBackend
from tests.app.test_flow import wait_state


def press_until(qtbot, window, key, state, timeout=5000):
    """Press `key` until the booth reaches `state` (presses right after a screen change are dropped)."""

    def pressed() -> bool:
        if window.machine.state is not state:
            qtbot.keyClick(window, key)
        return window.machine.state is state

    qtbot.waitUntil(pressed, timeout=timeout)


@pytest.mark.slow
def test_space_and_enter_walk_a_whole_visit(qtbot, booth):
    with FakeBackend("ok") as backend:
        window = booth(backend.base_url, review_seconds=30)
        qtbot.waitUntil(lambda: window.camera_ok, timeout=5000)
        press_until(qtbot, window, Qt.Key.Key_Space, State.PREVIEW)
        qtbot.keyClick(window, Qt.Key.Key_Space)  # at once: meant for attract, dropped
        assert window.machine.state is State.PREVIEW
        press_until(qtbot, window, Qt.Key.Key_Return, State.COUNTDOWN)
        wait_state(qtbot, window, State.REVIEW, timeout=5000)
        press_until(qtbot, window, Qt.Key.Key_Enter, State.PROCESSING)
        wait_state(qtbot, window, State.RESULT, timeout=10000)
        press_until(qtbot, window, Qt.Key.Key_Space, State.ATTRACT)


def test_a_double_tap_on_attract_does_not_skip_the_preview(qtbot, booth):
    with FakeBackend("ok") as backend:
        window = booth(backend.base_url)
        qtbot.waitUntil(lambda: window.camera_ok, timeout=5000)
        middle = QPoint(window.attract.width() // 2, window.attract.height() // 2)

        def tapped() -> bool:  # the window's own first screen change drops taps for a moment too
            qtbot.mouseClick(window.attract, Qt.MouseButton.LeftButton, pos=middle)
            return window.machine.state is State.PREVIEW

        qtbot.waitUntil(tapped, timeout=5000)
        preview = window.preview.start_button
        qtbot.mouseClick(preview, Qt.MouseButton.LeftButton)  # the second tap of a double tap
        assert window.machine.state is State.PREVIEW
