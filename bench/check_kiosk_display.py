"""Kiosk display check on a bare X server (Xvfb, no window manager): does `--fullscreen` fill the screen?

For each screen size it starts Xvfb, runs the booth's own tour in kiosk mode (`--fullscreen --tour`),
reads the booth window's geometry from the X server (xwininfo) while it runs, grabs the whole root
window as PNG, and prints one line per size: window geometry, screen size, and whether they match.
The tour's per-screen PNGs land in OUT/<size>/ for looking at.

    .venv/bin/python bench/check_kiosk_display.py OUT [--sizes 1920x1080,1080x1920]

Needs Xvfb and xwininfo (apt-get install xvfb x11-utils).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from booth_core.demo_photo import DEMO_PORTRAIT  # noqa: E402

GRAB = """
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv[:1])
QGuiApplication.primaryScreen().grabWindow(0).save(sys.argv[1])
"""


def booth_window_geometry(env: dict) -> tuple[int, int, int, int] | None:
    tree = subprocess.run(["xwininfo", "-root", "-tree"], env=env, capture_output=True, text=True).stdout
    for line in tree.splitlines():
        match = re.search(r'"Time Traveler".*?(\d+)x(\d+)\+(-?\d+)\+(-?\d+)', line)
        if match:
            width, height, x, y = (int(value) for value in match.groups())
            return x, y, width, height
    return None


def check(size: str, out: Path, display: str) -> dict:
    width, height = (int(part) for part in size.split("x"))
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"])
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    shots = out / size
    try:
        deadline = time.monotonic() + 10
        while subprocess.run(["xwininfo", "-root"], env=env, capture_output=True).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError("Xvfb did not start")
            time.sleep(0.1)
        booth = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "photobooth",
                "--fullscreen",
                "--tour",
                str(shots),
                "--camera",
                str(DEMO_PORTRAIT),
            ],
            env={**env, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(out / f"{size}.log", "w"),
        )
        geometry, root_png = None, out / f"{size}-root.png"
        deadline = time.monotonic() + 60
        while booth.poll() is None and time.monotonic() < deadline:
            geometry = booth_window_geometry(env)
            if geometry and (shots / "01-attract.png").exists():
                subprocess.run([sys.executable, "-c", GRAB, str(root_png)], env=env, timeout=30)
                break
            time.sleep(0.2)
        code = booth.wait(timeout=300)
        report = json.loads((shots / "tour.json").read_text()) if (shots / "tour.json").exists() else {}
        return {
            "size": size,
            "window": geometry,
            "fills": geometry == (0, 0, width, height),
            "tour_exit": code,
            "screens": len(report.get("screens", [])),
            "problems": report.get("problems"),
        }
    finally:
        server.terminate()
        server.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--sizes", default="1920x1080,1080x1920")
    parser.add_argument("--display", default=":97")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    ok = True
    for size in args.sizes.split(","):
        result = check(size, args.out, args.display)
        print(json.dumps(result))
        ok &= result["fills"] and result["tour_exit"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
