"""Every face of a photo, aligned for an engine: the per-face side of the engine interface.

An engine that ages faces implements `FaceEngine`: it gets the aligned crops of every face in a photo
(`FaceCrop`: an FFHQ-aligned square, RGB uint8, with its 68 landmarks in crop pixels) and answers one
aged square per (face, age). The photo pipeline (engine/pipeline.py) does everything else: finding the
faces, aligning them and pasting the aged crops back (engine/compose.py), so that all engines compose
the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from PIL import Image

from inference_container.align.ffhq import align_ffhq, oriented_quad
from inference_container.align.landmarks import FaceBox, default_landmarker


@dataclass(frozen=True)
class FaceCrop:
    """One face of the photo, aligned the FFHQ way.

    image: (S, S, 3) uint8 RGB, S = the engine's `crop_size`. landmarks: (68, 2) float64 (x, y) in crop
    pixels. matrix: 3x3, photo pixel (x, y, 1) -> crop pixel. box: the detection, photo pixels. quad: the
    FFHQ square in photo pixels, corners c-x-y, c-x+y, c+x+y, c+x-y (the original code's order).
    """

    image: np.ndarray
    landmarks: np.ndarray
    matrix: np.ndarray
    box: FaceBox
    quad: np.ndarray

    @property
    def size(self) -> int:
        return self.image.shape[0]

    @property
    def quad_size(self) -> float:
        """The side of the aligned square in photo pixels."""
        return float(np.hypot(*(self.quad[3] - self.quad[0])))


@dataclass(frozen=True)
class FaceFrames:
    """One face aged: `frames[j]` for the j-th asked age, and `ages[j]`, the age that frame shows.

    An engine that can show every age (SAM) answers the asked ages; one that cannot (classic, far from
    the sitter's apparent age) makes the frame at the nearest age it can show and says so here.
    """

    frames: list[np.ndarray]  # each (T, T, 3) uint8 RGB
    ages: list[int]
    apparent_age: float | None = None  # how old the engine took the face to look, where it judges that


class FaceEngine(Protocol):
    """What an engine implements to age faces; `name` is what the booth shows under a picture.

    `crop_size`: the side of the aligned crops it wants (SAM 256, classic its output size).
    `age_faces(faces, ages)`: result[i].frames[j] is faces[i] at ages[j], a (T, T, 3) uint8 RGB square covering
    the same aligned square as the input crop (T may differ from crop_size: SAM answers 1024 for 256), and
    result[i].ages[j] the age it shows. Ages are validated already. It may add step timings (seconds, names
    ending in `_s`) to `timings`. `sitters[i]` is what the attendee said faces[i] is (booth_core.sitter, or
    None): an engine that judges the sitter's age (classic) keeps to it, one that needs no judgement (SAM)
    ignores it.
    """

    name: str
    crop_size: int

    def age_faces(self, faces: Sequence[FaceCrop], ages: Sequence[int],
                  timings: dict[str, float] | None = None,
                  sitters: Sequence[str | None] | None = None) -> list[FaceFrames]: ...


def find_faces(photo: Image.Image, crop_size: int) -> tuple[list[FaceCrop], int]:
    """Every face to age in an upright RGB photo, largest first, aligned to crop_size, and the index of the
    main face (the most confident large one). NoFaceError without a face."""
    found, main = default_landmarker().all_faces(photo)
    crops = []
    for box, landmarks in found:
        aligned = align_ffhq(photo, landmarks, crop_size)
        crops.append(FaceCrop(image=np.asarray(aligned.image.convert("RGB"), dtype=np.uint8),
                              landmarks=aligned.map_points(landmarks), matrix=aligned.matrix, box=box,
                              quad=oriented_quad(landmarks)[0]))
    return crops, main
