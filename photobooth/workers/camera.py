"""The camera in its own thread: a device index, a video file (looped) or a still image all work as a camera.

The worker delivers mirrored preview frames, already scaled down to the size the screen asks for, so that
the UI thread only paints. It keeps the newest full-size frame for `capture()`. When the device stops
answering it says so once (`lost`) and keeps trying to reopen it; `back` follows when it answers again.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QImage

from photobooth.images import to_qimage

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


def fit_size(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    """The largest size with this aspect ratio that fits in `box`, never larger than the frame itself."""
    scale = min(box[0] / width, box[1] / height, 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


class FrameSource:
    """Opens and reads one camera source; `read()` returns an RGB frame or None when nothing came."""

    def __init__(self, spec: str) -> None:
        self.spec = str(spec).strip()
        self._capture: cv2.VideoCapture | None = None
        self._still: np.ndarray | None = None
        self.is_file = not self.spec.isdigit()
        self.frame_interval = 1 / 30

    def open(self) -> bool:
        self.close()
        if self.spec.isdigit():
            capture = cv2.VideoCapture(int(self.spec))
        else:
            path = Path(self.spec).expanduser()
            if not path.exists():
                return False
            if path.suffix.lower() in IMAGE_SUFFIXES:
                still = cv2.imread(str(path), cv2.IMREAD_COLOR)
                if still is None:
                    return False
                self._still = still
                return True
            capture = cv2.VideoCapture(str(path))
        if not capture.isOpened():
            capture.release()
            return False
        fps = capture.get(cv2.CAP_PROP_FPS)
        if self.is_file and fps and 1 <= fps <= 120:
            self.frame_interval = 1 / fps
        self._capture = capture
        return True

    def read(self) -> np.ndarray | None:
        """The next frame as BGR (OpenCV's order; converted only when a photo is taken)."""
        if self._still is not None:
            return self._still
        if self._capture is None:
            return None
        ok, frame = self._capture.read()
        if not ok and self.is_file:  # a video file loops
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._capture.read()
        if not ok or frame is None:
            return None
        return frame

    @property
    def paced(self) -> bool:
        """Files and stills are read as fast as asked, so the worker paces them; a device paces itself."""
        return self.is_file

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
        self._capture = None
        self._still = None


class CameraWorker(QThread):
    """Reads frames in a loop; signals: `frame(QImage)` mirrored preview, `lost()`, `back()`."""

    frame = Signal(QImage)
    lost = Signal()
    back = Signal()

    def __init__(self, spec: str, parent=None, reconnect_seconds: float = 1.0, lost_after: int = 15) -> None:
        super().__init__(parent)
        self.spec = str(spec)
        self.reconnect_seconds = reconnect_seconds
        self.lost_after = lost_after  # failed reads in a row before the camera counts as lost
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._latest: np.ndarray | None = None
        self._preview_box = (1280, 720)
        self._delivering = threading.Event()
        self._delivering.set()
        self.frames_delivered = 0
        self.connected = False

    # -- called from the UI thread -------------------------------------------------------------
    def set_preview_box(self, width: int, height: int) -> None:
        with self._lock:
            self._preview_box = (max(1, width), max(1, height))

    def set_delivering(self, on: bool) -> None:
        """Preview frames are only converted while a screen shows them (saves CPU on other screens)."""
        if on:
            self._delivering.set()
        else:
            self._delivering.clear()

    @property
    def has_frame(self) -> bool:
        """True once the source has delivered a frame (also while no screen shows the preview)."""
        with self._lock:
            return self._latest is not None

    def capture(self) -> np.ndarray | None:
        """The newest full-size frame as RGB, the right way round: only the live preview is mirrored (so
        it moves like a mirror); the photo, and every picture made from it, reads as the world does."""
        with self._lock:
            latest = self._latest
        return None if latest is None else cv2.cvtColor(latest, cv2.COLOR_BGR2RGB)

    def stop(self, timeout_ms: int = 3000) -> None:
        self._stop.set()
        self.wait(timeout_ms)

    # -- the worker thread -------------------------------------------------------------------------
    def run(self) -> None:
        source = FrameSource(self.spec)
        failures = 0
        try:
            while not self._stop.is_set():
                if not self.connected:
                    if source.open():
                        self.connected = True
                        failures = 0
                        self.back.emit()
                    else:
                        if failures == 0:
                            self.lost.emit()
                        failures = 1
                        self._stop.wait(self.reconnect_seconds)
                        continue
                started = time.monotonic()
                bgr = source.read()
                if bgr is None:
                    failures += 1
                    if failures >= self.lost_after:
                        source.close()
                        self.connected = False
                        self.lost.emit()
                        self._stop.wait(self.reconnect_seconds)
                    else:
                        self._stop.wait(0.02)
                    continue
                failures = 0
                with self._lock:
                    self._latest = bgr
                    box = self._preview_box
                if self._delivering.is_set():
                    self._deliver(bgr, box)
                if source.paced:
                    self._stop.wait(max(0.0, source.frame_interval - (time.monotonic() - started)))
        finally:
            source.close()

    def _deliver(self, bgr: np.ndarray, box: tuple[int, int]) -> None:
        """Scale to the screen's size here (the UI thread then only blits) and mirror."""
        height, width = bgr.shape[:2]
        size = fit_size(width, height, box)
        if size != (width, height):
            shrink = size[0] / width
            bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA if shrink < 0.5 else cv2.INTER_LINEAR)
        self.frame.emit(to_qimage(cv2.flip(bgr, 1), bgr=True))
        self.frames_delivered += 1
