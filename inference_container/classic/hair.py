"""Find the hair (head hair, beard, moustache) around the face, and whiten or darken it by age.

The hair's colour is learnt over the temples, where hair (not a hat) almost always grows, or
across the crown when the temples show none; the backdrop's from what lies far from the head,
less anything hair-coloured there, so hair that reaches the tight crop's sides stays hair.
Candidates are the non-skin pixels of the head's shell that look like the hair and not like the
backdrop; only masses connected to the temples and crown are kept, so flags, poles and badges
near the head are left alone, and strongly coloured pixels are never hair. A bald head (skin
where hair would grow) gets no hair region, so it stays bald.
"""

from __future__ import annotations

import cv2
import numpy as np

from inference_container.classic.geometry import JAW, Face
from inference_container.classic.masks import feather, grow, polygon

#: The hair is found on an image about this wide: enough for a hair outline, cheap on a CPU.
SEARCH_SIZE = 192
#: How far, in head sizes, clearly hair-like pixels connected to the hair are followed out.
WIDE_HEAD = 1.8


def _head_ellipse(shape: tuple[int, int], face: Face, scale: float) -> np.ndarray:
    """A filled ellipse covering the skull and hair, `scale` times the usual head size."""
    d = face.eye_distance
    centre = face.offset((face.right_eye + face.left_eye) / 2, 0.0, -0.35)
    axes = (int(1.45 * d * scale), int(1.6 * d * scale))
    angle = float(np.degrees(np.arctan2(face.x_axis[1], face.x_axis[0])))
    pts = cv2.ellipse2Poly((int(centre[0]), int(centre[1])), axes, int(round(angle)), 0, 360, 6)
    return polygon(shape, pts)


def seed_bands(shape: tuple[int, int], face: Face) -> tuple[np.ndarray, np.ndarray]:
    """Where hair almost always grows if there is any: over the temples and across the crown.

    Returns (both bands, the crown band alone). Both sit outside the face's skin outline, so on
    a bald head they hold skin (then rejected as skin); under a hat the crown holds the hat.
    """
    p = face.points
    brow_mid = (p[19] + p[24]) / 2
    crown = [
        face.offset(brow_mid, -0.95, -1.1),
        face.offset(brow_mid, -0.45, -1.55),
        face.offset(brow_mid, 0.45, -1.55),
        face.offset(brow_mid, 0.95, -1.1),
        face.offset(brow_mid, 0.7, -1.2),
        face.offset(brow_mid, 0.0, -1.32),
        face.offset(brow_mid, -0.7, -1.2),
    ]
    band = polygon(shape, np.array(crown))
    for top, side in ((p[0], -1), (p[16], 1)):
        quad = [
            face.offset(top, -0.06 * side, -0.7),
            face.offset(top, 0.14 * side, -0.7),
            face.offset(top, 0.16 * side, -0.25),
            face.offset(top, -0.04 * side, -0.25),
        ]
        band = np.maximum(band, polygon(shape, np.array(quad)))
    return band, polygon(shape, np.array(crown))


def hair_mask(rgb: np.ndarray, face: Face, skin_colour: np.ndarray) -> np.ndarray:
    """Soft hair mask (float32, 0-1) of head hair, beard and moustache in `rgb` (uint8).

    Works on a tight aligned crop and on a whole head alike: nothing assumes the crop's sides
    are backdrop.
    """
    h, w = rgb.shape[:2]
    factor = min(SEARCH_SIZE / max(h, w), 1.0)
    small = cv2.resize(rgb, (max(int(w * factor), 8), max(int(h * factor), 8)), interpolation=cv2.INTER_AREA)
    sface = face.scaled(factor)
    shape = small.shape[:2]
    d = sface.eye_distance
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB).astype(np.float32) - [0, 128, 128]
    skin = cv2.resize(skin_colour, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    bands, crown = (band > 0.5 for band in seed_bands(shape, sface))
    shell = (_head_ellipse(shape, sface, 1.3) > 0.5) & (skin < 0.5)
    far = _head_ellipse(shape, sface, 1.6) < 0.5
    far[int(np.clip(sface.points[33][1], 1, shape[0])) :] = False  # shoulders and clothes are not backdrop
    if np.count_nonzero(bands & (skin < 0.3)) < 0.15 * max(np.count_nonzero(bands), 1):
        return np.zeros((h, w), dtype=np.float32)  # bald: where hair grows there is skin
    temples = bands & ~crown & (skin < 0.3)
    # The temples tell the hair's colour (a hat covers the crown, rarely the temples); without
    # them (backdrop or ears beside the head) the crown does.
    source = (
        temples
        if np.count_nonzero(temples) >= 0.3 * max(np.count_nonzero(bands & ~crown), 1)
        else bands & (skin < 0.3)
    )
    hairlike = _likeness(lab, lab[source])
    # The backdrop is what lies far from the head (beside it above the shoulders, the corners),
    # less anything hair-coloured there: hair reaching the crop's sides stays hair.
    backdrop_px = lab[far & (hairlike < 0.5)]
    backdrop = (
        _likeness(lab, backdrop_px, spread=0.3) if len(backdrop_px) > 30 else np.zeros(shape, np.float32)
    )
    chin_y = int(np.clip(sface.points[JAW][:, 1].max() + 0.1 * d, 1, shape[0] - 1))
    candidate = shell & (hairlike > 0.35) & (backdrop < 0.6 * hairlike + 0.2)
    candidate[chin_y:] = False  # clothes; long hair is cut off here
    side = max(int(0.08 * d) | 1, 3)  # opening drops thin poles, cords, frames and stray pixels
    candidate = cv2.morphologyEx(
        candidate.astype(np.uint8), cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    )
    candidate = cv2.morphologyEx(candidate, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    found = _touching(candidate > 0, cv2.dilate(bands.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0)
    # Big or wispy hair reaches past the usual head: from what was found, follow clearly hair-like pixels
    # outwards, so no fringe of it is left out (to be darkened or whitened apart from the rest).
    wide = (_head_ellipse(shape, sface, WIDE_HEAD) > 0.5) & (_head_ellipse(shape, sface, 1.3) < 0.5)
    wide &= (skin < 0.5) & (hairlike > 0.6)  # only beyond the shell: inside it the search above decided
    wide &= backdrop < 0.5 * hairlike
    # Above the nose tip and near what was found: lower down a dark backdrop can match dark hair.
    wide[int(np.clip(sface.points[30][1], 1, shape[0])) :] = False
    reach = max(int(0.6 * d) | 1, 3)
    wide &= cv2.dilate(found.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach))) > 0
    found = np.maximum(found, _touching(wide | (found > 0), found > 0))
    # Deep shadows between locks are hair too: close small holes so they grey with the rest.
    hole = max(int(0.12 * d) | 1, 3)
    found = cv2.morphologyEx(
        found, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (hole, hole))
    )
    found *= np.clip(hairlike * 1.5 + 0.5 * (found - (candidate > 0)), 0.0, 1.0)
    found *= 1.0 - skin
    found = np.maximum(found, beard_mask(lab, sface, skin, hairlike))
    # Natural hair is never blue, green or strongly coloured: a backdrop or a flag let in by
    # mistake stays as it is.
    a, b = lab[..., 1], lab[..., 2]
    natural = np.clip((a + 8.0) / 4.0, 0.0, 1.0) * np.clip((b + 6.0) / 4.0, 0.0, 1.0)
    found *= natural * np.clip((45.0 - np.hypot(a, b)) / 10.0, 0.0, 1.0)
    soft = feather(found, max(0.05 * d, 1.0))
    return cv2.resize(soft, (w, h), interpolation=cv2.INTER_LINEAR)


def beard_mask(lab: np.ndarray, face: Face, skin: np.ndarray, hairlike: np.ndarray) -> np.ndarray:
    """Beard and moustache: the lower face's pixels that look like the head's hair, not like skin."""
    p = face.points
    lower = np.concatenate([p[2:15], [face.offset(p[35], 0.1, -0.05), face.offset(p[31], -0.1, -0.05)]])
    zone = polygon(lab.shape[:2], lower)
    zone = np.maximum(
        zone, polygon(lab.shape[:2], [face.offset(q, 0.0, 0.25) for q in p[4:13]] + list(p[12:3:-1]))
    )
    lips = grow(polygon(lab.shape[:2], p[48:60]), 0.03 * face.eye_distance)
    beard = (
        zone * (1.0 - lips) * np.clip((hairlike - 0.4) * 2.5, 0.0, 1.0) * np.clip(1.0 - 2.0 * skin, 0.0, 1.0)
    )
    return cv2.morphologyEx(beard.astype(np.float32), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))


def _touching(region: np.ndarray, zone: np.ndarray) -> np.ndarray:
    """The parts of `region` connected to `zone`: hair grows from the head, a white star on a flag doesn't."""
    _, labels = cv2.connectedComponents(region.astype(np.uint8), connectivity=8)
    keep = np.unique(labels[zone & region])
    return np.isin(labels, keep[keep > 0]).astype(np.float32)


def _likeness(lab: np.ndarray, pixels: np.ndarray, spread: float = 1.0) -> np.ndarray:
    """How close each pixel's Lab colour is to a cloud of sample pixels (0-1), by a robust Gaussian.

    Highlights and shadows vary hair's lightness a lot (L is 0-255 here), its hue much less.
    """
    pixels = pixels.astype(np.float64)
    mean = np.median(pixels, axis=0)
    # Median and MAD: a few pixels of a hat's brim or an ear among the samples don't widen it.
    mad = 1.4826 * np.median(np.abs(pixels - mean), axis=0)
    cov = np.diag(mad**2 * 1.5 + np.array([900.0, 12.0, 12.0]) * spread)
    diff = lab.reshape(-1, 3).astype(np.float64) - mean
    distance = np.sqrt(np.einsum("ij,jk,ik->i", diff, np.linalg.inv(cov), diff)).reshape(lab.shape[:2])
    return np.clip((3.0 - distance) / 1.5, 0.0, 1.0).astype(np.float32)


def grey(lab: np.ndarray, mask: np.ndarray, amount: float, neutral: bool = False) -> None:
    """Whiten the masked hair in place by `amount` (0-1), one colour change over all of it.

    White hair is light and nearly colourless; head hair keeps a faint warm cast, as real white
    hair has, while brows (`neutral`) go plain grey, never tinted. Lightness rises most in dark
    hair, so the hair's own highlights and strands stay visible.
    """
    if amount <= 0:
        return
    g = np.clip(amount, 0.0, 1.0) * mask
    L = lab[..., 0]
    # Black (0) -> 58, mid (50) -> 80, white (90) -> 98. Brows go to a darker grey: their few hairs
    # over skin read as white already at that level, and lighter turns them to cotton.
    silver = (40.0 + 0.45 * L) if neutral else (58.0 + 0.45 * L)
    lab[..., 0] = L + (silver - L) * g
    fade = 1.0 - 0.92 * g
    lab[..., 1] *= fade
    lab[..., 2] *= fade
    if not neutral:
        lab[..., 2] += 3.0 * g


def ungrey(lab: np.ndarray, mask: np.ndarray, amount: float, typical: float = 50.0) -> None:
    """Take grey out of the masked hair in place by `amount` (0-1): white and grey strands turn a
    dark brown, already dark hair barely changes (only what is light and colourless moves).
    `typical` is the hair's median lightness: strands keep their contrast around it."""
    if amount <= 0:
        return
    L, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    chroma = np.hypot(a, b)
    greyish = np.clip((L - 30.0) / 30.0, 0.0, 1.0) * np.clip((18.0 - chroma) / 10.0, 0.0, 1.0)
    w = np.clip(amount, 0.0, 1.0) * mask * greyish
    brown_L = 26.0 + 0.9 * (L - typical)  # the strands' light and dark, around a dark brown
    lab[..., 0] = L + (brown_L - L) * w
    lab[..., 1] = a + (6.0 - a) * w
    lab[..., 2] = b + (13.0 - b) * w
