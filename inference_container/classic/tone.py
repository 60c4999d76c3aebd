"""Skin colour and evenness by age, in CIE Lab (L 0-100, a/b around 0).

Older skin loses saturation and turns slightly yellow and uneven; younger skin is smoother, more
even and a little rosier, and a child's lower face has no beard shadow. Every change is weighted
by soft masks, and works on colour differences from the sitter's own skin, so a side-lit face
keeps its light and shade (no seam where the shadow begins).
"""

from __future__ import annotations

import cv2
import numpy as np

from inference_container.classic.geometry import Face
from inference_container.classic.masks import polygon


def blotch_field(shape: tuple[int, int], face: Face, seed: int) -> np.ndarray:
    """Smooth zero-mean noise (-1..1) with blobs about a fifth of an eye distance wide."""
    rng = np.random.default_rng(seed)
    small = (max(shape[0] // 8, 8), max(shape[1] // 8, 8))
    noise = rng.standard_normal(small).astype(np.float32)
    noise = cv2.GaussianBlur(noise, (0, 0), max(0.025 * face.eye_distance, 0.8))
    noise = cv2.resize(noise, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
    return noise / (np.abs(noise).max() + 1e-6)


def cheek_mask(shape: tuple[int, int], face: Face) -> np.ndarray:
    """Soft round patches on the cheeks, where a child's face is rosiest."""
    d = face.eye_distance
    mask = np.zeros(shape, dtype=np.float32)
    for eye, side in ((face.right_eye, -1), (face.left_eye, 1)):
        c = face.offset(eye, 0.12 * side, 0.55)
        mask = np.maximum(
            mask,
            polygon(
                shape, cv2.ellipse2Poly((int(c[0]), int(c[1])), (int(0.28 * d), int(0.22 * d)), 0, 0, 360, 10)
            ),
        )
    return cv2.GaussianBlur(mask, (0, 0), 0.12 * d)


def beard_zone(shape: tuple[int, int], face: Face) -> np.ndarray:
    """Soft mask of where beard and beard shadow grow: upper lip, chin, jaw, less the lips."""
    p = face.points
    d = face.eye_distance
    outline = np.concatenate([p[3:14], [face.offset(p[35], 0.15, 0.0), face.offset(p[31], -0.15, 0.0)]])
    zone = polygon(shape, outline) * (1.0 - polygon(shape, p[48:60]))
    return cv2.GaussianBlur(zone, (0, 0), max(0.06 * d, 1.0))


def older_skin(lab: np.ndarray, skin: np.ndarray, blotch: np.ndarray, s: float) -> None:
    """Age the skin colour in place: less saturation, a slight yellow cast, uneven tone."""
    if s <= 0:
        return
    L, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    w = skin * min(s, 1.15)
    a *= 1.0 - 0.18 * w
    b *= 1.0 - 0.1 * w
    b += 1.0 * w
    L *= 1.0 + 0.03 * w * blotch
    a += 1.5 * w * blotch


def younger_skin(
    lab: np.ndarray, smooth_lab: np.ndarray, skin: np.ndarray, cheeks: np.ndarray, amount: float
) -> None:
    """Rejuvenate the skin in place: creases and blemishes smoothed away, even tone, a little rosier."""
    if amount <= 0:
        return
    w = skin * amount
    lab += (smooth_lab - lab) * (0.92 * w)[..., None]
    lab[..., 1] += 2.0 * amount * cheeks * skin


def remove_beard(lab: np.ndarray, beard_free_lab: np.ndarray, zone: np.ndarray, amount: float) -> None:
    """A child's lower face: the beard (and its shadow) replaced by the skin painted in under it."""
    if amount <= 0:
        return
    lab += (beard_free_lab - lab) * (zone * amount)[..., None]
