"""The person's outline round a face, by GrabCut seeded from the landmarks: the hair is kept inside it.

Colour alone cannot tell hair from a backdrop near its colour (dark leaves round dark hair, a sepia print's
wall the tone of white hair, a flash's light rim on a wall); GrabCut weighs the colours of person and
backdrop against the picture's edges, so where the head's edge shows, the hair stops there. Seeds: the
face from the brows down and the pixels the hair's colour was learnt from are the person for sure; the
usual head, the neck and shoulders below the jaw and, where the caller trusts it, the hair found by colour
probably are; everything else probably is not (on a tight crop big hair reaches the sides, so nothing is
backdrop for sure).
"""

from __future__ import annotations

import cv2
import numpy as np

from inference_container.classic.geometry import JAW, Face
from inference_container.classic.masks import below_hairline, touching

#: GrabCut's rounds of re-learning the colours and cutting again: the outline has settled by then.
ROUNDS = 4
#: GrabCut's colour models start from k-means++, which draws from OpenCV's generator for the calling thread:
#: seeded before every cut, so the same picture gives the same outline in any process and on any thread.
SEED = 7
#: Fewer seeds than this on either side and there is nothing to learn a colour model from: no cut.
MIN_SEEDS = 50


def person_outline(
    rgb: np.ndarray, face: Face, head: np.ndarray, hair_found: np.ndarray, hair_seen: np.ndarray
) -> np.ndarray:
    """Where the person is (bool, the shape of `rgb`, uint8 HxWx3, a small picture of ~200 px): the part of
    GrabCut's cut connected to the face, its holes filled (dark gaps between locks are the person too).

    All in `rgb`'s frame: `head`, the usual head's ellipse (0-1); `hair_found` (bool), hair found by colour
    that is probably the person; `hair_seen` (bool), hair that surely is (where its colour was learnt).
    """
    shape = rgb.shape[:2]
    p = face.points
    seeds = np.full(shape, cv2.GC_PR_BGD, np.uint8)
    seeds[(head > 0.5) | hair_found] = cv2.GC_PR_FGD
    xs = p[JAW][:, 0]
    chin = int(np.clip(p[8][1], 0, shape[0]))
    seeds[chin:, max(int(xs.min()), 0) : max(int(xs.max()), 0)] = cv2.GC_PR_FGD  # neck and shoulders
    skin = cv2.erode((below_hairline(shape, face) > 0.5).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    seeds[skin | hair_seen] = cv2.GC_FGD
    backdrop = np.count_nonzero(seeds == cv2.GC_PR_BGD)
    if min(backdrop, seeds.size - backdrop) < MIN_SEEDS:
        return np.ones(shape, dtype=bool)  # the picture is all head (or no head): nothing to cut away
    cv2.setRNGSeed(SEED)
    cv2.grabCut(rgb, seeds, None, np.zeros((1, 65)), np.zeros((1, 65)), ROUNDS, cv2.GC_INIT_WITH_MASK)
    person = (seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)
    return _filled(touching(person, skin))


def _filled(region: np.ndarray) -> np.ndarray:
    """`region` with its holes filled: what is not in it and does not reach the picture's edge."""
    outside = (~region).astype(np.uint8)
    _, labels = cv2.connectedComponents(outside, connectivity=4)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    return region | ~np.isin(labels, edge[edge > 0])
