"""Out of order instead of the invitation while the camera or the backend stays down, and back by itself."""

from __future__ import annotations

import pytest

from photobooth.state import State
from photobooth.watch import OrderWatch
from tests.app.fake_backend import FakeBackend
from tests.app.test_flow import take_photo, wait_state

pytestmark = pytest.mark.slow  # whole kiosk visits against real servers and timers

GRACE = {"out_of_order_seconds": 0.3}


def test_watch_counts_only_parts_down_past_the_grace_period():
    now = [100.0]
    watch = OrderWatch(grace=5, clock=lambda: now[0])
    watch.report("camera", False, "no camera")
    now[0] += 4
    assert watch.out_of_order() == []  # down, but still within the grace period
    now[0] += 1
    watch.report("camera", False, "still no camera")  # a repeat does not restart the clock, only the words
    assert watch.out_of_order() == ["still no camera"]
    watch.report("camera", True)
    assert watch.out_of_order() == []
    now[0] += 10
    assert watch.out_of_order() == []  # back means forgotten, not merely recent
    watch.report("camera", False, "no camera again")
    assert watch.out_of_order() == []  # a new outage starts its own grace period
    now[0] += 5
    assert watch.out_of_order() == ["no camera again"]


def test_camera_loss_puts_the_booth_out_of_order_until_the_camera_answers(
    qtbot, booth, tmp_path, camera_file, fast_config
):
    later = tmp_path / "plugged-in-later.jpg"
    fast_config.backend.health_check_seconds = 0.1
    with FakeBackend("ok") as backend:
        window = booth(backend.base_url, camera=str(later), **GRACE)
        window.camera.reconnect_seconds = 0.05
        wait_state(qtbot, window, State.OUT_OF_ORDER, timeout=5000)
        assert window.stack.currentWidget() is window.out_of_order
        assert "Out of order" in window.out_of_order.title.text()
        later.write_bytes(camera_file.read_bytes())  # plugged in again
        wait_state(qtbot, window, State.ATTRACT, timeout=5000)
        take_photo(qtbot, window)
        wait_state(qtbot, window, State.RESULT, timeout=10000)


def test_backend_loss_puts_the_booth_out_of_order_and_it_comes_back(qtbot, booth, fast_config, caplog):
    caplog.set_level("INFO", logger="photobooth.app")
    fast_config.backend.health_check_seconds = 0.1
    with FakeBackend("ok") as backend:
        port = int(backend.base_url.rsplit(":", 1)[1])
        window = booth(backend.base_url, **GRACE)
        qtbot.waitUntil(lambda: window.backend_up, timeout=5000)
    wait_state(qtbot, window, State.OUT_OF_ORDER, timeout=5000)
    assert "backend" in window.last_problem
    assert any("status engine=fake backend=down" in record.message for record in caplog.records)
    window.out_of_order.staff_gesture.emit()  # staff can still get in to look
    wait_state(qtbot, window, State.PIN)
    for digit in "1234":
        window.pin.press(digit)
    window.pin.submit()
    wait_state(qtbot, window, State.SETTINGS)
    status = window.settings.status.text()  # the real health, not the last good answer
    assert "Backend: http://127.0.0.1" in status and "not answering" in status
    assert "Camera: working" in status and "Photos today: 0" in status and "Disk:" in status
    window.settings.cancel_button.click()
    with FakeBackend("ok", port=port):
        wait_state(qtbot, window, State.ATTRACT, timeout=5000)
        take_photo(qtbot, window)
        wait_state(qtbot, window, State.RESULT, timeout=10000)
