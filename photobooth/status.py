"""The booth's state for staff in one place: engine, backend, camera, disk, last problem, photos today.
Shown on the settings screen and written to the log as one line (no images, no personal data)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

#: Below this much free space where pictures are saved, the status says the disk is nearly full.
LOW_DISK_BYTES = 500 * 1024 * 1024


@dataclass(frozen=True)
class BoothStatus:
    engine: str
    backend: str  # where jobs go
    backend_up: bool
    camera: str  # "ok", "lost" or "waiting"
    disk_free: int | None  # bytes free where pictures are saved (None: unknown)
    last_problem: str
    photos_today: int
    restarts: int  # local job service restarts since the booth started

    @property
    def disk_low(self) -> bool:
        return self.disk_free is not None and self.disk_free < LOW_DISK_BYTES

    def lines(self, strings) -> list[str]:
        """Sentences for the settings screen, in the booth's language."""
        state = strings.get("status.ok") if self.backend_up else strings.get("status.down")
        disk = "-" if self.disk_free is None else f"{self.disk_free / 1024**3:.1f} GB"
        return [
            strings.get("status.engine", engine=self.engine or "-"),
            strings.get("status.backend", backend=self.backend or "-", state=state, restarts=self.restarts),
            strings.get("status.camera", state=strings.get(f"status.camera_{self.camera}")),
            strings.get("status.disk", free=disk)
            + (f" ({strings.get('status.disk_low')})" if self.disk_low else ""),
            strings.get("status.last_problem", problem=self.last_problem or "-"),
            strings.get("status.photos_today", n=self.photos_today),
        ]

    def log_line(self) -> str:
        disk = "?" if self.disk_free is None else f"{self.disk_free // 1024**2}MB"
        return (
            f"status engine={self.engine or '-'} backend={'up' if self.backend_up else 'down'} "
            f"restarts={self.restarts} camera={self.camera} disk_free={disk} "
            f"photos_today={self.photos_today} last_problem={self.last_problem or '-'!r}"
        )


def disk_free(folder: str) -> int | None:
    """Free bytes on the disk that holds `folder` (its nearest existing parent)."""
    path = Path(folder).expanduser()
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None
