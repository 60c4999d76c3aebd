"""Paste aged faces back into the photo, through the inverse of each face's alignment transform.

Each aged crop is warped back onto the photo pixels its aligned square came from and blended in with a
soft mask that covers the face, the hair and the crop's inner area and fades to nothing well inside the
crop's edge, so the crop's border (and any padding the alignment reflected in) never shows. Outside the
masks every pixel is the photo's own. Faces are pasted smallest first, so where masks overlap the nearer
(larger) face wins, through its feathered edge.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import cv2
import numpy as np

from inference_container.engine.faces import FaceCrop

#: The mask in aligned-crop units: an ellipse about the FFHQ face centre (eyes at y 0.48, chin near 0.85,
#: hair above 0.15) ...
MASK_CENTRE = (0.5, 0.5)
MASK_RADII = (0.46, 0.48)
#: ... fully opaque up to this fraction of its radius, then a smooth fade to zero at the ellipse.
MASK_SOLID = 0.78


@functools.cache
def face_mask(size: int) -> np.ndarray:
    """(size, size) float32 in [0, 1]: the blend weight of an aged crop, in crop pixels (read-only)."""
    centres = (np.arange(size, dtype=np.float32) + 0.5) / size
    u = (centres[None, :] - MASK_CENTRE[0]) / MASK_RADII[0]
    v = (centres[:, None] - MASK_CENTRE[1]) / MASK_RADII[1]
    t = np.clip((1.0 - np.sqrt(u * u + v * v)) / (1.0 - MASK_SOLID), 0.0, 1.0)
    mask = (t * t * (3.0 - 2.0 * t)).astype(np.float32)  # smoothstep: no kink where the fade starts or ends
    mask.setflags(write=False)
    return mask


def _scale(factor: float) -> np.ndarray:
    """Pixel-index map of resizing by `factor` (pixel centres follow the size)."""
    return np.array([[factor, 0.0, 0.5 * factor - 0.5], [0.0, factor, 0.5 * factor - 0.5], [0.0, 0.0, 1.0]])


class Compositor:
    """Pastes aged crops of `faces` into `photo` (H, W, 3 uint8), once per age: `compose(aged)`.

    `scale`: the photo's size relative to the photo the faces were found in (frames may be smaller than the
    camera's photo). Per face, the photo region under its square and the mask there are worked out once and
    reused for every age.
    """

    def __init__(self, photo: np.ndarray, faces: Sequence[FaceCrop], scale: float = 1.0):
        self.photo = photo
        height, width = photo.shape[:2]
        self._order = sorted(range(len(faces)), key=lambda i: faces[i].quad_size)  # smallest first
        self._faces = faces
        self._to_photo = _scale(scale)
        self._regions = []
        for face in faces:
            corners = np.array([[0, 0, 1], [face.size, 0, 1], [0, face.size, 1], [face.size, face.size, 1]],
                               dtype=np.float64) - [0.5, 0.5, 0]
            inverse = self._to_photo @ np.linalg.inv(face.matrix)
            points = (corners @ inverse.T)[:, :2]
            x0, y0 = np.maximum(np.floor(points.min(axis=0)).astype(int), 0)
            x1, y1 = np.minimum(np.ceil(points.max(axis=0)).astype(int) + 1, [width, height])
            self._regions.append((int(x0), int(y0), int(x1), int(y1)))
        self._cache: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def _region_map(self, index: int, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(2x3 map from region pixel to aged-crop pixel at `size`, mask over the region, 1 - mask)."""
        key = (index, size)
        if key not in self._cache:
            face = self._faces[index]
            x0, y0, x1, y1 = self._regions[index]
            shift = np.array([[1.0, 0.0, x0], [0.0, 1.0, y0], [0.0, 0.0, 1.0]])
            matrix = _scale(size / face.size) @ face.matrix @ np.linalg.inv(self._to_photo) @ shift
            mask = cv2.warpAffine(face_mask(size), matrix[:2], (x1 - x0, y1 - y0),
                                  flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_CONSTANT,
                                  borderValue=0.0)
            self._cache[key] = matrix[:2], mask, 1.0 - mask
        return self._cache[key]

    def _fitted(self, index: int, aged: np.ndarray) -> np.ndarray:
        """The aged crop, shrunk (area filter) to about its size in the photo so the warp does not alias."""
        x0, y0, x1, y1 = self._regions[index]
        side = self._faces[index].quad_size * self._to_photo[0, 0]
        target = max(64, int(np.ceil(side)))
        if aged.shape[0] > 1.5 * target:
            return cv2.resize(aged, (target, target), interpolation=cv2.INTER_AREA)
        return aged

    def compose(self, aged: Sequence[np.ndarray]) -> np.ndarray:
        """aged[i]: faces[i]'s aged square (T, T, 3) uint8 -> the whole photo with every face replaced."""
        out = self.photo.copy()
        for index in self._order:
            x0, y0, x1, y1 = self._regions[index]
            if x1 <= x0 or y1 <= y0:
                continue
            crop = self._fitted(index, np.ascontiguousarray(aged[index]))
            matrix, mask, keep = self._region_map(index, crop.shape[0])
            warped = cv2.warpAffine(crop, matrix, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                    borderMode=cv2.BORDER_REPLICATE)
            # photo * (1 - mask) + aged * mask, rounded, in one pass; where mask is 0 the photo's bytes stay
            out[y0:y1, x0:x1] = cv2.blendLinear(out[y0:y1, x0:x1], warped, keep, mask)
        return out

    def masks(self) -> np.ndarray:
        """(H, W) float32: the union of every face's mask over the photo (where the photo may change)."""
        height, width = self.photo.shape[:2]
        union = np.zeros((height, width), dtype=np.float32)
        for index in range(len(self._faces)):
            x0, y0, x1, y1 = self._regions[index]
            if x1 > x0 and y1 > y0:
                mask = self._region_map(index, self._faces[index].size)[1]
                np.maximum(union[y0:y1, x0:x1], mask, out=union[y0:y1, x0:x1])
        return union
