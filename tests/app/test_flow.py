"""The whole booth, end to end: a photo file as the camera, a real local job service (classic engine), and
small servers that fail in each way an attendee could meet."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from booth_core.sitter import SITTER_HEADER
from photobooth.app import TAP_GUARD_S
from photobooth.config import load_config
from photobooth.state import ErrorKind, State
from tests.app.fake_backend import FakeBackend, refused_url

pytestmark = pytest.mark.slow  # whole kiosk visits against real servers and timers


@pytest.fixture(scope="module")
def local_server(tmp_path_factory):
    from job_service.local import start_local_server

    server = start_local_server(
        engine="classic",
        data_dir=tmp_path_factory.mktemp("jobs"),
        engine_options={"output_size": 256},
        job_timeout=60,
    )
    assert server.wait_ready(60)
    yield server
    server.stop()


def wait_state(qtbot, window, *states, timeout=10000):
    qtbot.waitUntil(lambda: window.machine.state in states, timeout=timeout)


def take_photo(qtbot, window):
    """Attract -> preview -> countdown -> review -> (Go by itself) -> processing. Returns the visit's
    transitions as they happen: short-lived states (review, an error screen) are recorded, never missed
    by polling on a loaded machine."""
    visit, photos = [], []

    def record(transition):
        visit.append(transition)
        if transition.target is State.REVIEW:
            photos.append(window.photo is not None and window.photo_image is not None)

    qtbot.waitUntil(lambda: window.camera_ok, timeout=5000)
    window.machine.add_listener(record)
    window.attract.tapped.emit()
    wait_state(qtbot, window, State.PREVIEW)
    qtbot.waitUntil(lambda: window.preview.camera.has_frame, timeout=5000)
    window.preview.start_button.click()
    qtbot.waitUntil(lambda: any(t.target in (State.PROCESSING, State.RETRYING) for t in visit), timeout=10000)
    assert photos == [True]
    return visit


def open_review(qtbot, window):
    """Attract -> preview -> countdown -> review, stopping there (the window's review_seconds must be long)."""
    qtbot.waitUntil(lambda: window.camera_ok, timeout=5000)
    window.attract.tapped.emit()
    wait_state(qtbot, window, State.PREVIEW)
    qtbot.waitUntil(lambda: window.preview.camera.has_frame, timeout=5000)
    window.preview.start_button.click()
    wait_state(qtbot, window, State.REVIEW)


def wait_error(qtbot, visit, timeout=10000):
    """The error screen this visit reached (from the recorded transitions)."""
    qtbot.waitUntil(lambda: any(t.target is State.ERROR for t in visit), timeout=timeout)
    return next(t.error for t in visit if t.target is State.ERROR)


def test_full_flow_against_the_local_job_service(qtbot, booth, local_server, fast_config):
    window = booth(local_server.base_url, idle_timeout_seconds=2.0)
    assert window.health.get("engine") == "classic"
    take_photo(qtbot, window)
    wait_state(qtbot, window, State.RESULT, State.ERROR, timeout=60000)
    assert window.machine.state is State.RESULT, window.machine.error
    assert [frame.age for frame in window.outcome.frames] == [None, *fast_config.booth.ages]
    # photo layout: every frame is the whole photo the booth took, in its own size
    assert {frame.image.size for frame in window.outcome.frames} == {window.outcome.frames[0].image.size}
    assert window.outcome.frames[1].image.size == (512, 512)
    assert window.outcome.share_url is None  # loopback: no QR code
    assert "classic" in window.result.engine.text()
    qtbot.waitUntil(lambda: window.saved_paths is not None, timeout=20000)
    gif, jpeg = (Path(path) for path in window.saved_paths)
    assert (
        gif.stat().st_size > 1000
        and jpeg.stat().st_size > 1000
        and gif.parent == Path(fast_config.booth.output_dir)
    )
    wait_state(qtbot, window, State.ATTRACT, timeout=5000)  # the idle timeout ends the session
    assert window.outcome is None and window.photo is None


def test_the_next_photo_starts_unanswered_and_no_answer_sends_no_header(qtbot, booth):
    """A classic backend, two visits: Child then Go sends X-Sitter: child; the next photo starts with no
    answer, and Go without one sends no header (the engine judges)."""
    with FakeBackend("ok") as backend:
        backend.health["engine"] = "classic"
        window = booth(backend.base_url, review_seconds=30.0)
        uploads = []
        for answer in ("child", None):
            open_review(qtbot, window)
            assert window.review.sitter_row.isVisible() and window.review.sitter is None
            if answer:
                window.review.sitter_buttons[answer].click()
            window.review.go_button.click()
            wait_state(qtbot, window, State.RESULT, timeout=10000)
            uploads.append([headers for method, _, headers in backend.requests if method == "PUT"][-1])
            window.result.done_button.click()
            wait_state(qtbot, window, State.ATTRACT)
    assert uploads[0][SITTER_HEADER] == "child"
    assert SITTER_HEADER.lower() not in {name.lower() for name in uploads[1]}


def test_each_state_shows_its_screen_and_screens_are_entered_once(qtbot, booth):
    """The state table names a screen of the window for every state; processing <-> retrying keeps one."""
    from photobooth.state import STATE_FACTS

    with FakeBackend("busy_once") as backend:
        window = booth(backend.base_url)
        assert {facts.screen for facts in STATE_FACTS.values()} == set(window.screens)
        entered = []
        for key, screen in window.screens.items():
            screen.enter = (lambda original, name: lambda context: (entered.append(name), original(context)))(
                screen.enter, key
            )
        take_photo(qtbot, window)
        wait_state(qtbot, window, State.RESULT, timeout=10000)
    assert entered == ["preview", "countdown", "review", "processing", "result"]
    assert window.stack.currentWidget() is window.result


def test_no_face_explains_and_returns_to_the_preview(qtbot, booth, local_server, faceless_file):
    window = booth(local_server.base_url, camera=str(faceless_file))
    visit = take_photo(qtbot, window)
    error = wait_error(qtbot, visit, timeout=30000)
    assert error is ErrorKind.NO_FACE
    assert window.error.title.text() == "We couldn't find a face"
    wait_state(qtbot, window, State.PREVIEW, timeout=5000)


@pytest.mark.parametrize(
    ("mode", "kind"),
    [
        ("corrupt_json", ErrorKind.SERVER),
        ("corrupt_frame", ErrorKind.SERVER),
        ("busy", ErrorKind.BUSY),
        ("no_face", ErrorKind.NO_FACE),
    ],
)
def test_failing_servers_end_in_the_right_words(qtbot, booth, mode, kind):
    with FakeBackend(mode) as backend:
        window = booth(backend.base_url)
        visit = take_photo(qtbot, window)
        error = wait_error(qtbot, visit, timeout=10000)
        assert error is kind
        wait_state(qtbot, window, kind.retry_state, timeout=5000)


def test_refused_connection_retries_then_apologises(qtbot, booth):
    window = booth(refused_url())
    seen = []
    window.machine.add_listener(lambda transition: seen.append(transition.target))
    visit = take_photo(qtbot, window)
    error = wait_error(qtbot, visit, timeout=10000)
    assert error is ErrorKind.NETWORK and State.RETRYING in seen
    wait_state(qtbot, window, State.ATTRACT, timeout=5000)


def test_slow_answers_time_out_then_apologise(qtbot, booth, fast_config):
    fast_config.backend.request_timeout_seconds = 0.2
    with FakeBackend("slow", delay=0.5) as backend:
        window = booth(backend.base_url)
        visit = take_photo(qtbot, window)
        error = wait_error(qtbot, visit, timeout=15000)
    assert error is ErrorKind.NETWORK


def test_a_job_the_server_never_finishes_times_out(qtbot, booth, fast_config):
    fast_config.backend.job_timeout_seconds = 0.5
    with FakeBackend("processing") as backend:
        window = booth(backend.base_url)
        visit = take_photo(qtbot, window)
        error = wait_error(qtbot, visit, timeout=10000)
    assert error is ErrorKind.TIMEOUT


def test_a_passing_outage_recovers_on_its_own(qtbot, booth):
    with FakeBackend("busy_once") as backend:
        window = booth(backend.base_url)
        seen = []
        window.machine.add_listener(lambda transition: seen.append(transition.target))
        take_photo(qtbot, window)
        wait_state(qtbot, window, State.RESULT, timeout=10000)
    assert State.RETRYING in seen and len(window.outcome.frames) == 3


def test_cancel_returns_to_attract_and_the_late_answer_is_ignored(qtbot, booth):
    with FakeBackend("processing") as backend:
        window = booth(backend.base_url)
        take_photo(qtbot, window)
        qtbot.waitUntil(lambda: window.processing.stage == "ageing", timeout=5000)
        backend.stage = "warming_up"  # the endpoint is starting capacity: the booth says so
        qtbot.waitUntil(
            lambda: window.processing.status.text() == "Warming up the time machine…", timeout=5000
        )
        window.processing.cancel_button.click()
        assert window.machine.state is State.PROCESSING  # it asks first
        window.processing.confirm.yes_button.click()
        assert window.machine.state is State.ATTRACT
        backend.mode = "ok"  # the server would now finish the dropped job: nothing may change on screen
        qtbot.wait(300)
        assert window.machine.state is State.ATTRACT
        take_photo(qtbot, window)  # the network worker is free for the next attendee
        wait_state(qtbot, window, State.RESULT, timeout=10000)


def test_survives_the_backend_restarting(qtbot, booth):
    with FakeBackend("ok") as backend:
        port = int(backend.base_url.rsplit(":", 1)[1])
        window = booth(backend.base_url)
        take_photo(qtbot, window)
        wait_state(qtbot, window, State.RESULT, timeout=10000)
    window.result.done_button.click()
    visit = take_photo(qtbot, window)  # backend down: retries, then an apology
    error = wait_error(qtbot, visit, timeout=10000)
    assert error is ErrorKind.NETWORK
    wait_state(qtbot, window, State.ATTRACT, timeout=5000)
    threads = threading.active_count()
    with FakeBackend("ok", port=port):
        for _ in range(2):  # back up: jobs work again, and repeated jobs leak no threads
            take_photo(qtbot, window)
            wait_state(qtbot, window, State.RESULT, timeout=10000)
            window.result.done_button.click()
            wait_state(qtbot, window, State.ATTRACT)
        assert threading.active_count() <= threads + 2  # the fake server's own threads


def test_camera_lost_then_back_by_itself(qtbot, booth, tmp_path, camera_file):
    later = tmp_path / "plugged-in-later.jpg"
    with FakeBackend("ok") as backend:
        window = booth(backend.base_url, camera=str(later))
        window.camera.reconnect_seconds = 0.05
        window.attract.tapped.emit()
        wait_state(qtbot, window, State.ERROR, timeout=5000)
        assert window.machine.error is ErrorKind.CAMERA
        later.write_bytes(camera_file.read_bytes())
        wait_state(qtbot, window, State.PREVIEW, timeout=5000)


def test_idle_timeout_leaves_the_preview(qtbot, booth):
    with FakeBackend("ok") as backend:
        window = booth(backend.base_url, idle_timeout_seconds=0.3)
        window.attract.tapped.emit()
        wait_state(qtbot, window, State.PREVIEW)
        wait_state(qtbot, window, State.ATTRACT, timeout=3000)


def test_settings_round_trip_behind_gesture_and_pin(qtbot, booth, fast_config):
    with FakeBackend("ok") as backend:
        window = booth(backend.base_url)
        window.attract.staff_gesture.emit()
        wait_state(qtbot, window, State.PIN)
        for digit in "1234":
            window.pin.digit_buttons[digit].click()
        window.pin.ok_button.click()
        wait_state(qtbot, window, State.SETTINGS)
        assert window.settings.url.text() == backend.base_url
        window.settings.ages.setText("18,48,88")
        window.settings.idle.setValue(99)
        window.settings.language.setCurrentText("de")
        window.settings.save_button.click()
        wait_state(qtbot, window, State.ATTRACT)
    saved, problems = load_config(fast_config.path, environ={})
    assert problems == []
    assert saved.booth.ages == (18, 48, 88) and saved.booth.idle_timeout_seconds == 99
    assert saved.backend.url == backend.base_url
    assert "18, 48 & 88" in window.attract.sub.text()
    assert window.attract.call.text() == "Tippen für eine Zeitreise"
    assert window.attract.view._frames[0][0] == "Alter 18"  # the loop follows the new ages


def test_without_any_camera_attract_works_and_staff_can_pick_a_file(
    qtbot, booth, tmp_path, camera_file, monkeypatch
):
    """No camera at all: attract still plays, the camera screen leads back, staff pick media by touch."""
    monkeypatch.setattr(
        "photobooth.screens.settings.camera_sources", lambda: [("Camera 0", "0"), ("photo", str(camera_file))]
    )
    with FakeBackend("ok") as backend:
        window = booth(backend.base_url, camera=str(tmp_path / "no-camera-here.mp4"))
        qtbot.waitUntil(lambda: window.camera_lost, timeout=5000)
        assert window.machine.state is State.ATTRACT and window.stack.currentWidget() is window.attract
        assert window.attract.view._frames  # the loop has pictures to play
        window.attract.tapped.emit()
        wait_state(qtbot, window, State.ERROR, timeout=5000)
        assert window.machine.error is ErrorKind.CAMERA and window.error.back_button.isVisible()
        window.error.back_button.click()
        wait_state(qtbot, window, State.ATTRACT)

        window.attract.staff_gesture.emit()
        wait_state(qtbot, window, State.PIN)
        for digit in "1234":
            window.pin.digit_buttons[digit].click()
        window.pin.ok_button.click()
        wait_state(qtbot, window, State.SETTINGS)
        window.settings.camera_button.click()
        assert window.settings.camera_list.isVisible() and window.settings.camera_list.count() == 2
        item = window.settings.camera_list.item(1)
        rect = window.settings.camera_list.visualItemRect(item)

        def picked() -> bool:  # taps right after the screen changed are dropped: tap again, as staff would
            qtbot.mouseClick(
                window.settings.camera_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
            )
            return window.settings.camera.text() == str(camera_file)

        qtbot.waitUntil(picked, timeout=3000)
        assert not window.settings.camera_list.isVisible()
        window.settings.save_button.click()
        wait_state(qtbot, window, State.ATTRACT)
        qtbot.waitUntil(lambda: window.camera_ok, timeout=5000)
        window.attract.tapped.emit()
        wait_state(qtbot, window, State.PREVIEW)
        qtbot.waitUntil(lambda: window.preview.camera.has_frame, timeout=5000)
    assert load_config(window.config.path, environ={})[0].booth.camera == str(camera_file)


def test_settings_test_the_connection_and_drive_the_engine_upgrade(qtbot, booth, fast_config):
    fast_config.backend.health_check_seconds = 0.1
    with FakeBackend("ok") as backend:
        backend.health["upgrade"] = {"engine": "sam", "state": "off", "detail": "not started"}
        window = booth(backend.base_url)
        window.attract.staff_gesture.emit()
        wait_state(qtbot, window, State.PIN)
        for digit in "1234":
            window.pin.press(digit)
        window.pin.submit()
        wait_state(qtbot, window, State.SETTINGS)
        settings = window.settings
        qtbot.waitUntil(lambda: settings.upgrade_panel.isVisible(), timeout=3000)
        assert "off" in settings.upgrade_label.text() and settings.upgrade_button.text() == "Start upgrade"
        settings.upgrade_button.click()
        qtbot.waitUntil(lambda: ("POST", "/admin/upgrade") in [r[:2] for r in backend.requests], timeout=3000)
        backend.health["upgrade"] = {"engine": "sam", "state": "downloading", "progress": 0.42}
        qtbot.waitUntil(lambda: settings.upgrade_bar.value() == 420, timeout=3000)
        assert settings.upgrade_button.text() == "Stop upgrade"

        settings.url.setText(backend.base_url)
        settings.test_button.click()
        qtbot.waitUntil(lambda: settings.message.text().startswith("Connected"), timeout=3000)
        settings.url.setText(refused_url())
        settings.test_button.click()
        qtbot.waitUntil(lambda: settings.message.text().startswith("No connection"), timeout=5000)


@pytest.mark.parametrize(("engine", "asked"), [("classic", True), ("sam", False)])
def test_who_is_in_the_photo_is_asked_where_the_engine_judges_and_sent_with_the_photo(
    qtbot, booth, engine, asked
):
    """The review screen's optional "Who is in the photo?" shows where /health names an engine that judges
    the sitter's age (booth_core.sitter); a tap on Child goes up as `X-Sitter: child` with the photo."""
    with FakeBackend("ok") as backend:
        backend.health["engine"] = engine
        window = booth(backend.base_url, review_seconds=30.0)
        open_review(qtbot, window)
        assert window.review.sitter_row.isVisible() is asked
        if asked:
            qtbot.wait(round(TAP_GUARD_S * 1000) + 50)  # taps just after a screen change are dropped, by design
            qtbot.mouseClick(window.review.sitter_buttons["child"], Qt.MouseButton.LeftButton)
            assert window.review.sitter == "child"
        window.review.go_button.click()
        wait_state(qtbot, window, State.RESULT, timeout=10000)
        (upload,) = [headers for method, _, headers in backend.requests if method == "PUT"]
    assert upload.get("X-Sitter") == ("child" if asked else None)
