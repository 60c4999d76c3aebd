"""Real skin detail from an older donor face, moved onto the sitter along the landmarks.

The donor's aligned luminance is warped onto the sitter by a piecewise-affine map over the
triangles of both faces' landmarks (plus forehead points and a ring around the head), so each
crease lands where the same crease would form on the sitter. Only its band-pass detail (the
creases and pores, not its lighting or colour) is kept, as a ratio to its local brightness, so it
multiplies the sitter's own luminance: it darkens creases on lit and shaded skin alike.
"""

from __future__ import annotations

import cv2
import numpy as np

from inference_container.classic.geometry import Face

#: Extra points above the brows (eye distances up) and a ring around the head (radius, count).
FOREHEAD_LIFTS = (0.45, 0.9)
RING_RADIUS, RING_POINTS = 2.6, 16


def control_points(face: Face) -> np.ndarray:
    """The 68 landmarks, points over the forehead and a ring around the head: (68 + 10*2 + 16, 2)."""
    p = face.points
    brows = p[17:27]
    forehead = [face.offset(q, 0.0, -lift) for lift in FOREHEAD_LIFTS for q in brows]
    centre = face.center
    ring = [
        face.offset(centre, RING_RADIUS * np.cos(t), RING_RADIUS * np.sin(t))
        for t in np.linspace(0, 2 * np.pi, RING_POINTS, endpoint=False)
    ]
    return np.concatenate([p, np.array(forehead), np.array(ring)])


def triangles(points: np.ndarray) -> np.ndarray:
    """Delaunay triangles of `points` as (T, 3) indices."""
    lo = points.min(axis=0) - 10.0
    hi = points.max(axis=0) + 10.0
    subdiv = cv2.Subdiv2D((int(lo[0]), int(lo[1]), int(hi[0] - lo[0]) + 1, int(hi[1] - lo[1]) + 1))
    for x, y in points:
        subdiv.insert((float(x), float(y)))
    corners = subdiv.getTriangleList().reshape(-1, 2)
    # Each corner is one of the inserted points (or one of Subdiv2D's far outer vertices): find which.
    distance = ((corners[:, None, :] - points[None, :, :].astype(np.float32)) ** 2).sum(axis=2)
    index = distance.argmin(axis=1).reshape(-1, 3)
    exact = (distance.min(axis=1) < 1e-2).reshape(-1, 3).all(axis=1)
    distinct = (index[:, 0] != index[:, 1]) & (index[:, 1] != index[:, 2]) & (index[:, 0] != index[:, 2])
    return index[exact & distinct].astype(np.int32)


def warp_maps(
    shape: tuple[int, int], target: np.ndarray, source: np.ndarray, tris: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward maps (for cv2.remap) taking the picture with `source` points onto `target` points,
    over the triangles `tris` of the target points (Delaunay when not given).

    Returns map_x, map_y and a 0/1 coverage mask (pixels outside every triangle).
    """
    tris = triangles(target) if tris is None else tris
    index = np.full(shape, -1, dtype=np.int32)
    affine = np.zeros((len(tris), 2, 3), dtype=np.float64)
    for k, tri in enumerate(tris):
        affine[k] = cv2.getAffineTransform(target[tri].astype(np.float32), source[tri].astype(np.float32))
        cv2.fillConvexPoly(index, np.round(target[tri]).astype(np.int32), k)
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    m = affine[np.maximum(index, 0)].astype(np.float32)
    map_x = m[..., 0, 0] * xx + m[..., 0, 1] * yy + m[..., 0, 2]
    map_y = m[..., 1, 0] * xx + m[..., 1, 1] * yy + m[..., 1, 2]
    return map_x, map_y, (index >= 0).astype(np.float32)


def band_detail(luminance: np.ndarray, eye_distance: float) -> np.ndarray:
    """Creases and pores as a signed ratio to local brightness: fine minus coarse, over coarse."""
    lum = luminance.astype(np.float32)
    fine = cv2.GaussianBlur(lum, (0, 0), max(0.004 * eye_distance, 0.5))
    coarse = cv2.GaussianBlur(lum, (0, 0), max(0.07 * eye_distance, 2.0))
    return (fine - coarse) / np.maximum(coarse, 25.0)


def donor_detail(
    shape: tuple[int, int],
    face: Face,
    donor_lum: np.ndarray,
    donor_face: Face,
    donor_valid: np.ndarray,
    tris: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The donor's detail warped onto the sitter (ratio, about -0.3..0.3), and where it is valid.

    `tris`: the sitter's triangles (`triangles(control_points(face))`), shared by every donor.
    """
    detail = band_detail(donor_lum, donor_face.eye_distance)
    map_x, map_y, covered = warp_maps(shape, control_points(face), control_points(donor_face), tris)
    moved = cv2.remap(detail, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    valid = cv2.remap(
        donor_valid, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
    )
    return moved * covered, valid * covered
