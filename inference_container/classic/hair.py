"""Find the hair around the face, and grey, thin or darken it (and the eyebrows) by age.

The hair region comes from GrabCut seeded by the landmarks and two colour models: the hair's
colour is learnt beside the temples (where hair, not a hat, almost always is), the backdrop's
along the frame's sides. Only hair masses connected to the temples are kept, so flags, poles
and hat badges near the head are left alone.
"""

from __future__ import annotations

import cv2
import numpy as np

from inference_container.classic.geometry import JAW, Face
from inference_container.classic.masks import face_outline, feather, grow, polygon

#: GrabCut runs on an image about this wide: enough for a hair outline, cheap on a CPU.
GRABCUT_SIZE = 192


def _head_ellipse(shape: tuple[int, int], face: Face, scale: float) -> np.ndarray:
    """A filled ellipse covering the skull and hair, `scale` times the usual head size."""
    d = face.eye_distance
    centre = face.offset((face.right_eye + face.left_eye) / 2, 0.0, -0.35)
    axes = (int(1.45 * d * scale), int(1.6 * d * scale))
    angle = float(np.degrees(np.arctan2(face.x_axis[1], face.x_axis[0])))
    pts = cv2.ellipse2Poly((int(centre[0]), int(centre[1])), axes, int(round(angle)), 0, 360, 6)
    return polygon(shape, pts)


def hair_mask(rgb: np.ndarray, face: Face, skin_colour: np.ndarray) -> np.ndarray:
    """Soft hair mask (float32, 0-1) for `rgb` (uint8) with landmarks `face` at the same size.

    A colour model of the hair beside the temples proposes candidates around the head; GrabCut,
    seeded with those candidates, the face's skin and the frame's edges, makes the region whole.
    """
    h, w = rgb.shape[:2]
    factor = min(GRABCUT_SIZE / max(h, w), 1.0)
    small = cv2.resize(rgb, (max(int(w * factor), 8), max(int(h * factor), 8)), interpolation=cv2.INTER_AREA)
    sface = face.scaled(factor)
    shape = small.shape[:2]
    d = sface.eye_distance
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB).astype(np.float32) - [0, 128, 128]
    skin = cv2.resize(skin_colour, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    mouth_y = int(np.clip((sface.points[48][1] + sface.points[54][1]) / 2, 1, shape[0] - 1))
    chin_y = int(np.clip(sface.points[JAW][:, 1].max(), 1, shape[0] - 1))

    backdrop = _backdrop_likeness(lab, mouth_y)
    hairlike = _like_temple_hair(lab, sface, skin, backdrop)
    head = _head_ellipse(shape, sface, 1.25) > 0.5
    candidate = head & (hairlike > 0.5) & (skin < 0.5) & (backdrop < 0.5)

    seeds = np.full(shape, cv2.GC_BGD, dtype=np.uint8)
    seeds[_head_ellipse(shape, sface, 1.6) > 0.5] = cv2.GC_PR_BGD
    seeds[candidate] = cv2.GC_PR_FGD
    seeds[(backdrop > 0.8) | (skin > 0.8)] = cv2.GC_BGD
    # The face is backdrop for GrabCut where it is skin; a fringe over the forehead may still be hair.
    inside_face = polygon(shape, face_outline(sface, 0.45)) > 0.5
    seeds[inside_face & ~candidate] = cv2.GC_BGD
    seeds[polygon(shape, face_outline(sface, 0.0)) > 0.5] = cv2.GC_BGD
    seeds[chin_y:, :] = cv2.GC_BGD
    if np.count_nonzero(seeds == cv2.GC_PR_FGD) < 10:
        return np.zeros((h, w), dtype=np.float32)
    cv2.setRNGSeed(1234)  # GrabCut's GMM initialisation draws from OpenCV's RNG: fix it for repeatability
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(small, seeds, None, bgd, fgd, 3, cv2.GC_INIT_WITH_MASK)
    grabbed = np.isin(seeds, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.uint8)
    # Opening by ~a tenth of an eye distance drops thin poles, cords and frames; hair is a mass.
    side = max(int(0.12 * d) | 1, 3)
    grabbed = cv2.morphologyEx(
        grabbed, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    )
    found = _touching(grabbed > 0, _temple_band(shape, sface) > 0.5)
    found *= np.clip(hairlike * 2.0, 0.0, 1.0) * (1.0 - skin)
    found = cv2.morphologyEx(found, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    found *= feather(grow(head.astype(np.float32), 0.2 * d), 0.1 * d)
    soft = feather(found, max(0.04 * d, 0.8))
    return cv2.resize(soft, (w, h), interpolation=cv2.INTER_LINEAR)


def _touching(region: np.ndarray, zone: np.ndarray) -> np.ndarray:
    """The parts of `region` connected to `zone`: hair grows from the head, a white star on a flag doesn't."""
    _, labels = cv2.connectedComponents(region.astype(np.uint8), connectivity=8)
    keep = np.unique(labels[zone & region])
    return np.isin(labels, keep[keep > 0]).astype(np.float32)


def _backdrop_likeness(lab: np.ndarray, mouth_y: int) -> np.ndarray:
    """How close each pixel's colour is to the colours along the frame's top and sides (0-1)."""
    edge = max(int(0.04 * lab.shape[1]), 2)
    quarter = lab.shape[1] // 4  # the top's middle is left out: hair often reaches the top edge
    samples = np.concatenate(
        [
            lab[:edge, :quarter].reshape(-1, 3),
            lab[:edge, -quarter:].reshape(-1, 3),
            lab[:mouth_y, :edge].reshape(-1, 3),
            lab[:mouth_y, -edge:].reshape(-1, 3),
        ]
    ).astype(np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    cv2.setRNGSeed(4321)
    _, _, centres = cv2.kmeans(samples, 6, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    flat = lab.reshape(-1, 1, 3)
    nearest = np.sqrt(((flat - centres[None]) ** 2).sum(axis=2)).min(axis=1).reshape(lab.shape[:2])
    return np.clip((14.0 - nearest) / 8.0, 0.0, 1.0).astype(np.float32)


def _temple_band(shape: tuple[int, int], face: Face) -> np.ndarray:
    """Two patches beside the face from the temples down to the ears: where hair almost always is."""
    band = np.zeros(shape, dtype=np.float32)
    p = face.points
    for top, low, side in ((p[0], p[2], -1), (p[16], p[14], 1)):
        quad = [
            face.offset(top, 0.0, -0.5),
            face.offset(top, 0.45 * side, -0.5),
            face.offset(low, 0.45 * side, 0.0),
            face.offset(low, 0.0, 0.0),
        ]
        band = np.maximum(band, polygon(shape, np.array(quad)))
    return band


def _like_temple_hair(lab: np.ndarray, face: Face, skin: np.ndarray, backdrop: np.ndarray) -> np.ndarray:
    """How much each pixel looks like the hair beside the temples, where hair (not a hat) usually is."""
    band = _temple_band(lab.shape[:2], face)
    pixels = lab[(band > 0.5) & (skin < 0.3) & (backdrop < 0.3)].astype(np.float64)
    if len(pixels) < 12:
        return (1.0 - skin) * (1.0 - backdrop)
    mean = pixels.mean(axis=0)
    # Highlights vary the hair's lightness a lot (L is 0-255 here); its hue much less.
    cov = np.cov(pixels, rowvar=False) + np.diag([900.0, 10.0, 10.0])
    diff = lab.reshape(-1, 3).astype(np.float64) - mean
    distance = np.sqrt(np.einsum("ij,jk,ik->i", diff, np.linalg.inv(cov), diff)).reshape(lab.shape[:2])
    return np.clip((4.0 - distance) / 1.5, 0.0, 1.0).astype(np.float32)


def strand_field(detail: np.ndarray, face: Face, seed: int = 99) -> np.ndarray:
    """Per-pixel 0-1 order in which hair turns grey: earlier at the temples, in soft patches, and
    along the hair's own strands (the lighter strands of `detail`, the fine luminance texture,
    go first), so grey follows the way the hair falls instead of a drawn pattern."""
    rng = np.random.default_rng(seed)
    shape = detail.shape
    d = face.eye_distance
    strands = detail / (detail.std() + 1e-6)
    strands = np.clip(cv2.GaussianBlur(strands, (0, 0), 0.8), -2.5, 2.5)
    small = (max(shape[0] // 16, 4), max(shape[1] // 16, 4))
    patches = cv2.GaussianBlur(rng.random(small).astype(np.float32), (0, 0), max(0.2 * d / 16, 1.0))
    patches = cv2.resize(
        (patches - patches.mean()) / (patches.std() + 1e-6),
        (shape[1], shape[0]),
        interpolation=cv2.INTER_CUBIC,
    )
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    centre = face.center
    side = np.abs((xx - centre[0]) * face.x_axis[0] + (yy - centre[1]) * face.x_axis[1]) / d
    order = 0.5 - 0.06 * strands + 0.06 * patches - 0.12 * np.clip(side - 0.6, 0, 1.2)
    return np.clip(order, 0.0, 1.0).astype(np.float32)


def grey(
    lab: np.ndarray, mask: np.ndarray, order: np.ndarray, amount: float, lift: float = 1.0, keep: float = 0.1
) -> None:
    """Turn the masked hair grey in place, by `amount` (0-1); strands with a low `order` go first.

    Grey hair is lighter (by `lift`) and nearly colourless (`keep` of the colour stays).
    """
    if amount <= 0:
        return
    spread = 4.0 * amount * (1.0 - amount) if amount < 1.0 else 0.0  # strands differ mid-way, not at the ends
    g = np.clip(amount + 1.5 * spread * (0.5 - order), 0.0, 1.0) * mask
    L = lab[..., 0]
    silver = L + lift * (45.0 - 0.45 * L)
    lab[..., 0] = L + (silver - L) * g
    fade = 1.0 - (1.0 - keep) * g
    lab[..., 1] = lab[..., 1] * fade + 0.5 * g
    lab[..., 2] = lab[..., 2] * fade + 6.0 * g  # a faint warm cast, like real white hair


def thin(lab: np.ndarray, bare: np.ndarray, mask: np.ndarray, order: np.ndarray, amount: float) -> None:
    """Thin the masked hair in place by showing `bare` (the region without hair) through it."""
    if amount <= 0:
        return
    t = np.clip((amount - order * 0.6) * 0.9, 0.0, 0.75) * mask
    lab += (bare - lab) * t[..., None]


def darken(lab: np.ndarray, mask: np.ndarray, amount: float) -> None:
    """Younger hair: darker, and brown where it had gone grey."""
    if amount <= 0:
        return
    w = mask * amount
    L = lab[..., 0]
    lab[..., 0] = L * (1.0 - 0.3 * w)
    lab[..., 1] += (np.maximum(lab[..., 1], 6.0) - lab[..., 1]) * w
    lab[..., 2] += (np.maximum(lab[..., 2], 16.0) - lab[..., 2]) * w
