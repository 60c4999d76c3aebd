"""The file worker: saves a finished strip as an animated GIF and a JPEG strip in the output folder.

It uses the project's renderers (booth_core.render and booth_core.media, torch-free), off the UI
thread because encoding takes a noticeable moment.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from booth_core import media, render
from booth_core.result import AgedFrame, AgingResult
from photobooth import retention
from photobooth.workers.jobs import JobOutcome

log = logging.getLogger(__name__)
FRAME_SIZE = 256


def outcome_to_result(outcome: JobOutcome) -> AgingResult:
    original = next((frame.image for frame in outcome.frames if frame.age is None), outcome.frames[0].image)
    aged = [AgedFrame(frame.age, frame.image) for frame in outcome.frames if frame.age is not None]
    return AgingResult(original=original, frames=aged, engine=outcome.engine)


def save_strip(outcome: JobOutcome, output_dir: Path, frame_size: int = FRAME_SIZE) -> tuple[Path, Path]:
    """Write `<time>-<job>.gif` and `.jpg`; returns both paths."""
    output_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{time.strftime('%Y%m%d-%H%M%S')}-{outcome.job_id[:8]}"
    gif_path, jpeg_path = output_dir / f"{stem}.gif", output_dir / f"{stem}.jpg"
    result = outcome_to_result(outcome)
    render.render_strip(result, frame_size=frame_size).convert("RGB").save(jpeg_path, quality=92)
    temporary = gif_path.with_suffix(".gif.partial")  # the slideshow never reads half a GIF
    temporary.write_bytes(media.render_gif(result))
    temporary.replace(gif_path)
    return gif_path, jpeg_path


class FileWorker(QObject):
    """Saves strips and deletes them again after the retention period (photobooth.retention's ledger)."""

    saved = Signal(int, str, str)  # token, gif path, jpeg path
    failed = Signal(int, str)
    swept = Signal(int)  # how many expired pictures were deleted

    @Slot(int, object, str)
    def save(self, token: int, outcome: JobOutcome, output_dir: str) -> None:
        folder = Path(output_dir).expanduser()
        try:
            gif, jpeg = save_strip(outcome, folder)
            retention.record(folder, (gif, jpeg))
        except Exception as error:  # a full disk must not take the booth down
            log.exception("could not save the strip")
            self.failed.emit(token, str(error))
        else:
            self.saved.emit(token, str(gif), str(jpeg))

    @Slot(str, float)
    def sweep(self, output_dir: str, retention_seconds: float) -> None:
        try:
            deleted = retention.sweep(Path(output_dir).expanduser(), retention_seconds)
        except OSError as error:  # an unplugged USB stick: try again next time
            log.warning("could not sweep saved pictures: %s", type(error).__name__)
            return
        self.swept.emit(len(deleted))


class FileThread(QThread):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.worker = FileWorker()
        self.worker.moveToThread(self)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        self.quit()
        self.wait(timeout_ms)
