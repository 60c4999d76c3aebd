"""FFHQ-style face crop from 68 landmarks, as SAM's own alignment does it (SAM_FACTS.md §1b).

An oriented square is placed from the eyes and mouth; the photo is shrunk when the square is much
larger than the output, cropped around it, reflect-padded (blurred and faded toward the median colour)
where the square sticks out of the photo, and finally resampled with PIL's QUAD transform.
Every step is tracked as an affine map so that landmarks can follow the face into the crop.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

#: SAM's repo aligns straight to 256; larger outputs are resampled from full resolution instead.
BASE_TRANSFORM_SIZE = 256


@dataclass(frozen=True)
class AlignedFace:
    """The aligned image and the 3x3 matrix that maps photo pixel (x, y, 1) to aligned pixel coords."""

    image: Image.Image
    matrix: np.ndarray

    def map_points(self, points: np.ndarray) -> np.ndarray:
        """(N, 2) photo pixel coordinates -> (N, 2) aligned-image pixel coordinates."""
        points = np.asarray(points, dtype=np.float64)
        homogeneous = np.column_stack([points, np.ones(len(points))])
        return (homogeneous @ self.matrix.T)[:, :2]


def oriented_quad(landmarks: np.ndarray) -> tuple[np.ndarray, float]:
    """The crop square (TL, BL, BR, TR corners, photo pixels) and its side length."""
    lm = np.asarray(landmarks, dtype=np.float64)
    eye_left, eye_right = lm[36:42].mean(axis=0), lm[42:48].mean(axis=0)
    eye_avg = (eye_left + eye_right) / 2
    eye_to_eye = eye_right - eye_left
    mouth_avg = (lm[48] + lm[54]) / 2
    eye_to_mouth = mouth_avg - eye_avg
    x = eye_to_eye + np.array([eye_to_mouth[1], -eye_to_mouth[0]])
    x /= np.hypot(*x)
    x *= max(2.0 * np.hypot(*eye_to_eye), 1.8 * np.hypot(*eye_to_mouth))
    y = np.array([-x[1], x[0]])
    centre = eye_avg + 0.1 * eye_to_mouth
    quad = np.stack([centre - x - y, centre - x + y, centre + x + y, centre + x - y])
    return quad, 2.0 * float(np.hypot(*x))


def _scale_translate(sx: float, sy: float, tx: float, ty: float) -> np.ndarray:
    return np.array([[sx, 0.0, tx], [0.0, sy, ty], [0.0, 0.0, 1.0]])


def _resize_matrix(old: tuple[int, int], new: tuple[int, int]) -> np.ndarray:
    """Pixel-index map of a resize: pixel centres (i + 0.5) scale with the size."""
    sx, sy = new[0] / old[0], new[1] / old[1]
    return _scale_translate(sx, sy, 0.5 * sx - 0.5, 0.5 * sy - 0.5)


def _fade_padding(pixels: np.ndarray, pad: tuple[int, int, int, int], qsize: float) -> np.ndarray:
    """Blur the reflected border and fade it toward the median colour, so it reads as background."""
    height, width, _ = pixels.shape
    ys, xs = np.ogrid[:height, :width]
    with np.errstate(divide="ignore"):
        horizontal = 1.0 - np.minimum(xs / np.float32(pad[0]), (width - 1 - xs) / np.float32(pad[2]))
        vertical = 1.0 - np.minimum(ys / np.float32(pad[1]), (height - 1 - ys) / np.float32(pad[3]))
    mask = np.maximum(horizontal, vertical).astype(np.float32)[:, :, None]
    sigma = 0.02 * qsize
    blurred = cv2.GaussianBlur(pixels, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT)
    pixels = pixels + (blurred - pixels) * np.clip(mask * 3.0 + 1.0, 0.0, 1.0)
    median = np.median(pixels, axis=(0, 1))
    pixels = pixels + (median - pixels) * np.clip(mask, 0.0, 1.0)
    return np.clip(np.rint(pixels), 0, 255).astype(np.uint8)


def align_ffhq(photo: Image.Image, landmarks: np.ndarray, output_size: int = 256) -> AlignedFace:
    """Crop the face of an RGB photo to an `output_size` square, FFHQ style."""
    transform_size = max(output_size, BASE_TRANSFORM_SIZE)
    quad, qsize = oriented_quad(landmarks)
    matrix = np.eye(3)

    # Shrink and crop in one resample: only the crop of the shrunk photo is ever computed, which
    # keeps an 8000x6000 photo as cheap as a small one (same pixels as shrinking it all first).
    size = photo.size
    shrink = int(np.floor(qsize / transform_size * 0.5))
    if shrink > 1:
        size = (int(np.rint(photo.width / shrink)), int(np.rint(photo.height / shrink)))
        matrix = _resize_matrix(photo.size, size) @ matrix
        quad /= shrink
        qsize /= shrink

    border = max(int(np.rint(qsize * 0.1)), 3)
    low, high = np.floor(quad.min(axis=0)), np.ceil(quad.max(axis=0))
    crop = (
        max(int(low[0]) - border, 0),
        max(int(low[1]) - border, 0),
        min(int(high[0]) + border, size[0]),
        min(int(high[1]) + border, size[1]),
    )
    if crop[2] - crop[0] >= size[0] and crop[3] - crop[1] >= size[1]:
        crop = (0, 0, *size)
    if shrink > 1:
        scale_x, scale_y = photo.width / size[0], photo.height / size[1]
        box = (crop[0] * scale_x, crop[1] * scale_y, crop[2] * scale_x, crop[3] * scale_y)
        image = photo.resize((crop[2] - crop[0], crop[3] - crop[1]), Image.Resampling.LANCZOS, box=box)
    else:
        image = photo.crop(crop) if crop != (0, 0, *size) else photo
    quad -= crop[:2]
    matrix = _scale_translate(1, 1, -crop[0], -crop[1]) @ matrix

    low, high = np.floor(quad.min(axis=0)), np.ceil(quad.max(axis=0))
    pad = (
        max(-int(low[0]) + border, 0),
        max(-int(low[1]) + border, 0),
        max(int(high[0]) - image.width + border, 0),
        max(int(high[1]) - image.height + border, 0),
    )
    if max(pad) > border - 4:
        least = int(np.rint(qsize * 0.3))
        pad = tuple(max(side, least) for side in pad)
        padded = np.pad(
            np.asarray(image, dtype=np.float32), ((pad[1], pad[3]), (pad[0], pad[2]), (0, 0)), mode="reflect"
        )
        image = Image.fromarray(_fade_padding(padded, pad, qsize), "RGB")
        quad += pad[:2]
        matrix = _scale_translate(1, 1, pad[0], pad[1]) @ matrix

    image = image.transform(
        (transform_size, transform_size),
        Image.Transform.QUAD,
        (quad + 0.5).flatten(),
        Image.Resampling.BILINEAR,
    )
    matrix = _quad_inverse(quad, transform_size) @ matrix
    if output_size != transform_size:
        matrix = _resize_matrix(image.size, (output_size, output_size)) @ matrix
        image = image.resize((output_size, output_size), Image.Resampling.LANCZOS)
    return AlignedFace(image, matrix)


def _quad_inverse(quad: np.ndarray, size: int) -> np.ndarray:
    """Map source pixel index -> output pixel index of PIL's QUAD transform of a parallelogram.

    PIL samples output pixel centre (x + 0.5, y + 0.5) at TL + u (TR - TL) + v (BL - TL) in source
    pixel-index terms, with u = (x + 0.5) / size (likewise v); that map is inverted here.
    """
    top_left, bottom_left, _, top_right = quad
    forward = np.eye(3)
    forward[:2, 0] = (top_right - top_left) / size
    forward[:2, 1] = (bottom_left - top_left) / size
    forward[:2, 2] = top_left + 0.5 * (forward[:2, 0] + forward[:2, 1])
    return np.linalg.inv(forward)
