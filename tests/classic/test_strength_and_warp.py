"""The plan of changes by age, the shape warp (sag and cardioidal growth), donors and masks."""

from __future__ import annotations

import json

import numpy as np
import pytest

from inference_container.classic import warp
from inference_container.classic.apparent import ApparentAge, band_of
from inference_container.classic.donors import DONOR_DIR, donor_weights, load_donors
from inference_container.classic.geometry import Face
from inference_container.classic.masks import feather, polygon
from inference_container.classic.strength import lower_face, plan, reach, shown_age

ASKED = list(range(0, 101, 5))


@pytest.mark.parametrize("seen", [4, 8, 15, 25, 33, 45, 60, 80, 95])
def test_shown_ages_stay_within_reach_in_order(seen):
    youngest, oldest = reach(seen)
    shown = [shown_age(age, seen) for age in ASKED]
    assert all(b >= a for a, b in zip(shown, shown[1:], strict=False))  # monotone: the animation plays in order
    assert all(youngest - 0.5 <= age <= oldest + 0.5 for age in shown)
    for asked, age in zip(ASKED, shown, strict=True):  # never labelled past the asked age, never the other way
        assert (asked <= age <= seen + 0.5) or (seen - 0.5 <= age <= asked)


def test_ages_within_reach_are_shown_as_asked():
    assert [shown_age(age, 33) for age in (25, 35, 55, 75, 95)] == [25, 35, 55, 75, 95]
    assert [shown_age(age, 80) for age in (60, 70, 80, 90)] == [60, 70, 80, 90]
    assert [shown_age(age, 8) for age in (6, 12, 20)] == [6, 12, 20]


def test_far_ages_are_shown_where_the_engine_can_reach():
    senior = [shown_age(age, 80) for age in (25, 35, 55, 75)]
    assert senior[0] >= 44 and senior[1] > senior[0] and senior[2:] == [55, 75]  # not "Age 25" on an 80-year-old
    child = [shown_age(age, 8) for age in (55, 75, 95)]
    assert max(child) <= 8 + 30 and child == sorted(child)  # a child never gets a senior's label
    assert shown_age(95, 30) == 95  # a grown face reaches any older age


def test_nothing_changes_at_the_apparent_age():
    for seen in (6, 30, 52.5, 80):
        assert plan(seen, seen).is_identity


def test_older_targets_age_more_the_further_they_are():
    steps = [plan(age, 35) for age in (40, 55, 70, 85, 100)]
    older = [s.older for s in steps]
    grey = [s.grey for s in steps]
    assert all(b > a for a, b in zip(older, older[1:], strict=False))
    assert all(b >= a for a, b in zip(grey, grey[1:], strict=False)) and grey[-1] == 1.0
    assert all(s.smooth == 0 and s.ungrey == 0 and s.growth == 1.0 for s in steps)


def test_an_old_sitter_young_again_loses_creases_and_grey():
    """An 80-year-old's "Age 25": nearly no creases, no grey, the face lifted."""
    step = plan(25, 80)
    assert step.smooth > 0.9 and step.ungrey == 1.0 and step.sag < 0 and step.older == 0
    assert plan(60, 80).smooth < step.smooth


def test_a_child_grows_up_and_an_adult_becomes_a_child():
    grow = plan(30, 6)
    assert grow.growth > 1.1 and grow.older > 0 and grow.smooth == 0
    child = plan(5, 40)
    assert child.growth < 0.9 and child.smooth == 1.0 and child.beardless == 1.0
    assert plan(14, 40).beardless < 1.0 and plan(20, 40).beardless == 0


def test_lower_face_grows_until_adulthood():
    values = [lower_face(a) for a in (0, 3, 8, 12, 18, 40)]
    assert all(b > a for a, b in zip(values, values[1:-1], strict=False))
    assert values[-2] == values[-1] == 1.0


def test_apparent_age_hint_and_bands():
    assert ApparentAge.given(70).band == "senior" and ApparentAge.given(8).band == "child"
    assert [band_of(a) for a in (5, 16, 40, 70)] == ["child", "teen", "adult", "senior"]
    with pytest.raises(ValueError):
        ApparentAge.given(-1)


@pytest.fixture(scope="module")
def face(astronaut) -> Face:
    """Real landmarks of the astronaut in her 256 px aligned crop."""
    from inference_container.align import align_face_with_landmarks

    return Face(align_face_with_landmarks(astronaut, 256)[1])


def _shift(field):
    map_x, map_y = field.maps()
    yy, xx = np.mgrid[0 : field.shape[0], 0 : field.shape[1]]
    return map_x - xx, map_y - yy


@pytest.mark.slow  # the face fixture runs dlib on a real portrait
def test_no_change_means_no_warp(face):
    image = np.random.default_rng(1).integers(0, 255, (256, 256, 3), dtype=np.uint8)
    assert np.array_equal(warp.apply(image, warp.age_field(image.shape[:2], face, 0.0, 1.0)), image)


@pytest.mark.slow  # the face fixture runs dlib on a real portrait
@pytest.mark.parametrize("sag,growth", [(1.0, 1.0), (-0.8, 1.0), (0.0, 0.8), (0.0, 1.25)])
def test_warp_moves_the_face_but_not_the_frame_edges(face, sag, growth):
    dx, dy = _shift(warp.age_field((256, 256), face, sag, growth))
    shift = np.hypot(dx, dy)
    assert shift.max() > 0.02 * face.eye_distance  # something visibly moves
    assert shift.max() < 0.4 * face.eye_distance  # but only so much: identity is kept
    border = np.concatenate(
        [shift[:4].ravel(), shift[-4:].ravel(), shift[:, :4].ravel(), shift[:, -4:].ravel()]
    )
    assert border.max() < 1e-4  # the crop's outer pixels never move, so nothing smears there


@pytest.mark.slow  # the face fixture runs dlib on a real portrait
def test_cardioidal_growth_shortens_a_younger_lower_face(face):
    """Younger (growth < 1): the chin rises towards the eyes; the crown barely moves."""
    dx, dy = _shift(warp.age_field((256, 256), face, 0.0, 0.8))
    chin = face.points[8].astype(int)
    crown = face.offset((face.right_eye + face.left_eye) / 2, 0.0, -1.2).astype(int)
    # Backward map: the source of the chin's new place lies below it (content moved up).
    assert dy[chin[1] - 3, chin[0]] > 0.03 * face.eye_distance
    assert abs(dy[crown[1], crown[0]]) < 0.3 * dy[chin[1] - 3, chin[0]]


def test_donors_ship_with_credits_and_clean_zones():
    index = json.loads((DONOR_DIR / "donors.json").read_text())
    assert len(index["donors"]) >= 3
    assert all("public domain" in entry["credit"] for entry in index["donors"])
    donors = load_donors()
    for donor in donors:
        assert donor.luminance.shape == (512, 512) and donor.valid.max() == pytest.approx(1.0, abs=0.02)
    hopper = next(
        d for d in donors if d.name == "hopper"
    )  # she wears glasses: no skin detail around the eyes
    eye = hopper.face.right_eye.astype(int)
    assert hopper.valid[eye[1], eye[0]] < 0.05


def test_a_donor_gives_nothing_to_its_own_photo():
    donors = load_donors()
    for donor in donors:
        weights = donor_weights(donor.face, donors)
        assert weights[donors.index(donor)] == 0.0
        assert sum(weights) > 0


def test_masks_are_soft():
    hard = polygon((64, 64), np.array([[16, 16], [48, 16], [48, 48], [16, 48]]))
    soft = feather(hard, 3.0)
    assert hard.min() == 0 and hard.max() == 1
    assert 0.2 < soft[16, 32] < 0.8  # an edge is a ramp, not a step
    assert soft.dtype == np.float32
