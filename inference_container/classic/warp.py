"""Shape changes by age as one smooth displacement field built from landmark-anchored pushes.

Each change (a jowl sagging, an eye growing) is a Gaussian-weighted translation or scaling
around a landmark, so the field is smooth everywhere and fades to zero away from the face:
the background does not move. The field is evaluated on a coarse grid and upsampled.
"""

from __future__ import annotations

import cv2
import numpy as np

from inference_container.classic.geometry import Face

#: The displacement field is computed on a grid this many times coarser than the image.
GRID_STEP = 4


class FieldBuilder:
    """Accumulates displacements (in pixels, forward: content at x moves to x + D) on a grid."""

    def __init__(self, shape: tuple[int, int], step: int = GRID_STEP):
        self.shape = shape
        gh, gw = (shape[0] + step - 1) // step + 1, (shape[1] + step - 1) // step + 1
        yy, xx = np.mgrid[0:gh, 0:gw].astype(np.float32)
        self.xx, self.yy = xx * step, yy * step
        self.dx = np.zeros((gh, gw), dtype=np.float32)
        self.dy = np.zeros((gh, gw), dtype=np.float32)
        self.step = step

    def _weight(self, centre: np.ndarray, radius: float) -> np.ndarray:
        r2 = (self.xx - centre[0]) ** 2 + (self.yy - centre[1]) ** 2
        return np.exp(-r2 / (2.0 * radius * radius))

    def push(self, centre: np.ndarray, radius: float, vector: np.ndarray) -> None:
        """Move the content around `centre` by `vector`, fading over `radius` pixels."""
        g = self._weight(centre, radius)
        self.dx += g * float(vector[0])
        self.dy += g * float(vector[1])

    def scale(self, centre: np.ndarray, radius: float, factor: float) -> None:
        """Grow (factor > 1) or shrink the content around `centre`, fading over `radius`."""
        g = self._weight(centre, radius) * (factor - 1.0)
        self.dx += g * (self.xx - centre[0])
        self.dy += g * (self.yy - centre[1])

    def maps(self) -> tuple[np.ndarray, np.ndarray]:
        """Full-size backward maps for cv2.remap (source = x - D(x), first-order inverse)."""
        h, w = self.shape
        size = (self.dx.shape[1] * self.step, self.dx.shape[0] * self.step)
        dx = cv2.resize(self.dx, size, interpolation=cv2.INTER_LINEAR)[:h, :w]
        dy = cv2.resize(self.dy, size, interpolation=cv2.INTER_LINEAR)[:h, :w]
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        return xx - dx, yy - dy


def age_field(shape: tuple[int, int], face: Face, older: float, younger: float) -> FieldBuilder:
    """The displacement field of one target age (both strengths 0: no movement)."""
    f = FieldBuilder(shape)
    d = face.eye_distance
    p = face.points
    if older > 0:
        s = older
        for i in (3, 4, 5, 11, 12, 13):  # jowls sag and spread a little
            out = face.mirror_dx(i)
            f.push(p[i], 0.28 * d, face.vector(0.025 * out * s, 0.09 * s))
        for i in (6, 7, 8, 9, 10):  # chin and lower jaw drop
            f.push(p[i], 0.25 * d, face.vector(0.0, 0.045 * s))
        for eye, side in ((face.right_eye, -1), (face.left_eye, 1)):  # cheeks sag
            f.push(face.offset(eye, 0.15 * side, 0.75), 0.35 * d, face.vector(0.0, 0.05 * s))
        f.push(p[33], 0.22 * d, face.vector(0.0, 0.05 * s))  # nose lengthens, tip droops
        f.push(p[30], 0.18 * d, face.vector(0.0, 0.03 * s))
        for i in (50, 51, 52):  # upper lip thins
            f.push(face.offset(p[i], 0, -0.02), 0.1 * d, face.vector(0.0, 0.035 * s))
        for i in (56, 57, 58):  # lower lip thins
            f.push(face.offset(p[i], 0, 0.02), 0.11 * d, face.vector(0.0, -0.03 * s))
        for i in (48, 54):  # mouth corners droop
            f.push(p[i], 0.1 * d, face.vector(0.0, 0.035 * s))
        for i in (37, 38, 43, 44):  # upper lids and brows lower, eyes narrow
            f.push(p[i], 0.08 * d, face.vector(0.0, 0.025 * s))
        for i in (17, 18, 25, 26):
            f.push(p[i], 0.16 * d, face.vector(0.0, 0.035 * s))
        for i, side in ((1, -1), (15, 1)):  # ear lobes lengthen
            f.push(face.offset(p[i], 0.18 * side, 0.25), 0.22 * d, face.vector(0.0, 0.06 * s))
    if younger > 0:
        y = younger
        for i in (2, 3, 4, 5, 11, 12, 13, 14):  # rounder, fuller cheeks
            out = face.mirror_dx(i)
            f.push(p[i], 0.32 * d, face.vector(0.05 * out * y, -0.02 * y))
        for i in (6, 7, 8, 9, 10):  # smaller chin, shorter lower face
            f.push(p[i], 0.3 * d, face.vector(0.0, -0.09 * y))
        f.push(p[57], 0.35 * d, face.vector(0.0, -0.04 * y))
        for eye in (face.right_eye, face.left_eye):  # larger eyes
            f.scale(eye, 0.2 * d, 1.0 + 0.22 * y)
        f.scale(p[33], 0.22 * d, 1.0 - 0.18 * y)  # smaller nose
        f.push(p[33], 0.25 * d, face.vector(0.0, -0.05 * y))
        mouth = (p[48] + p[54]) / 2
        f.push(face.offset(p[51], 0, -0.02), 0.09 * d, face.vector(0.0, -0.025 * y))  # fuller lips
        f.push(face.offset(p[57], 0, 0.02), 0.1 * d, face.vector(0.0, 0.03 * y))
        f.push(mouth, 0.3 * d, face.vector(0.0, -0.05 * y))
    return f


def apply(image: np.ndarray, field: FieldBuilder) -> np.ndarray:
    """Warp `image` (HxWxC) by `field`; pixels beyond the border repeat the edge."""
    if not field.dx.any() and not field.dy.any():
        return image
    map_x, map_y = field.maps()
    return cv2.remap(image, map_x, map_y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
