"""Face alignment in front of every engine: dlib landmarks, then SAM's FFHQ-style crop.

`align_face(photo)` is what SAM expects as input (256x256, eyes and mouth at FFHQ positions);
`align_face_with_landmarks` also returns the landmarks inside the crop, for engines that warp faces.
Photos may be bytes, paths or PIL images of any mode; EXIF orientation is honoured.
Safe to call from several threads.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from booth_core.photo import load_photo
from inference_container.align.ffhq import AlignedFace, align_ffhq, oriented_quad
from inference_container.align.landmarks import FaceBox, FaceLandmarker, default_landmarker

PhotoSource = Image.Image | bytes | str


def detect_landmarks(image: PhotoSource) -> np.ndarray:
    """(68, 2) float64 dlib landmarks (x, y) of the main face, in the upright photo's pixels.

    Raises NoFaceError when there is no face and BadImageError when the photo can't be decoded.
    """
    return default_landmarker().landmarks(load_photo(image))


def align_face_with_landmarks(image: PhotoSource, output_size: int = 256) -> tuple[Image.Image, np.ndarray]:
    """The aligned RGB face (output_size square) and its 68 landmarks in the aligned image's pixels."""
    photo = load_photo(image)
    landmarks = default_landmarker().landmarks(photo)
    aligned = align_ffhq(photo, landmarks, output_size)
    return aligned.image, aligned.map_points(landmarks)


def align_face(image: PhotoSource, output_size: int = 256) -> Image.Image:
    """The aligned RGB face, output_size x output_size (256 is SAM's input)."""
    return align_face_with_landmarks(image, output_size)[0]


__all__ = [
    "AlignedFace",
    "FaceBox",
    "FaceLandmarker",
    "align_face",
    "align_face_with_landmarks",
    "align_ffhq",
    "default_landmarker",
    "detect_landmarks",
    "oriented_quad",
]
