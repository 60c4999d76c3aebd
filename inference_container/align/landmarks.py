"""Find the attendee's face and its 68 landmarks with dlib.

Detection runs on a copy of the photo scaled to a working size (so an 8000x6000 photo costs the same
as a webcam frame and a tiny one is still found); the landmarks are then fitted on a crop of the
full-resolution photo, so their precision does not depend on the photo's size.
"""

from __future__ import annotations

import functools
import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from booth_core.errors import NoFaceError

PREDICTOR_FILE = "shape_predictor_68_face_landmarks.dat"
#: Detection works on the photo scaled so its long side lies in this range (pixels).
DETECT_MIN_SIDE, DETECT_MAX_SIDE = 400, 800
#: dlib's own default threshold: weaker detections are false more often than not.
MIN_SCORE = 0.0
#: A candidate face smaller than this fraction of the largest candidate's area is never chosen.
MIN_RELATIVE_AREA = 0.25
#: The landmark fit sees the face box at most / at least this wide (pixels).
FIT_MAX_BOX, FIT_MIN_BOX = 400, 120


@dataclass(frozen=True)
class FaceBox:
    """A detection in full-resolution pixel coordinates."""

    left: float
    top: float
    right: float
    bottom: float
    score: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def area(self) -> float:
        return self.width * (self.bottom - self.top)


def predictor_path() -> Path:
    """The 68-point model shipped by the `face_recognition_models` package."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the face_recognition_models package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / PREDICTOR_FILE
    if not path.is_file():
        raise RuntimeError(f"face landmark model missing: {path}")
    return path


def choose_face(boxes: list[FaceBox]) -> FaceBox | None:
    """The most confident of the large candidates: a small, confident false hit never wins."""
    boxes = [box for box in boxes if box.score >= MIN_SCORE]
    if not boxes:
        return None
    largest = max(box.area for box in boxes)
    large = [box for box in boxes if box.area >= MIN_RELATIVE_AREA * largest]
    return max(large, key=lambda box: (box.score, box.area))


class FaceLandmarker:
    """dlib detector + 68-point predictor, safe to call from several threads.

    The predictor (100 MB) is loaded once and shared under a lock (a fit takes ~1 ms); each thread
    gets its own detector, which is cheap to build and keeps scratch state while it scans.
    """

    def __init__(self, model_path: str | Path | None = None):
        import dlib

        self._dlib = dlib
        self._predictor = dlib.shape_predictor(str(model_path or predictor_path()))
        self._predictor_lock = threading.Lock()
        self._local = threading.local()

    def _detector(self):
        detector = getattr(self._local, "detector", None)
        if detector is None:
            detector = self._local.detector = self._dlib.get_frontal_face_detector()
        return detector

    def find_faces(self, image: Image.Image) -> list[FaceBox]:
        """Every candidate face in an RGB photo, scores from dlib, boxes in photo pixels."""
        long_side = max(image.size)
        scale = min(1.0, DETECT_MAX_SIDE / long_side)
        scale = max(scale, DETECT_MIN_SIDE / long_side)
        work = image
        if scale != 1.0:
            size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
            work = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        pixels = np.asarray(work, dtype=np.uint8)
        detector = self._detector()
        boxes: list[FaceBox] = []
        for upsample in (0, 1):  # the cheap pass finds booth-sized faces; the second finds small ones
            rects, scores, _ = detector.run(pixels, upsample, MIN_SCORE)
            boxes = [
                FaceBox(
                    r.left() / scale, r.top() / scale, (r.right() + 1) / scale, (r.bottom() + 1) / scale, s
                )
                for r, s in zip(rects, scores, strict=True)
            ]
            if boxes:
                break
        return boxes

    def fit(self, image: Image.Image, box: FaceBox) -> np.ndarray:
        """68 landmarks (x, y) in photo pixel coordinates, fitted on a crop around `box`."""
        margin = 0.5 * box.width
        left = max(0, int(np.floor(box.left - margin)))
        top = max(0, int(np.floor(box.top - margin)))
        right = min(image.width, int(np.ceil(box.right + margin)))
        bottom = min(image.height, int(np.ceil(box.bottom + margin)))
        crop = image.crop((left, top, right, bottom))
        scale = float(np.clip(1.0, FIT_MIN_BOX / box.width, FIT_MAX_BOX / box.width))
        if scale != 1.0:
            size = (max(1, round(crop.width * scale)), max(1, round(crop.height * scale)))
            scale_x, scale_y = size[0] / crop.width, size[1] / crop.height
            crop = crop.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        else:
            scale_x = scale_y = 1.0
        rect = self._dlib.rectangle(
            round((box.left - left + 0.5) * scale_x - 0.5),
            round((box.top - top + 0.5) * scale_y - 0.5),
            round((box.right - left + 0.5) * scale_x - 1.5),
            round((box.bottom - top + 0.5) * scale_y - 1.5),
        )
        pixels = np.asarray(crop, dtype=np.uint8)
        with self._predictor_lock:
            shape = self._predictor(pixels, rect)
        points = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
        # crop pixel index -> photo pixel index (pixel centres map onto pixel centres)
        points[:, 0] = (points[:, 0] + 0.5) / scale_x - 0.5 + left
        points[:, 1] = (points[:, 1] + 0.5) / scale_y - 0.5 + top
        return points

    def landmarks(self, image: Image.Image) -> np.ndarray:
        """(68, 2) float64 landmarks of the chosen face, or NoFaceError."""
        face = choose_face(self.find_faces(image))
        if face is None:
            raise NoFaceError()
        return self.fit(image, face)


_LOADING = threading.Lock()


@functools.cache
def _load_default() -> FaceLandmarker:
    return FaceLandmarker()


def default_landmarker() -> FaceLandmarker:
    """One landmarker per process, loaded on first use (the lock stops two threads loading it twice)."""
    with _LOADING:
        return _load_default()
