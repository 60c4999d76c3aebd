"""Recent results on the attract screen: off by default, since they show other attendees' faces.

The loader runs in the file thread: it reads the newest saved GIFs (never older than the retention
period), takes each one's youngest and oldest card and squares them for the attract screen's picture.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PIL import Image, ImageSequence
from PySide6.QtCore import QObject, Signal, Slot

from photobooth.images import to_qimage

log = logging.getLogger(__name__)

#: How many recent results the slideshow shows.
RECENT_RESULTS = 6
SLIDE_BACKGROUND = (20, 20, 26)


def recent_gifs(
    folder: str | Path, max_age_s: float, limit: int = RECENT_RESULTS, now: float | None = None
) -> list[Path]:
    """The newest saved GIFs in `folder` younger than `max_age_s`, newest first."""
    now = time.time() if now is None else now
    try:
        candidates = [(path.stat().st_mtime, path) for path in Path(folder).expanduser().glob("*.gif")]
    except OSError:
        return []
    fresh = sorted((item for item in candidates if now - item[0] <= max_age_s), reverse=True)
    return [path for _, path in fresh[:limit]]


def square(card: Image.Image, side: int = 720) -> Image.Image:
    """The card whole (its age label included) on a square, so the attract picture's crop cuts nothing."""
    card = card.convert("RGB")
    card.thumbnail((side, side), Image.Resampling.LANCZOS)
    slide = Image.new("RGB", (side, side), SLIDE_BACKGROUND)
    slide.paste(card, ((side - card.width) // 2, (side - card.height) // 2))
    return slide


def slides_of(gif: Path) -> list[Image.Image]:
    """The youngest and the oldest card of a young -> old -> young GIF."""
    with Image.open(gif) as animation:
        cards = [frame.copy() for frame in ImageSequence.Iterator(animation)]
    if not cards:
        return []
    oldest = len(cards) // 2 if len(cards) > 2 else len(cards) - 1
    return [square(cards[0])] + ([square(cards[oldest])] if oldest else [])


class SlideshowLoader(QObject):
    loaded = Signal(list)  # [(label, QImage)], empty when there is nothing recent

    @Slot(str, float)
    def load(self, folder: str, max_age_s: float) -> None:
        slides = []
        for gif in recent_gifs(folder, max_age_s):
            try:
                slides.extend(("", to_qimage(slide)) for slide in slides_of(gif))
            except (OSError, ValueError) as error:  # a half-written or foreign file: skip it
                log.warning("slideshow skipped a file: %s", type(error).__name__)
        self.loaded.emit(slides)
