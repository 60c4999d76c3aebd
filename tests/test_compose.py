"""The compositor on real portraits: the photo unchanged outside the masks, every face changed inside, no seam.

Photos: scikit-image's astronaut and matplotlib's Grace Hopper (public-domain portraits those packages ship),
and group photos made by pasting them side by side at different sizes. Engines: an identity engine (hands the
crops back) and a stand-in that visibly changes a crop (a colour shift), so only the compositor is judged.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from inference_container.engine.compose import Compositor, face_mask
from inference_container.engine.faces import FaceFrames, find_faces
from inference_container.engine.pipeline import age_photo


class ShiftEngine:
    """Returns each crop at 2x its size, tinted by the age: a visible, known change."""

    name = "shift"
    crop_size = 256

    def age_faces(self, faces, ages, timings=None, sitters=None):
        out = []
        for face in faces:
            big = cv2.resize(face.image, (512, 512), interpolation=cv2.INTER_CUBIC).astype(np.int16)
            out.append(FaceFrames(
                [np.clip(big + [age // 2, -age // 4, -age // 3], 0, 255).astype(np.uint8) for age in ages], list(ages)))
        return out


class IdentityEngine(ShiftEngine):
    def age_faces(self, faces, ages, timings=None, sitters=None):
        return [FaceFrames([face.image for _ in ages], list(ages)) for face in faces]


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


@pytest.fixture(scope="module")
def group(astronaut, grace_hopper) -> Image.Image:
    """Three people: Grace Hopper, the astronaut, and a smaller astronaut overlapping Grace Hopper's frame."""
    photo = Image.new("RGB", (1400, 700), (120, 130, 140))
    photo.paste(astronaut, (0, 100))
    photo.paste(grace_hopper, (520, 50))
    photo.paste(astronaut.resize((340, 340), Image.Resampling.LANCZOS), (1040, 250))
    return photo


@pytest.mark.slow
def test_every_face_of_a_group_photo_is_aged(group):
    result = age_photo(ShiftEngine(), group, ages=[80])
    assert len(result.faces) == 3
    sizes = [face.box[2] - face.box[0] for face in result.faces]
    assert sizes == sorted(sizes, reverse=True)  # largest first
    photo, aged = np.asarray(group, dtype=np.int16), np.asarray(result.frames[0].image, dtype=np.int16)
    for face in result.faces:
        x0, y0, x1, y1 = (int(v) for v in face.box)
        assert (aged[y0:y1, x0:x1, 0] - photo[y0:y1, x0:x1, 0]).mean() > 20  # the red shift of age 80, inside


class RecordingEngine(IdentityEngine):
    """Keeps what each call told it of the faces (their sitters)."""

    def __init__(self):
        self.told = []

    def age_faces(self, faces, ages, timings=None, sitters=None):
        self.told.append(list(sitters))
        return super().age_faces(faces, ages, timings)


@pytest.mark.slow
def test_the_attendees_answer_is_about_the_main_face_only(group):
    engine = RecordingEngine()
    result = age_photo(engine, group, ages=[30], sitter="child")
    age_photo(engine, group, ages=[30])
    told, untold = engine.told
    assert told[result.main_face] == "child" and told.count("child") == 1 and len(told) == 3
    assert untold == [None, None, None]
    with pytest.raises(ValueError, match="child, adult, senior"):
        age_photo(engine, group, ages=[30], sitter="toddler")


@pytest.mark.parametrize("portrait", ["astronaut", "grace_hopper", "group"])
def test_outside_the_masks_the_photo_is_unchanged_and_no_seam_shows(portrait, request):
    photo_image = request.getfixturevalue(portrait)
    photo = np.asarray(photo_image, dtype=np.uint8)
    faces, _ = find_faces(photo_image, 256)
    compositor = Compositor(photo, faces)
    aged = ShiftEngine().age_faces(faces, [70])
    out = compositor.compose([face.frames[0] for face in aged])
    union = compositor.masks()
    outside = union == 0
    assert psnr(out[outside], photo[outside]) >= 45  # in fact identical
    assert np.array_equal(out[outside], photo[outside])
    inside = union > 0.99
    assert np.abs(out[inside].astype(int) - photo[inside]).mean() > 10
    # no seam: along the mask's edge the picture's gradients are as the photo's own, not a step
    gray = lambda a: cv2.cvtColor(a, cv2.COLOR_RGB2GRAY).astype(np.float32)  # noqa: E731
    edge = (union > 0.02) & (union < 0.98)
    gradient = lambda a: np.hypot(cv2.Sobel(gray(a), cv2.CV_32F, 1, 0), cv2.Sobel(gray(a), cv2.CV_32F, 0, 1))  # noqa: E731
    assert gradient(out)[edge].mean() < 1.25 * gradient(photo)[edge].mean() + 2.0


def test_identity_engine_gives_back_the_photo(grace_hopper):
    result = age_photo(IdentityEngine(), grace_hopper, ages=[40])
    assert psnr(np.asarray(result.frames[0].image), np.asarray(grace_hopper)) > 35  # only resampling blur


def test_the_mask_is_soft_inside_the_crop_and_zero_at_its_edge():
    mask = face_mask(256)
    assert mask[128, 128] == 1.0 and mask[0].max() == 0 and mask[:, 0].max() == 0 and mask[-1].max() == 0
    row = mask[128]
    assert np.all(np.diff(row[:128]) >= 0) and np.abs(np.diff(row)).max() < 0.08  # a ramp over 20+ pixels


@pytest.mark.slow
def test_big_photos_become_frames_of_at_most_2048_pixels(astronaut):
    big = astronaut.resize((3000, 3000), Image.Resampling.BILINEAR)
    result = age_photo(ShiftEngine(), big, ages=[60])
    assert result.original.size == result.frames[0].image.size == (2048, 2048)
    box = result.faces[0].box
    assert 150 * 4 < box[0] < 220 * 4  # boxes in frame-0 pixels (the 512 px original x 4)


def test_aligned_layout_gives_the_main_face_crops(group):
    result = age_photo(ShiftEngine(), group, ages=[20, 60], layout="aligned")
    assert result.layout == "aligned" and len(result.faces) == 1
    assert result.original.size == (256, 256) and result.frames[0].image.size == (512, 512)
    with pytest.raises(ValueError, match="layout"):
        age_photo(ShiftEngine(), group, ages=[20], layout="poster")
