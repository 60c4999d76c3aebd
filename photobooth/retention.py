"""The booth keeps its consent line's promise for the pictures it saves itself: each saved file is written
down in a ledger in the output folder, and files older than the retention period are deleted. Only
files in the ledger are ever deleted; anything else in the folder (staff's own files) is left alone.
Qt-free, so the rule is tested on its own.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

LEDGER_NAME = ".time-traveler-saved.json"


def _read(folder: Path) -> dict[str, float]:
    try:
        data = json.loads((folder / LEDGER_NAME).read_text(encoding="utf-8"))
        return {str(name): float(saved) for name, saved in data.get("files", {}).items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, AttributeError, TypeError):
        log.warning("the saved-files ledger in %s is unreadable; starting a new one", folder)
        return {}


def _write(folder: Path, files: dict[str, float]) -> None:
    temporary = folder / (LEDGER_NAME + ".tmp")
    temporary.write_text(json.dumps({"files": files}, indent=0), encoding="utf-8")
    os.replace(temporary, folder / LEDGER_NAME)


def record(folder: Path, paths, now: float | None = None) -> None:
    """Note that the booth wrote `paths` (files directly in `folder`) at `now`."""
    folder = Path(folder)
    files = _read(folder)
    saved = time.time() if now is None else now
    for path in paths:
        path = Path(path)
        if path.parent.resolve() == folder.resolve():
            files[path.name] = saved
    _write(folder, files)


def sweep(folder: Path, retention_seconds: float, now: float | None = None) -> list[Path]:
    """Delete the booth's own files older than `retention_seconds`; returns what was deleted."""
    folder = Path(folder)
    files = _read(folder)
    if not files:
        return []
    now = time.time() if now is None else now
    deleted, kept = [], {}
    for name, saved in files.items():
        path = folder / name
        if Path(name).name != name:  # a ledger entry may only name a file in this folder
            continue
        if now - saved < retention_seconds:
            if path.exists():
                kept[name] = saved
            continue
        try:
            path.unlink(missing_ok=True)
            deleted.append(path)
        except OSError as error:
            log.warning("could not delete an expired picture: %s", type(error).__name__)
            kept[name] = saved  # try again next time
    if deleted or len(kept) != len(files):
        _write(folder, kept)
    if deleted:
        log.info("deleted %d saved pictures past the retention period", len(deleted))
    return deleted


def saved_today(folder: Path, now: float | None = None, suffix: str = ".gif") -> int:
    """How many results the booth saved since local midnight (one `suffix` file per attendee)."""
    now = time.time() if now is None else now
    midnight = datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    return sum(
        1 for name, saved in _read(Path(folder)).items() if name.endswith(suffix) and saved >= midnight
    )
