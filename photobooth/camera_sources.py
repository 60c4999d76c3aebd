"""What can be the booth's camera, for staff to pick by touch: the cameras the system has, and media
(videos and photos) in the usual folders plus the bundled demo portrait. No file dialog: it needs a
keyboard and, on a bare kiosk display, could come up black and outlive the settings screen."""

from __future__ import annotations

import re
from pathlib import Path

import platformdirs

from booth_core.demo_photo import DEMO_PORTRAIT

MEDIA_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".jpg", ".jpeg", ".png", ".bmp", ".webp"}
MAX_MEDIA = 30


def camera_devices(dev: Path = Path("/dev")) -> list[tuple[str, str]]:
    """(label, spec) for every video device node, as the camera index OpenCV opens."""
    found = []
    for path in sorted(dev.glob("video*")):
        match = re.fullmatch(r"video(\d+)", path.name)
        if match:
            found.append((f"Camera {match.group(1)} ({path})", match.group(1)))
    return found


def media_files(folders=None) -> list[tuple[str, str]]:
    """(label, path) for videos and photos directly in the given folders (default: Videos, Pictures)."""
    if folders is None:
        folders = [Path(platformdirs.user_videos_dir()), Path(platformdirs.user_pictures_dir())]
    found = []
    for folder in folders:
        try:
            paths = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in MEDIA_SUFFIXES)
        except OSError:
            continue
        found += [(f"{path.name} ({folder})", str(path)) for path in paths if path.is_file()]
    return found[:MAX_MEDIA]


def camera_sources(dev: Path = Path("/dev"), folders=None) -> list[tuple[str, str]]:
    sources = camera_devices(dev) or [("Camera 0", "0")]
    sources += media_files(folders)
    if DEMO_PORTRAIT.exists():
        sources.append((f"Demo portrait ({DEMO_PORTRAIT.name})", str(DEMO_PORTRAIT)))
    return sources
