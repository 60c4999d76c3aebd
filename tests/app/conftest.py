"""Fixtures for the kiosk app tests: photos as camera files and a config with timings short enough for CI."""

from __future__ import annotations

import pytest

from photobooth.app import BoothWindow
from photobooth.config import BackendConfig, BoothConfig, Config


@pytest.fixture
def camera_file(tmp_path, astronaut):
    path = tmp_path / "camera.jpg"
    astronaut.save(path, quality=92)
    return path


@pytest.fixture
def faceless_file(tmp_path, faceless):
    path = tmp_path / "faceless.jpg"
    faceless.resize((640, 480)).save(path)
    return path


@pytest.fixture
def fast_config(tmp_path, camera_file):
    """Short waits everywhere; a URL is filled in by each test (empty would start a local server)."""
    backend = BackendConfig(
        url="",
        request_timeout_seconds=2.0,
        job_timeout_seconds=60.0,
        retries=2,
        retry_first_wait_seconds=0.05,
        local_output_size=256,
        local_data_dir=str(tmp_path / "jobs"),
    )
    booth = BoothConfig(
        camera=str(camera_file),
        countdown_seconds=1,
        idle_timeout_seconds=30.0,
        review_seconds=0.2,
        error_seconds=0.3,
        output_dir=str(tmp_path / "out"),
        staff_pin="1234",
    )
    return Config(backend=backend, booth=booth, path=tmp_path / "booth.toml")


@pytest.fixture
def booth(qtbot, fast_config):
    """Makes a started booth window for a config; every window is shut down after the test."""
    windows = []

    def make(url: str, prepare=None, **booth_settings) -> BoothWindow:
        """`prepare(window)` runs before the window starts (e.g. to swap a worker's probe)."""
        fast_config.backend.url = url
        for key, value in booth_settings.items():
            setattr(fast_config.booth, key, value)
        window = BoothWindow(fast_config, countdown_tick_ms=20)
        if prepare is not None:
            prepare(window)
        qtbot.addWidget(window)
        window.resize(960, 540)
        window.show()
        window.start()
        windows.append(window)
        qtbot.waitUntil(lambda: bool(window.backend_url or window.backend_error), timeout=20000)
        return window

    yield make
    for window in windows:
        window.shutdown()
        assert not window.network.isRunning() and not window.files.isRunning() and window.camera is None
        assert not window.prints.isRunning()
