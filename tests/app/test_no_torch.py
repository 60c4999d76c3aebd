"""The app never imports torch, and `--tour` runs the whole booth by itself in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


LINUX = sys.platform.startswith("linux")


def run_python(*args, timeout=180, display=False, **kwargs):
    """`display=False`: like a headless Linux box (no DISPLAY, no platform set); else offscreen Qt."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if not display and LINUX:
        for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
            env.pop(name, None)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, **kwargs
    )


@pytest.mark.slow
def test_importing_the_app_and_the_local_service_loads_no_torch():
    code = (
        "import sys, photobooth.app, photobooth.__main__, photobooth.tour, job_service.local; "
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    result = run_python("-c", code, display=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not LINUX, reason="DISPLAY/WAYLAND_DISPLAY decide only on Linux")
def test_a_normal_start_without_a_display_says_so_in_one_line():
    result = run_python("-m", "photobooth", timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "time-traveler-booth: no display found; set DISPLAY or run with QT_QPA_PLATFORM=offscreen"
    ]


@pytest.mark.slow
def test_tour_without_camera_or_display_uses_offscreen_and_the_demo_portrait(tmp_path):
    """No DISPLAY, no QT_QPA_PLATFORM, no --camera and a camera that is not there: a full tour anyway."""
    config = tmp_path / "booth.toml"
    config.write_text(
        "[backend]\nlocal_output_size = 256\n"
        f'local_data_dir = "{tmp_path / "jobs"}"\n'
        f'[booth]\noutput_dir = "{tmp_path / "out"}"\ncountdown_seconds = 2\n'
        f'camera = "{tmp_path / "no-such-camera.mp4"}"\n'
    )
    out = tmp_path / "tour"
    result = run_python(
        "-m",
        "photobooth",
        "--config",
        str(config),
        "--size",
        "800x600",
        "--tour",
        str(out),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((out / "tour.json").read_text())
    assert report["problems"] == [] and report["torch_loaded"] is False
    assert report["camera"].endswith("demo_portrait.jpg") and "no-such-camera" in report["camera_note"]
    assert report["engine"] == "classic" and report["backend"].startswith("http://127.0.0.1:")
    names = report["screens"]
    for screen in (
        "attract",
        "preview",
        "countdown",
        "review",
        "processing",
        "result",
        "retrying",
        "pin",
        "settings",
        *(f"error-{kind}" for kind in ("no_face", "network", "busy", "timeout", "camera")),
    ):
        assert any(name.endswith(f"-{screen}.png") for name in names), screen
    for name in names:
        assert Image.open(out / name).size == (800, 600)
    assert all(Path(path).exists() for path in report["saved"]) and len(report["saved"]) == 2
    assert (out / "print.pdf").read_bytes().startswith(b"%PDF")  # the print layout, for a look at print size
    share_page = out / "share-page.html"  # saved where this machine has a LAN address phones could reach
    assert not share_page.exists() or "data:image/gif;base64," in share_page.read_text()
