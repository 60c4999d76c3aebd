"""Skin colour and evenness by age, in CIE Lab (L 0-100, a/b around 0), plus age spots.

Older skin loses saturation, turns slightly yellow and blotchy and gains brown spots; younger skin
is smoother, more even and a little rosier. Every change is weighted by the soft skin mask.
"""

from __future__ import annotations

import cv2
import numpy as np

from inference_container.classic.geometry import Face
from inference_container.classic.masks import polygon
from inference_container.classic.strength import ramp


def blotch_field(shape: tuple[int, int], face: Face, seed: int) -> np.ndarray:
    """Smooth zero-mean noise (-1..1) with blobs about a fifth of an eye distance wide."""
    rng = np.random.default_rng(seed)
    small = (max(shape[0] // 8, 8), max(shape[1] // 8, 8))
    noise = rng.standard_normal(small).astype(np.float32)
    noise = cv2.GaussianBlur(noise, (0, 0), max(0.025 * face.eye_distance, 0.8))
    noise = cv2.resize(noise, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
    return noise / (np.abs(noise).max() + 1e-6)


def spot_layers(
    shape: tuple[int, int], face: Face, skin: np.ndarray, count: int = 18
) -> tuple[np.ndarray, np.ndarray]:
    """Two layers of soft brown spots (early and late onset) on cheeks, temples and forehead."""
    rng = np.random.default_rng(4242)
    d = face.eye_distance
    p = face.points
    # Candidate zones: upper cheeks/temples on both sides and the forehead, in face coordinates.
    zones = [
        (p[1], 0.25, -0.2),
        (p[15], -0.25, -0.2),
        (p[0], 0.3, -0.55),
        (p[16], -0.3, -0.55),
        ((p[21] + p[22]) / 2, 0.0, -0.55),
        (p[3], 0.3, 0.0),
        (p[13], -0.3, 0.0),
    ]
    early = np.zeros(shape, dtype=np.float32)
    late = np.zeros(shape, dtype=np.float32)
    for k in range(count):
        base, dx, dy = zones[k % len(zones)]
        centre = face.offset(base, dx + rng.normal(0, 0.13), dy + rng.normal(0, 0.13))
        x, y = int(round(centre[0])), int(round(centre[1]))
        if not (0 <= x < shape[1] and 0 <= y < shape[0]) or skin[y, x] < 0.5:
            continue
        axes = (max(int(d * rng.uniform(0.012, 0.035)), 1), max(int(d * rng.uniform(0.01, 0.028)), 1))
        target = early if k % 3 == 0 else late
        stamp = np.zeros(shape, dtype=np.float32)
        cv2.ellipse(stamp, (x, y), axes, rng.uniform(0, 180), 0, 360, rng.uniform(0.5, 1.0), -1, cv2.LINE_AA)
        np.maximum(target, stamp, out=target)
    sigma = max(0.01 * d, 0.7)
    return cv2.GaussianBlur(early, (0, 0), sigma) * skin, cv2.GaussianBlur(late, (0, 0), sigma) * skin


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


def older_skin(
    lab: np.ndarray, skin: np.ndarray, blotch: np.ndarray, spots: tuple[np.ndarray, np.ndarray], s: float
) -> None:
    """Age the skin colour in place: less saturation, a yellow cast, blotches and spots."""
    if s <= 0:
        return
    L, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    w = skin * min(s, 1.1)
    a *= 1.0 - 0.2 * w
    b *= 1.0 - 0.12 * w
    b += 3.0 * w
    L *= 1.0 + 0.045 * w * blotch
    a += 2.5 * w * blotch
    spot = ramp(s, 0.2, 0.7) * spots[0] + ramp(s, 0.5, 1.0) * spots[1]
    L -= 14.0 * spot
    a += 3.0 * spot
    b += 8.0 * spot


def younger_skin(lab: np.ndarray, smooth: np.ndarray, skin: np.ndarray, cheeks: np.ndarray, y: float) -> None:
    """Rejuvenate the skin in place: smoothed texture, even tone, a little rosier and brighter."""
    if y <= 0:
        return
    w = skin * y
    lab += (smooth - lab) * (0.9 * w)[..., None]
    L, a = lab[..., 0], lab[..., 1]
    a *= 1.0 + 0.04 * w
    a += 2.5 * y * cheeks * skin
    L += 2.5 * w
