"""Shape changes by age as one smooth displacement field built from landmark-anchored pushes.

Each change (a jowl sagging, an eye growing) is a bell-weighted translation or scaling
around a landmark, so the field is smooth everywhere and fades to zero away from the face:
the background does not move (the bell is exactly zero three radii out). The field is evaluated on a coarse grid and upsampled.
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

    def _region(self, centre: np.ndarray, radius: float):
        """Grid slices covering the bell's support (3 radii), and the bell's weights on them."""
        reach = 3.0 * radius
        gh, gw = self.dx.shape
        c0 = int(np.clip(np.floor((centre[0] - reach) / self.step), 0, gw))
        c1 = int(np.clip(np.ceil((centre[0] + reach) / self.step) + 1, 0, gw))
        r0 = int(np.clip(np.floor((centre[1] - reach) / self.step), 0, gh))
        r1 = int(np.clip(np.ceil((centre[1] + reach) / self.step) + 1, 0, gh))
        rows, cols = slice(r0, r1), slice(c0, c1)
        xx, yy = self.xx[rows, cols], self.yy[rows, cols]
        r2 = (xx - centre[0]) ** 2 + (yy - centre[1]) ** 2
        # Like a Gaussian of sigma `radius`, but exactly zero beyond 3 radii (compact support).
        weight = np.maximum(1.0 - r2 / (9.0 * radius * radius), 0.0) ** 3
        return rows, cols, weight, xx, yy

    def push(self, centre: np.ndarray, radius: float, vector: np.ndarray) -> None:
        """Move the content around `centre` by `vector`, fading over `radius` pixels."""
        rows, cols, g, _, _ = self._region(centre, radius)
        self.dx[rows, cols] += g * float(vector[0])
        self.dy[rows, cols] += g * float(vector[1])

    def scale(self, centre: np.ndarray, radius: float, factor: float) -> None:
        """Grow (factor > 1) or shrink the content around `centre`, fading over `radius`."""
        rows, cols, g, xx, yy = self._region(centre, radius)
        g = g * (factor - 1.0)
        self.dx[rows, cols] += g * (xx - centre[0])
        self.dy[rows, cols] += g * (yy - centre[1])

    def is_identity(self) -> bool:
        return not self.dx.any() and not self.dy.any()

    def maps(self) -> tuple[np.ndarray, np.ndarray]:
        """Full-size backward maps for cv2.remap (source = x - D(x), first-order inverse)."""
        h, w = self.shape
        gh, gw = self.dx.shape
        # Grid node i sits on pixel i*step: an affine upsampling keeps that exact.
        scale = np.array([[1.0 / self.step, 0, 0], [0, 1.0 / self.step, 0]], dtype=np.float64)
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        dx = cv2.warpAffine(self.dx, scale, (w, h), flags=flags, borderMode=cv2.BORDER_REPLICATE)
        dy = cv2.warpAffine(self.dy, scale, (w, h), flags=flags, borderMode=cv2.BORDER_REPLICATE)
        return np.arange(w, dtype=np.float32)[None, :] - dx, np.arange(h, dtype=np.float32)[:, None] - dy

    def strain(self, origin: np.ndarray, up: np.ndarray, k: float, inner: float, reach: float) -> None:
        """Cardioidal strain about `origin`: R' = R (1 + k (1 - cos theta)), theta from `up`.

        The growth model of perception research: k > 0 lengthens the lower face (growing up), k < 0
        shortens it (a younger child); the crown barely moves. Full up to `inner` pixels from the
        origin, it fades to zero at `reach`, so the backdrop stays still.
        """
        rx, ry = self.xx - origin[0], self.yy - origin[1]
        r = np.sqrt(rx * rx + ry * ry) + 1e-6
        cos_theta = (rx * up[0] + ry * up[1]) / r
        t = np.clip((r - inner) / max(reach - inner, 1.0), 0.0, 1.0)
        fade = 1.0 - t * t * (3.0 - 2.0 * t)
        factor = k * (1.0 - cos_theta) * fade
        self.dx += factor * rx
        self.dy += factor * ry

    def taper_edges(self, margin: float) -> None:
        """Fade every displacement to zero over `margin` pixels at the picture's edges, so the
        last rows and columns never smear (their source would lie outside the picture)."""
        h, w = self.shape
        edge = np.minimum.reduce([self.xx, self.yy, (w - 1) - self.xx, (h - 1) - self.yy])
        # Exactly still for the outer grid cell (its pixels interpolate between zeros), then a ramp.
        t = np.clip((edge - self.step) / max(margin, 1.0), 0.0, 1.0)
        fade = t * t * (3.0 - 2.0 * t)
        self.dx *= fade
        self.dy *= fade


def age_field(shape: tuple[int, int], face: Face, sag: float, growth: float) -> FieldBuilder:
    """The displacement field of one frame: `sag` (signed shape ageing, negative lifts) and
    `growth` (target over current lower-face length, by a cardioidal strain)."""
    f = FieldBuilder(shape)
    d = face.eye_distance
    p = face.points
    s = sag
    if s != 0:
        for i in (3, 4, 5, 11, 12, 13):  # jowls sag and spread a little
            out = face.mirror_dx(i)
            f.push(p[i], 0.28 * d, face.vector(0.02 * out * s, 0.08 * s))
        for i in (6, 7, 8, 9, 10):  # chin and lower jaw drop
            f.push(p[i], 0.25 * d, face.vector(0.0, 0.035 * s))
        for eye, side in ((face.right_eye, -1), (face.left_eye, 1)):  # cheeks sag
            f.push(face.offset(eye, 0.15 * side, 0.75), 0.35 * d, face.vector(0.0, 0.045 * s))
        for i in (50, 51, 52):  # upper lip thins
            f.push(face.offset(p[i], 0, -0.02), 0.1 * d, face.vector(0.0, 0.03 * s))
        for i in (56, 57, 58):  # lower lip thins
            f.push(face.offset(p[i], 0, 0.02), 0.11 * d, face.vector(0.0, -0.025 * s))
        for i in (48, 54):  # mouth corners droop
            f.push(p[i], 0.1 * d, face.vector(0.0, 0.03 * s))
        for i in (37, 38, 43, 44):  # upper lids lower, eyes narrow
            f.push(p[i], 0.08 * d, face.vector(0.0, 0.02 * s))
        for i in (17, 18, 25, 26):  # brow tails lower
            f.push(p[i], 0.16 * d, face.vector(0.0, 0.03 * s))
    if growth != 1.0:
        # Below the origin (theta = pi) the strain stretches by 1 + 2k. Half of the lower face's
        # change is made by the strain (more stretches the neck visibly); the rest is left to the
        # larger eyes, smaller nose and rounder cheeks below.
        k = (np.sqrt(growth) - 1.0) / 2.0
        origin = face.offset((face.right_eye + face.left_eye) / 2, 0.0, -0.6)
        chin = float(np.hypot(*(p[8] - origin)))
        f.strain(origin, -face.y_axis, k, chin - 0.3 * d, chin + 1.4 * d)
        # Eyes keep nearly their size through growth, so in a smaller face they look larger.
        for eye in (face.right_eye, face.left_eye):
            f.scale(eye, 0.2 * d, growth**-0.8)
        # A child's nose is smaller and its cheeks rounder.
        f.scale(p[33], 0.22 * d, growth**0.8)
        for i in (2, 3, 4, 12, 13, 14):
            f.push(p[i], 0.3 * d, face.vector(0.2 * face.mirror_dx(i) * (1.0 - growth), 0.0))
    f.taper_edges(0.06 * max(shape))
    return f


def apply(image: np.ndarray, field: FieldBuilder) -> np.ndarray:
    """Warp `image` (HxWxC) by `field`; only the region the field moves is resampled."""
    if field.is_identity():
        return image
    moving = (np.abs(field.dx) > 1e-3) | (np.abs(field.dy) > 1e-3)
    rows, cols = np.nonzero(moving)
    step, h, w = field.step, image.shape[0], image.shape[1]
    y0, y1 = max((rows.min() - 1) * step, 0), min((rows.max() + 1) * step + 1, h)
    x0, x1 = max((cols.min() - 1) * step, 0), min((cols.max() + 1) * step + 1, w)
    map_x, map_y = field.maps()
    out = image.copy()
    out[y0:y1, x0:x1] = cv2.remap(
        image,
        map_x[y0:y1, x0:x1],
        map_y[y0:y1, x0:x1],
        interpolation=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return out
