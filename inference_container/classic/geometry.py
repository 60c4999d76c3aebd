"""The 68 dlib landmarks by name, the face's own axes and scale, and points placed relative to them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

JAW = slice(0, 17)
RIGHT_BROW = slice(17, 22)  # the subject's right: the left of the picture
LEFT_BROW = slice(22, 27)
NOSE_BRIDGE = slice(27, 31)
NOSE_BASE = slice(31, 36)
RIGHT_EYE = slice(36, 42)
LEFT_EYE = slice(42, 48)
OUTER_LIPS = slice(48, 60)
INNER_LIPS = slice(60, 68)


@dataclass(frozen=True, eq=False)
class Face:
    """Landmarks in pixel coordinates of one image, with the face's axes and scale.

    Offsets are given in units of the eye distance along the face's own axes (x towards the
    picture's right, y down the face), so every placement follows the face's size and roll.
    """

    points: np.ndarray  # (68, 2) float64, pixels

    @cached_property
    def right_eye(self) -> np.ndarray:
        return self.points[RIGHT_EYE].mean(axis=0)

    @cached_property
    def left_eye(self) -> np.ndarray:
        return self.points[LEFT_EYE].mean(axis=0)

    @cached_property
    def eye_distance(self) -> float:
        return float(np.hypot(*(self.left_eye - self.right_eye)))

    @cached_property
    def x_axis(self) -> np.ndarray:
        v = self.left_eye - self.right_eye
        return v / max(np.hypot(*v), 1e-6)

    @cached_property
    def y_axis(self) -> np.ndarray:
        x = self.x_axis
        return np.array([-x[1], x[0]])

    @cached_property
    def center(self) -> np.ndarray:
        """Midway between the eyes and the mouth: the middle of the face."""
        return (self.right_eye + self.left_eye + self.points[48] + self.points[54]) / 4.0

    def offset(self, base: np.ndarray, dx: float, dy: float) -> np.ndarray:
        """`base` moved by (dx, dy) eye distances along the face's axes."""
        d = self.eye_distance
        return np.asarray(base, dtype=np.float64) + d * (dx * self.x_axis + dy * self.y_axis)

    def vector(self, dx: float, dy: float) -> np.ndarray:
        """A displacement of (dx, dy) eye distances along the face's axes, in pixels."""
        return self.eye_distance * (dx * self.x_axis + dy * self.y_axis)

    def mirror_dx(self, index: int) -> float:
        """-1 for landmarks on the picture's left half of the face, +1 on its right (outward sign)."""
        return -1.0 if np.dot(self.points[index] - self.center, self.x_axis) < 0 else 1.0

    def scaled(self, factor: float) -> Face:
        """The same landmarks for the image resized by `factor`."""
        return Face(self.points * factor)
