"""Unit checks of the classic engine's building blocks: age strength, displacement field, masks."""

from __future__ import annotations

import numpy as np
import pytest

from inference_container.classic import warp
from inference_container.classic.geometry import Face
from inference_container.classic.masks import feather, polygon
from inference_container.classic.strength import age_strength, ramp
from inference_container.classic.wrinkles import group_weights


def test_strength_is_zero_at_subject_age_and_grows_with_distance():
    assert age_strength(30, 30) == age_strength(30, 30.0)
    assert age_strength(30, 30).older == 0 and age_strength(30, 30).younger == 0
    older = [age_strength(a, 30).older for a in (35, 50, 70, 90, 100)]
    younger = [age_strength(a, 30).younger for a in (25, 15, 5, 0)]
    assert all(b > a for a, b in zip(older, older[1:], strict=False))
    assert all(b >= a for a, b in zip(younger, younger[1:], strict=False)) and younger[-2] > younger[0]
    assert age_strength(90, 30).older == pytest.approx(1.0)
    assert age_strength(3, 30).younger == pytest.approx(1.0)
    assert age_strength(95, 30).younger == 0 and age_strength(5, 30).older == 0


def test_ramp_is_continuous_and_monotonic():
    xs = np.linspace(0, 1.1, 400)
    values = np.array([ramp(x, 0.25, 0.7) for x in xs])
    assert values[0] == 0 and np.all(np.diff(values) >= 0)
    assert np.max(np.abs(np.diff(values))) < 0.02  # no jumps: a series of ages animates smoothly


def test_wrinkle_groups_appear_in_order():
    weights = [group_weights(s) for s in (0.0, 0.2, 0.5, 0.8, 1.0)]
    assert weights[0] == [0.0, 0.0, 0.0, 0.0]
    assert weights[1][0] > 0 and weights[1][3] == 0
    assert all(weights[-1][k] > weights[2][k] for k in range(4))


@pytest.fixture(scope="module")
def face(astronaut) -> Face:
    """Real landmarks of the astronaut in her 256 px aligned crop."""
    from inference_container.align import align_face_with_landmarks

    return Face(align_face_with_landmarks(astronaut, 256)[1])


@pytest.mark.slow  # the face fixture runs dlib on a real portrait
def test_no_strength_means_no_warp(face):
    image = np.random.default_rng(1).integers(0, 255, (256, 256, 3), dtype=np.uint8)
    field = warp.age_field(image.shape[:2], face, 0.0, 0.0)
    assert np.array_equal(warp.apply(image, field), image)


@pytest.mark.slow
@pytest.mark.parametrize("older,younger", [(1.0, 0.0), (0.0, 1.0)])
def test_warp_moves_the_face_but_not_the_frame_edges(face, older, younger):
    field = warp.age_field((256, 256), face, older, younger)
    map_x, map_y = field.maps()
    yy, xx = np.mgrid[0:256, 0:256]
    shift = np.hypot(map_x - xx, map_y - yy)
    assert shift.max() > 0.02 * face.eye_distance  # something visibly moves
    assert shift.max() < 0.35 * face.eye_distance  # but only a little: identity is kept
    corners = np.concatenate([shift[:20, :20].ravel(), shift[:20, -20:].ravel(), shift[-20:, :20].ravel()])
    assert corners.max() < 0.05


def test_masks_are_soft():
    hard = polygon((64, 64), np.array([[16, 16], [48, 16], [48, 48], [16, 48]]))
    soft = feather(hard, 3.0)
    assert hard.min() == 0 and hard.max() == 1
    assert 0.2 < soft[16, 32] < 0.8  # an edge is a ramp, not a step
    assert soft.dtype == np.float32
