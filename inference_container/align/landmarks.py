"""Find the attendee's face and its 68 landmarks with dlib.

As SAM's own alignment script does it (SAM_FACTS.md 1a): dlib's detector with one pyramid upsampling at
the photo's native resolution, then the 68-point fit on the photo's own pixels inside the detector's box.
SAM's output depends on that crop, so only very large photos (long side above DETECT_MAX_SIDE) are
detected on a scaled copy, their boxes mapped back; the fit always runs at native resolution.
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
#: SAM's own alignment detects with one pyramid upsampling at the photo's native size. Only photos with a
#: long side above DETECT_MAX_SIDE are scaled down for detection (upsample 1 on a 4000 px photo takes
#: seconds; 1600 px takes about 1 s on two cores) and tiny ones below DETECT_MIN_SIDE scaled up; the boxes are
#: then mapped back to native pixels.
DETECT_MAX_SIDE, DETECT_MIN_SIDE = 1600, 400
DETECT_UPSAMPLE = 1
#: dlib's own default threshold: weaker detections are false more often than not.
MIN_SCORE = 0.0
#: A candidate face smaller than this fraction of the largest candidate's area is never the main face.
MIN_RELATIVE_AREA = 0.25
#: Every face at least this fraction of the photo's shorter side wide is aged (photo layout) ...
MIN_FACE_FRACTION = 0.06
#: ... up to this many, largest first ...
MAX_FACES = 8
#: ... and besides the main face, only confident ones: dlib scores a round mission patch about 0.1.
OTHER_FACE_MIN_SCORE = 0.3


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
        """Every candidate face in an RGB photo (dlib, upsample 1), scores from dlib, boxes in photo pixels."""
        long_side = max(image.size)
        scale = 1.0
        if long_side > DETECT_MAX_SIDE:
            scale = DETECT_MAX_SIDE / long_side
        elif long_side < DETECT_MIN_SIDE:
            scale = DETECT_MIN_SIDE / long_side
        work = image
        if scale != 1.0:
            size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
            work = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
            scale_x, scale_y = size[0] / image.width, size[1] / image.height
        else:
            scale_x = scale_y = 1.0
        rects, scores, _ = self._detector().run(np.asarray(work, dtype=np.uint8), DETECT_UPSAMPLE, MIN_SCORE)
        # dlib's right/bottom are inclusive; a FaceBox's are exclusive edges, in native pixel-edge coordinates
        return [FaceBox(r.left() / scale_x, r.top() / scale_y, (r.right() + 1) / scale_x,
                        (r.bottom() + 1) / scale_y, float(s))
                for r, s in zip(rects, scores, strict=True)]

    def fit(self, image: Image.Image | np.ndarray, box: FaceBox) -> np.ndarray:
        """68 landmarks (x, y) in photo pixel coordinates, fitted at native resolution on `box`.

        As SAM's alignment does: the predictor sees the photo's own pixels and the detector's rectangle
        (for a natively detected box exactly dlib's; for a mapped-back one its rounding).
        """
        pixels = np.asarray(image, dtype=np.uint8)
        rect = self._dlib.rectangle(round(box.left), round(box.top), round(box.right) - 1, round(box.bottom) - 1)
        with self._predictor_lock:
            shape = self._predictor(pixels, rect)
        return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)

    def all_faces(self, image: Image.Image) -> tuple[list[tuple[FaceBox, np.ndarray]], int]:
        """Every face to age (photo layout), largest first, each with its landmarks, and the main face's
        index in that list. NoFaceError when there is none.

        The main face (choose_face) is always among them; others need MIN_FACE_FRACTION of the shorter
        side and OTHER_FACE_MIN_SCORE, at most MAX_FACES in all.
        """
        boxes = self.find_faces(image)
        main = choose_face(boxes)
        if main is None:
            raise NoFaceError()
        least = MIN_FACE_FRACTION * min(image.size)
        others = [box for box in boxes if box is not main and box.width >= least
                  and box.score >= OTHER_FACE_MIN_SCORE]
        chosen = sorted([main, *others], key=lambda box: box.area, reverse=True)[:MAX_FACES]
        if main not in chosen:
            chosen[-1] = main
        pixels = np.asarray(image, dtype=np.uint8)
        return [(box, self.fit(pixels, box)) for box in chosen], chosen.index(main)

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
