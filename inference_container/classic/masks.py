"""Soft region masks from landmarks: face skin, eyes, mouth, brows, neck.

Every mask is float32 in [0, 1] and feathered in proportion to the face's size, so effects
blended through them fade out without seams or halos.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from inference_container.classic.geometry import (
    INNER_LIPS,
    JAW,
    LEFT_BROW,
    LEFT_EYE,
    OUTER_LIPS,
    RIGHT_BROW,
    RIGHT_EYE,
    Face,
)


def polygon(shape: tuple[int, int], points: np.ndarray) -> np.ndarray:
    """A hard float32 mask of the filled polygon (anti-aliased edge)."""
    canvas = np.zeros(shape, dtype=np.uint8)
    pts = np.round(np.asarray(points) * 16).astype(np.int32)
    cv2.fillPoly(canvas, [pts], 255, lineType=cv2.LINE_AA, shift=4)
    return canvas.astype(np.float32) / 255.0


def feather(mask: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian-soften a mask; sigma in pixels."""
    if sigma <= 0.3:
        return mask
    return cv2.GaussianBlur(mask, (0, 0), sigma)


def grow(mask: np.ndarray, radius: float) -> np.ndarray:
    """Dilate a mask by about `radius` pixels (negative: erode)."""
    r = int(round(abs(radius)))
    if r < 1:
        return mask
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    return cv2.dilate(mask, kernel) if radius > 0 else cv2.erode(mask, kernel)


def touching(region: np.ndarray, zone: np.ndarray) -> np.ndarray:
    """The parts (8-connected) of the bool mask `region` that reach the bool mask `zone`, as bool."""
    _, labels = cv2.connectedComponents(region.astype(np.uint8), connectivity=8)
    keep = np.unique(labels[zone & region])
    return np.isin(labels, keep[keep > 0])


def below_hairline(shape: tuple[int, int], face: Face) -> np.ndarray:
    """The filled hull of the jaw and brows (hard float32 mask): the face from the brows down, where head
    hair does not grow (a fringe lies above the brows; beard and brows are found on their own)."""
    hull = cv2.convexHull(np.concatenate([face.points[JAW], face.points[17:27]]).astype(np.float32))[:, 0]
    return polygon(shape, hull)


def forehead_outline(face: Face, height: float = 0.75) -> np.ndarray:
    """Points over the brows, `height` eye distances up at the middle, less at the temples."""
    brows = np.concatenate([face.points[RIGHT_BROW], face.points[LEFT_BROW]])[::-1]
    out = []
    n = len(brows)
    for i, p in enumerate(brows):
        t = i / (n - 1)
        lift = height * (0.55 + 0.45 * np.sin(np.pi * t))
        out.append(face.offset(p, 0.0, -lift))
    return np.array(out)


def face_outline(face: Face, forehead: float = 0.75) -> np.ndarray:
    """The jaw line followed by the top of the forehead: the face's whole skin outline."""
    return np.concatenate([face.points[JAW], forehead_outline(face, forehead)])


def skin_likelihood(lab: np.ndarray, face: Face) -> np.ndarray:
    """How skin-like each pixel's colour is, from a Gaussian model of the cheeks and nose.

    It keeps wrinkles and tone changes off hair over the forehead, glasses frames, hats and clothes.
    """
    p = face.points
    samples = [
        np.array([p[1], p[2], p[3], p[31], p[29], p[40], p[41]]),  # picture-left cheek
        np.array([p[15], p[14], p[13], p[35], p[29], p[47], p[46]]),  # picture-right cheek
        np.array([p[28], p[31], p[33], p[35]]),  # nose
    ]
    region = np.zeros(lab.shape[:2], dtype=np.float32)
    for poly in samples:
        region = np.maximum(region, polygon(lab.shape[:2], poly))
    pixels = lab[region > 0.5].reshape(-1, 3).astype(np.float64)
    if len(pixels) < 20:
        return np.ones(lab.shape[:2], dtype=np.float32)
    mean = pixels.mean(axis=0)
    # Lightness only has to be in the skin's broad range: a side-lit face's shadow half is still skin,
    # and a gate on lightness would cut it off in a seam down the face.
    light = np.abs(lab[..., 0] - mean[0]) / (2.5 * pixels[:, 0].std() + 45.0)
    light_ok = np.clip((1.3 - light) / 0.3, 0.0, 1.0)
    if is_monochrome_lab(lab):
        # Without hue (black and white, or toned sepia), white hair, a backdrop and lit skin are the same
        # tint: the face's outline decides.
        return feather(polygon(lab.shape[:2], face_outline(face, 0.6)), 0.05 * face.eye_distance)
    cov_ab = np.cov(pixels[:, 1:], rowvar=False) + np.eye(2) * 2.0
    diff = lab[..., 1:].reshape(-1, 2).astype(np.float64) - mean[1:]
    distance2 = np.einsum("ij,jk,ik->i", diff, np.linalg.inv(cov_ab), diff).reshape(lab.shape[:2])
    hue_ok = np.clip((3.0 - np.sqrt(distance2)) / 1.0, 0.0, 1.0)
    return (hue_ok * light_ok).astype(np.float32)


def is_greyscale_lab(lab: np.ndarray) -> bool:
    """True for a photo without colour (OpenCV 8-bit Lab: a and b sit at 128 within JPEG noise)."""
    chroma = np.hypot(lab[..., 1].astype(np.float32) - 128.0, lab[..., 2].astype(np.float32) - 128.0)
    return float(np.percentile(chroma, 99.5)) < 4.0


#: A photo whose colours spread less than this (Lab a and b, 8-bit units, root of the summed variances) is
#: monochrome: black and white or toned (sepia, cyanotype). Colour photos in the test set spread 11-26,
#: the sepia portraits about 2.
MONOCHROME_SPREAD = 4.0


def is_monochrome_lab(lab: np.ndarray, greyscale: bool | None = None) -> bool:
    """True for a photo in one tint: black and white, or toned (every pixel about the same hue).
    `greyscale`: `is_greyscale_lab(lab)` where the caller has it already (it is the costlier check)."""
    a = lab[..., 1].astype(np.float32)
    b = lab[..., 2].astype(np.float32)
    if float(np.sqrt(a.var() + b.var())) < MONOCHROME_SPREAD:
        return True
    return is_greyscale_lab(lab) if greyscale is None else greyscale


@dataclass(frozen=True)
class FaceMasks:
    """Soft masks at one resolution; `skin` excludes eyes, brows and the open mouth."""

    face: np.ndarray
    skin: np.ndarray
    eyes: np.ndarray
    mouth: np.ndarray
    brows: np.ndarray
    neck: np.ndarray
    skin_colour: np.ndarray


def build_masks(rgb: np.ndarray, face: Face) -> FaceMasks:
    """All landmark masks for `rgb` (uint8 HxWx3) whose landmarks are `face`."""
    shape = rgb.shape[:2]
    d = face.eye_distance
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    # Judged on a slightly blurred image and then feathered, so creases and pores don't punch holes.
    lab = cv2.GaussianBlur(lab, (0, 0), max(0.015 * d, 0.6))
    skin_colour = feather(skin_likelihood(lab, face), 0.04 * d)

    face_region = feather(polygon(shape, face_outline(face)), 0.08 * d)
    eyes = np.maximum(polygon(shape, face.points[RIGHT_EYE]), polygon(shape, face.points[LEFT_EYE]))
    eyes = feather(grow(eyes, 0.06 * d), 0.05 * d)
    mouth = feather(grow(polygon(shape, face.points[INNER_LIPS]), 0.02 * d), 0.03 * d)
    lips = feather(polygon(shape, face.points[OUTER_LIPS]), 0.03 * d)
    brows = np.maximum(_brow_band(shape, face, RIGHT_BROW), _brow_band(shape, face, LEFT_BROW))
    brows = feather(brows, 0.04 * d)

    jaw = face.points[JAW][2:15]
    neck_outline = np.concatenate([jaw, [face.offset(q, 0.0, 1.3) for q in jaw[::-1]]])
    neck = feather(polygon(shape, neck_outline), 0.15 * d) * skin_colour

    keep_out = np.clip(eyes + mouth + 0.6 * lips + brows, 0.0, 1.0)
    skin = face_region * skin_colour * (1.0 - keep_out)
    return FaceMasks(face_region, skin, eyes, mouth, brows, neck, skin_colour)


def _brow_band(shape: tuple[int, int], face: Face, brow: slice) -> np.ndarray:
    """The eyebrow as a band: the landmark line thickened up and down by a brow's height."""
    line = face.points[brow]
    top = [face.offset(q, 0.0, -0.05) for q in line]
    bottom = [face.offset(q, 0.0, 0.12) for q in line[::-1]]
    return polygon(shape, np.concatenate([top, bottom]))
