"""The person's outline (GrabCut seeded from the landmarks) that bounds the hair: on real portraits of the set
(tests/data/portraits/README.md) and on drawn shapes."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from inference_container.classic.geometry import Face
from inference_container.classic.hair import SEARCH_SIZE, _head_ellipse
from inference_container.classic.masks import below_hairline
from inference_container.classic.silhouette import _filled, person_outline


def _small(aligned_set, name: str) -> tuple[np.ndarray, Face]:
    """The portrait's aligned crop at the hair search's size, with its landmarks there."""
    crop, lm = aligned_set[name]
    factor = SEARCH_SIZE / crop.shape[1]
    small = cv2.resize(crop, (SEARCH_SIZE, SEARCH_SIZE), interpolation=cv2.INTER_AREA)
    return small, Face(np.asarray(lm, dtype=np.float64)).scaled(factor)


def _outline(small: np.ndarray, face: Face) -> np.ndarray:
    """The outline from the landmarks alone: no hair found or seen."""
    shape = small.shape[:2]
    none = np.zeros(shape, dtype=bool)
    return person_outline(small, face, _head_ellipse(shape, face, 1.0), none, none)


@pytest.mark.parametrize("name", ["dahlgren", "giunchedi", "obama"])
def test_the_outline_holds_the_face_and_leaves_the_far_backdrop(aligned_set, name):
    small, face = _small(aligned_set, name)
    person = _outline(small, face)
    assert person[below_hairline(person.shape, face) > 0.5].mean() > 0.97  # all but the hull's very edge
    # The picture's top corners are backdrop in all three (a print's wall, leaves, a window).
    corner = SEARCH_SIZE // 8
    assert not person[:corner, :corner].any() and not person[:corner, -corner:].any()


def test_the_outline_is_the_same_whatever_opencv_drew_before(aligned_set):
    """GrabCut's k-means draws from OpenCV's generator: the outline seeds it, so earlier draws change nothing."""
    small, face = _small(aligned_set, "dahlgren")
    first = _outline(small, face)
    cv2.setRNGSeed(12345)
    cv2.randu(np.zeros((64, 64), np.float32), 0.0, 1.0)  # another user of the generator
    assert np.array_equal(_outline(small, face), first)


def test_a_picture_that_is_all_head_is_not_cut():
    """A crop the usual head fills leaves nothing to learn a backdrop from: everything is the person."""
    lm = np.array([[8 + 0.25 * (i % 17), 9 + 0.1 * (i // 17)] for i in range(68)], dtype=np.float64)
    face = Face(lm)
    small = np.full((16, 16, 3), 120, np.uint8)
    head = np.ones((16, 16), np.float32)
    none = np.zeros((16, 16), dtype=bool)
    assert person_outline(small, face, head, none, none).all()


def test_holes_in_the_outline_are_filled_but_not_bays_at_the_edge():
    ring = np.zeros((40, 40), np.uint8)
    cv2.circle(ring, (20, 20), 12, 1, thickness=4)  # a ring: its middle is a hole
    bay = np.zeros((40, 40), bool)
    bay[:, :10] = True
    bay[:20, 10:] = True  # an L: the corner it leaves open touches the edge
    assert _filled(ring > 0)[20, 20]
    assert np.array_equal(_filled(bay), bay)
