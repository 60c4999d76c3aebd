"""The classic engine through the photo layout (inference_container/engine/pipeline.py) on a group photo:
every sitter's face is aged, at every age, and nothing outside the faces' crops moves. One group is made
up from real portraits of the set (three ages, two skin tones, one black-and-white photo side by side);
two are real group photos from a Debian package (tests/data/portraits/README.md)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from inference_container.classic import ClassicEngine
from tests.classic.conftest import GROUP, REAL_GROUPS, load_group, load_portrait, made_up_group

AGES = [10, 90]


@pytest.fixture(scope="module")
def group_and_result():
    photos = [load_portrait(name) for name in GROUP]
    group = made_up_group(photos)
    return photos, group, ClassicEngine(output_size=256).age(group, AGES, layout="photo")


def test_every_sitter_of_the_group_is_found_once(group_and_result):
    photos, group, result = group_and_result
    assert result.original.size == group.size and len(result.faces) == len(GROUP)
    left, spans = 0, []
    for photo in photos:
        spans.append((left, left + photo.width))
        left += photo.width + 20
    centres = sorted((face.box[0] + face.box[2]) / 2 for face in result.faces)
    assert all(x0 < c < x1 for c, (x0, x1) in zip(centres, spans, strict=True)), (centres, spans)


def test_the_apparent_age_reported_is_the_main_faces(group_and_result):
    """The CLI's "apparent age of the sitter" is about the face the booth framed (here not the largest), the
    one an attendee's answer is about."""
    from inference_container.classic.engine import estimate_apparent_age
    from inference_container.engine.faces import find_faces

    _, group, result = group_and_result
    crops, main = find_faces(group, 256)
    seen = [estimate_apparent_age(crop.image, crop.landmarks).age for crop in crops]
    assert main == result.main_face != 0 and abs(seen[0] - seen[main]) > 5  # the case tells the two apart
    assert result.timings["apparent_age"] == pytest.approx(seen[main])


def _assert_every_face_aged(group, result) -> None:
    """Every face's box changes by more than 2 levels on average in every frame."""
    photo = np.asarray(group, dtype=np.float32)
    for face in result.faces:
        x0, y0, x1, y1 = (int(round(v)) for v in face.box)
        for frame in result.frames:
            aged = np.asarray(frame.image, dtype=np.float32)
            change = float(np.abs(aged[y0:y1, x0:x1] - photo[y0:y1, x0:x1]).mean())
            assert change > 2.0, (face.box, frame.age, change)


def _outside_the_crops(group, result) -> np.ndarray:
    """Where no face's aligned crop (grown by 2 px) reaches: the compositor must leave it as it was."""
    crops = np.zeros((group.height, group.width), np.uint8)
    for face in result.faces:
        cv2.fillConvexPoly(crops, np.round(face.quad).astype(np.int32), 1)
    return cv2.dilate(crops, np.ones((5, 5), np.uint8)) == 0


def _assert_unchanged(group, result, where: np.ndarray) -> None:
    photo = np.asarray(group, dtype=np.uint8)
    for frame in result.frames:
        assert np.array_equal(np.asarray(frame.image)[where], photo[where]), frame.age


def test_every_face_of_the_group_is_aged_at_every_age(group_and_result):
    _, group, result = group_and_result
    _assert_every_face_aged(group, result)


def test_outside_the_faces_crops_the_group_photo_is_unchanged(group_and_result):
    _, group, result = group_and_result
    outside = _outside_the_crops(group, result)
    assert outside.mean() > 0.2  # the check covers a real share of the photo
    _assert_unchanged(group, result, outside)


@pytest.fixture(scope="module", params=sorted(REAL_GROUPS))
def real_group_and_result(request):
    group = load_group(request.param)
    return request.param, group, ClassicEngine(output_size=256).age(group, AGES, layout="photo")


def test_a_real_group_photo_has_every_face_found_and_aged(real_group_and_result):
    """Three men shoulder to shoulder, and a couple at a bar: faces 108-155 px wide, overlapping crops."""
    name, group, result = real_group_and_result
    assert len(result.faces) == REAL_GROUPS[name]
    _assert_every_face_aged(group, result)
    _assert_unchanged(group, result, _outside_the_crops(group, result))


def test_a_dim_bar_behind_dark_hair_is_not_greyed_into_a_halo():
    """The man at the bar: dark hair before a dim, dark bar, with his partner's face and blonde hair at one
    side of his crop, so nothing far from his head is seen to look unlike his hair. At "Age 95" his hair
    greys, and the bar above and beside his head (outside his usual head's outline, above his eyes) stays as
    it was; it was greyed into a box of grey bigger than his head."""
    from inference_container.align.ffhq import align_ffhq
    from inference_container.align.landmarks import default_landmarker
    from inference_container.classic.engine import age_aligned_face
    from inference_container.classic.geometry import Face
    from inference_container.classic.hair import _head_ellipse

    photo = load_group("couple_at_a_bar")
    found, _ = default_landmarker().all_faces(photo)
    _, marks = max(found, key=lambda face: face[0].width)  # his face is the larger
    aligned = align_ffhq(photo, marks, 384)
    crop = np.asarray(aligned.image.convert("RGB"), dtype=np.uint8)
    landmarks = aligned.map_points(marks)
    old = age_aligned_face(crop, landmarks, [95]).frames[0]
    light = [cv2.cvtColor(image, cv2.COLOR_RGB2LAB)[..., 0].astype(np.float32) * (100 / 255) for image in (crop, old)]
    change = np.abs(light[1] - light[0])
    face = Face(np.asarray(landmarks, dtype=np.float64))
    bar = _head_ellipse(crop.shape[:2], face, 1.15) < 0.5
    bar[int(landmarks[27][1]) :] = False
    assert change[bar].mean() < 0.5 and np.mean(change[bar] > 10) < 0.005, (change[bar].mean(), np.mean(change[bar] > 10))
    crown = (_head_ellipse(crop.shape[:2], face, 1.0) > 0.5) & ~bar
    crown[int(landmarks[19][1]) :] = False
    assert change[crown].mean() > 3.0, change[crown].mean()  # his hair did grey
