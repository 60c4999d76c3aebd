"""Starting without a screen or a camera: the tour copes by itself, the kiosk says what is missing."""

from __future__ import annotations

from PIL import Image

from booth_core.demo_photo import DEMO_PORTRAIT
from booth_core.photo import load_photo
from photobooth.__main__ import NO_DISPLAY, choose_platform
from photobooth.app import BoothWindow
from photobooth.tour import Tour
from tests.app.fake_backend import FakeBackend


def test_headless_linux_tour_runs_offscreen_and_the_kiosk_explains():
    environ = {}
    assert choose_platform(tour=True, environ=environ, platform="linux") is None
    assert environ["QT_QPA_PLATFORM"] == "offscreen"
    environ = {"QT_QPA_PLATFORM": "", "DISPLAY": ""}  # set but empty counts as unset
    assert choose_platform(tour=False, environ=environ, platform="linux") == NO_DISPLAY
    assert environ["QT_QPA_PLATFORM"] == ""  # the kiosk never switches itself to an invisible window


def test_a_display_or_a_chosen_platform_is_left_alone():
    for environ in ({"DISPLAY": ":0"}, {"WAYLAND_DISPLAY": "wayland-0"}, {"QT_QPA_PLATFORM": "xcb"}):
        before = dict(environ)
        assert choose_platform(tour=False, environ=environ, platform="linux") is None
        assert environ == before
    assert choose_platform(tour=False, environ={}, platform="win32") is None


def test_the_demo_portrait_is_small_and_a_real_photo():
    assert DEMO_PORTRAIT.exists() and DEMO_PORTRAIT.stat().st_size < 100_000
    photo = load_photo(DEMO_PORTRAIT.read_bytes())
    assert photo.mode == "RGB" and min(photo.size) >= 256
    assert Image.open(DEMO_PORTRAIT).format == "JPEG"


def run_steps(qtbot, steps):
    """Drive a tour script's steps the way Tour does: sleeps, required waits, optional waits (what=None)."""
    for step in steps:
        if isinstance(step, tuple):
            condition, timeout, what = step
            if what is None:
                try:
                    qtbot.waitUntil(condition, timeout=round(timeout * 1000))
                except AssertionError:
                    pass
            else:
                qtbot.waitUntil(condition, timeout=round(timeout * 1000))
        else:
            qtbot.wait(round(step * 1000))


def test_tour_falls_back_to_the_demo_portrait_when_the_camera_gives_nothing(qtbot, tmp_path, fast_config):
    fast_config.booth.camera = str(tmp_path / "unplugged.mp4")
    with FakeBackend("ok") as backend:
        fast_config.backend.url = backend.base_url
        window = BoothWindow(fast_config, countdown_tick_ms=20)
        qtbot.addWidget(window)
        window.resize(640, 480)
        window.start()
        try:
            tour = Tour(window, tmp_path / "tour", fallback_camera=DEMO_PORTRAIT, camera_wait=5)
            run_steps(qtbot, tour.camera_steps())
            assert window.config.booth.camera == str(DEMO_PORTRAIT) and window.camera.has_frame
            assert "unplugged.mp4" in tour.camera_note and tour.problems == []
        finally:
            window.shutdown()


def test_tour_keeps_a_working_camera(qtbot, tmp_path, fast_config, camera_file):
    with FakeBackend("ok") as backend:
        fast_config.backend.url = backend.base_url
        window = BoothWindow(fast_config, countdown_tick_ms=20)
        qtbot.addWidget(window)
        window.start()
        try:
            tour = Tour(window, tmp_path / "tour", fallback_camera=DEMO_PORTRAIT, camera_wait=5)
            run_steps(qtbot, tour.camera_steps())
            assert window.config.booth.camera == str(camera_file) and tour.camera_note == ""
        finally:
            window.shutdown()


def test_tour_shows_who_is_in_the_photo_and_leaves_no_answer(qtbot, tmp_path, booth):
    """Even where the engine needs no answer (SAM), the tour has a shot of the question; the job is not told."""
    with FakeBackend("ok") as backend:
        backend.health["engine"] = "sam"
        window = booth(backend.base_url)
        window.review.sitter_row.hide()  # what entering the review does with a SAM backend
        tour = Tour(window, tmp_path / "tour")
        tour.out_dir.mkdir()
        run_steps(qtbot, tour.sitter_steps())
    assert tour.shots == ["01-review-sitter.png"] and (tour.out_dir / tour.shots[0]).stat().st_size > 0
    assert window.review.sitter_row.isHidden() and window.review.sitter is None
    assert not any(button.isChecked() for button in window.review.sitter_buttons.values())
