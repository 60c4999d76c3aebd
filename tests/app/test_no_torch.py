"""The app never imports torch, and `--tour` runs the whole booth by itself in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def run_python(*args, timeout=180, **kwargs):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, **kwargs
    )


def test_importing_the_app_and_the_local_service_loads_no_torch():
    code = (
        "import sys, photobooth.app, photobooth.__main__, photobooth.tour, job_service.local; "
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    result = run_python("-c", code)
    assert result.returncode == 0, result.stderr


def test_tour_drives_every_screen_with_the_embedded_local_service(tmp_path, camera_file):
    config = tmp_path / "booth.toml"
    config.write_text(
        "[backend]\nlocal_output_size = 256\n"
        f'local_data_dir = "{tmp_path / "jobs"}"\n'
        f'[booth]\noutput_dir = "{tmp_path / "out"}"\ncountdown_seconds = 2\n'
    )
    out = tmp_path / "tour"
    result = run_python(
        "-m",
        "photobooth",
        "--camera",
        str(camera_file),
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
