"""Procedural wrinkles placed by landmarks, and the fine crepe texture of older skin.

Each wrinkle is a tapered crease: a narrow dark valley with a faint highlight on the side the skin
folds over. Wrinkles appear in onset groups (deep folds first, fine lines later) so that older
targets show more and deeper lines, and every group is pre-rendered once per photo so a new age
costs only a weighted sum.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from inference_container.classic.geometry import Face
from inference_container.classic.strength import ramp

#: Onset strengths of the wrinkle groups (0 = appears as soon as the face is older than the subject).
ONSETS = (0.0, 0.25, 0.5, 0.75)


@dataclass(frozen=True)
class Wrinkle:
    """A crease along `points` (pixels). `depth` is the darkening at its deepest (0-1);
    `width` its width in eye distances; `fold` the side (unit vector) the skin folds over."""

    points: np.ndarray
    depth: float
    width: float
    onset: float
    fold: np.ndarray


def _curve(face: Face, anchors: list[tuple[np.ndarray, float, float]], samples: int = 24) -> np.ndarray:
    """A smooth curve (Catmull-Rom through the anchors), each anchor a landmark plus a face offset."""
    pts = np.array([face.offset(base, dx, dy) for base, dx, dy in anchors])
    if len(pts) == 2:
        t = np.linspace(0.0, 1.0, samples)[:, None]
        return pts[0] * (1 - t) + pts[1] * t
    padded = np.concatenate([2 * pts[:1] - pts[1:2], pts, 2 * pts[-1:] - pts[-2:-1]])
    out = []
    per = max(samples // (len(pts) - 1), 4)
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1 : i + 3]
        for t in np.linspace(0.0, 1.0, per, endpoint=False):
            t2, t3 = t * t, t * t * t
            out.append(
                0.5
                * (
                    (2 * p1)
                    + (-p0 + p2) * t
                    + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2
                    + (-p0 + 3 * p1 - 3 * p2 + p3) * t3
                )
            )
    out.append(pts[-1])
    return np.array(out)


def _wobble(points: np.ndarray, amount: float, rng: np.random.Generator) -> np.ndarray:
    """Add a smooth sideways meander so lines are not geometric."""
    n = len(points)
    tangent = np.gradient(points, axis=0)
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-6)
    phase, freq = rng.uniform(0, 2 * np.pi), rng.uniform(1.5, 3.0)
    t = np.linspace(0, 1, n)
    offset = amount * (
        np.sin(2 * np.pi * freq * t + phase) + 0.5 * np.sin(2 * np.pi * 2.3 * freq * t + 2 * phase)
    )
    return points + normal * offset[:, None]


def layout(face: Face) -> list[Wrinkle]:
    """Every wrinkle of an old face, placed on this face's landmarks (deterministic)."""
    rng = np.random.default_rng(20260)
    p = face.points
    up, down = face.vector(0, -1), face.vector(0, 1)
    up, down = up / np.linalg.norm(up), down / np.linalg.norm(down)
    w: list[Wrinkle] = []

    def add(anchors, depth, width, onset, fold, wobble=0.015):
        pts = _wobble(_curve(face, anchors), wobble * face.eye_distance, rng)
        w.append(Wrinkle(pts, depth, width, onset, np.asarray(fold, dtype=np.float64)))

    # Forehead: long shallow arcs above the brows, more rows with age.
    brow_top = min(p[19][1], p[24][1])
    for row, (lift, onset) in enumerate([(0.30, 0.0), (0.45, 0.25), (0.60, 0.5), (0.38, 0.75)]):
        jitter = rng.uniform(-0.02, 0.02)
        span = 0.85 - 0.1 * row
        mid = np.array([(p[21][0] + p[22][0]) / 2, brow_top])
        add(
            [
                (mid, -span, -lift + 0.08 + jitter),
                (mid, -span / 2, -lift - 0.02),
                (mid, 0.0, -lift + jitter),
                (mid, span / 2, -lift - 0.02 - jitter),
                (mid, span, -lift + 0.08),
            ],
            depth=0.16 - 0.02 * row,
            width=0.035,
            onset=onset,
            fold=up,
            wobble=0.02,
        )
    # Frown lines between the brows.
    for side, inner in ((-1, p[21]), (1, p[22])):
        add([(inner, -0.06 * side, 0.02), (inner, -0.04 * side, -0.22)], 0.18, 0.03, 0.25, face.x_axis * side)
    # Crow's feet: a fan from each outer eye corner.
    for corner, side in ((p[36], -1), (p[45], 1)):
        for k, angle in enumerate((-36, -18, -2, 14, 30)):
            a = np.deg2rad(angle + rng.uniform(-4, 4))
            dx, dy = np.cos(a) * side, np.sin(a)
            length = rng.uniform(0.22, 0.32)
            add(
                [(corner, 0.06 * side, 0.0), (corner, 0.06 * side + length * dx, length * dy)],
                0.3,
                0.03,
                (0.0, 0.0, 0.25, 0.5, 0.75)[k],
                up,
                wobble=0.01,
            )
    # Under-eye: the lid crease and the lower edge of the bag.
    for eye in (p[36:42], p[42:48]):
        lower = eye[[0, 5, 4, 3]]  # lower lid, left to right in the picture
        add(
            [(lower[0], -0.03, 0.10), (lower[1], 0.0, 0.14), (lower[2], 0.0, 0.14), (lower[3], 0.03, 0.10)],
            0.1,
            0.03,
            0.0,
            up,
            wobble=0.008,
        )
        add(
            [(lower[0], -0.07, 0.18), (lower[1], 0.0, 0.3), (lower[2], 0.0, 0.3), (lower[3], 0.07, 0.18)],
            0.08,
            0.07,
            0.35,
            up,
            wobble=0.01,
        )
    # Nasolabial folds: from beside the nose wing to past the mouth corner; the deepest line.
    for wing, mouth, side in ((p[31], p[48], -1), (p[35], p[54], 1)):
        add(
            [
                (wing, 0.12 * side, -0.12),
                (wing, 0.2 * side, 0.08),
                (mouth, 0.1 * side, -0.05),
                (mouth, 0.12 * side, 0.18),
            ],
            0.25,
            0.055,
            0.0,
            face.x_axis * side,
            wobble=0.01,
        )
    # Marionette lines: from the mouth corners down towards the jaw.
    for mouth, jaw, side in ((p[48], p[5], -1), (p[54], p[11], 1)):
        tip = (mouth + jaw) / 2
        add(
            [(mouth, 0.04 * side, 0.08), (tip, 0.02 * side, 0.0), (jaw, 0.08 * side, -0.1)],
            0.17,
            0.05,
            0.25,
            face.x_axis * side,
        )
    # Fine vertical lines above the upper lip.
    for k, i in enumerate((49, 50, 52, 53)):
        add(
            [(p[i], 0.0, -0.02), (p[i], 0.01 * (k - 1.5), -0.16)], 0.12, 0.018, 0.6, face.x_axis, wobble=0.005
        )
    # Cheek lines and chin crease for the oldest faces.
    for jaw_i, side in ((3, -1), (13, 1)):
        add([(p[jaw_i], 0.15 * side * -1, -0.45), (p[jaw_i], 0.2 * side * -1, 0.05)], 0.12, 0.03, 0.65, up)
    add([(p[57], -0.25, 0.32), (p[57], 0.0, 0.27), (p[57], 0.25, 0.32)], 0.16, 0.04, 0.4, up)
    # Neck: horizontal rings below the chin.
    for row, onset in enumerate((0.0, 0.35, 0.7)):
        y = 0.45 + 0.3 * row
        add(
            [(p[8], -0.75, y - 0.12), (p[8], 0.0, y), (p[8], 0.75, y - 0.12)],
            0.2,
            0.05,
            onset,
            up,
            wobble=0.03,
        )
    return w


def render_group(shape: tuple[int, int], face: Face, wrinkles: list[Wrinkle]) -> np.ndarray:
    """Render wrinkles into a shading layer: negative in the crease, slightly positive on its fold."""
    d = face.eye_distance
    valley = np.zeros(shape, dtype=np.float32)
    ridge = np.zeros(shape, dtype=np.float32)
    for wr in wrinkles:
        n = len(wr.points)
        taper = np.sin(np.linspace(0.0, np.pi, n)) ** 0.6
        width_px = max(wr.width * d, 1.0)
        thickness = max(int(round(width_px * 0.6)), 1)
        shift = wr.fold * width_px * 1.3
        for i in range(n - 1):
            a, b = wr.points[i], wr.points[i + 1]
            value = float(wr.depth * 0.5 * (taper[i] + taper[i + 1]))
            _line(valley, a, b, value, thickness)
            _line(ridge, a + shift, b + shift, value, thickness + 1)
    core = cv2.GaussianBlur(valley, (0, 0), max(0.008 * d, 0.5))
    broad = cv2.GaussianBlur(valley, (0, 0), max(0.025 * d, 1.0))
    ridge = cv2.GaussianBlur(ridge, (0, 0), max(0.035 * d, 1.2))
    # A crease is a soft valley with a sharper bottom, and a faint lit fold beside it.
    return ridge * 0.4 - (0.25 * core + 0.9 * broad)


def _line(canvas: np.ndarray, a: np.ndarray, b: np.ndarray, value: float, thickness: int) -> None:
    """Draw a segment keeping the strongest value where lines cross (only its bounding box is touched)."""
    pad = thickness + 2
    x0 = max(int(min(a[0], b[0])) - pad, 0)
    y0 = max(int(min(a[1], b[1])) - pad, 0)
    x1 = min(int(max(a[0], b[0])) + pad + 1, canvas.shape[1])
    y1 = min(int(max(a[1], b[1])) + pad + 1, canvas.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    offset = np.array([x0, y0])
    pa = tuple(int(v) for v in np.round((a - offset) * 16))
    pb = tuple(int(v) for v in np.round((b - offset) * 16))
    stamp = np.zeros((y1 - y0, x1 - x0), dtype=canvas.dtype)
    cv2.line(stamp, pa, pb, value, thickness, lineType=cv2.LINE_AA, shift=4)
    view = canvas[y0:y1, x0:x1]
    np.maximum(view, stamp, out=view)


def render_layers(shape: tuple[int, int], face: Face, skin: np.ndarray, neck: np.ndarray) -> list[np.ndarray]:
    """One shading layer per onset group, already masked to skin (face and neck)."""
    area = np.maximum(skin, neck)
    groups: list[list[Wrinkle]] = [[] for _ in ONSETS]
    for wr in layout(face):
        index = max(i for i, onset in enumerate(ONSETS) if wr.onset >= onset - 1e-6)
        groups[index].append(wr)
    return [render_group(shape, face, group) * area for group in groups]


def crepe_texture(shape: tuple[int, int], face: Face, seed: int = 7) -> np.ndarray:
    """Zero-mean fine band-pass noise, slightly stretched along the face's x axis (-1..1 range)."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(shape).astype(np.float32)
    d = face.eye_distance
    fine = cv2.GaussianBlur(noise, (0, 0), sigmaX=max(0.008 * d, 0.5), sigmaY=max(0.004 * d, 0.4))
    coarse = cv2.GaussianBlur(noise, (0, 0), max(0.03 * d, 1.0))
    band = fine - coarse
    return band / (np.abs(band).max() + 1e-6)


def group_weights(older: float) -> list[float]:
    """How visible each onset group is at this strength; deeper with age beyond the onset."""
    return [ramp(older, onset, min(onset + 0.45, 1.0)) * (0.55 + 0.45 * older) for onset in ONSETS]
