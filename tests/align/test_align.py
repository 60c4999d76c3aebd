"""Face alignment: real portraits land with eyes at SAM's FFHQ positions, whatever the photo's form."""

from __future__ import annotations

import io
import threading

import cv2
import numpy as np
import pytest
from PIL import Image

from booth_core.errors import BadImageError, NoFaceError
from inference_container.align import (
    FaceBox,
    align_face,
    align_face_with_landmarks,
    align_ffhq,
    detect_landmarks,
)
from inference_container.align.landmarks import choose_face
from tests.conftest import image_bytes

pytestmark = pytest.mark.slow  # dlib landmarks on real portraits: seconds each

# FFHQ places the eye centres at about (0.375, 0.478) and (0.625, 0.478) of the crop (SAM_FACTS §1b:
# the eyes are a quarter of the crop apart, the crop centre sits 0.1 eye-to-mouth below them).
LEFT_EYE = np.array([0.375, 0.478]) * 256
RIGHT_EYE = np.array([0.625, 0.478]) * 256


def eye_centres(landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return landmarks[36:42].mean(axis=0), landmarks[42:48].mean(axis=0)


def assert_ffhq_eyes(aligned: Image.Image, tolerance: float = 5.0) -> None:
    """Detect the face again on the aligned image: eyes level and where FFHQ puts them."""
    left, right = eye_centres(detect_landmarks(aligned))
    assert np.abs(left - LEFT_EYE).max() < tolerance, left
    assert np.abs(right - RIGHT_EYE).max() < tolerance, right
    assert abs(left[1] - right[1]) < 3.0


@pytest.mark.parametrize("portrait", ["astronaut", "grace_hopper"])
def test_portraits_align_to_ffhq_eye_positions(portrait, request):
    aligned = align_face(request.getfixturevalue(portrait))
    assert aligned.mode == "RGB" and aligned.size == (256, 256)
    assert_ffhq_eyes(aligned)


def test_mapped_landmarks_match_a_fresh_detection(astronaut, grace_hopper):
    for portrait in (astronaut, grace_hopper):
        aligned, mapped = align_face_with_landmarks(portrait)
        assert mapped.shape == (68, 2) and mapped.dtype == np.float64
        error = np.hypot(*(mapped - detect_landmarks(aligned)).T)
        # dlib's fit itself jitters by a few pixels on the jaw line; eyes and mouth are steadier
        assert np.median(error) < 3.0 and error[36:68].mean() < 3.0, error


def test_mapped_points_follow_the_pixels_exactly(astronaut):
    """A dot on the photo appears in the crop where the returned map puts it, also through the shrink step."""
    landmarks = detect_landmarks(astronaut)
    for zoom, output_size in ((1, 256), (1, 1024), (1, 64), (6, 256)):
        photo = np.zeros((512 * zoom, 512 * zoom, 3), dtype=np.float32)
        dot = np.array([240.0, 150.0]) * zoom
        photo[int(dot[1]), int(dot[0])] = 255.0
        if zoom > 1:  # a dot of several pixels survives the 1/zoom shrink
            photo = cv2.GaussianBlur(photo, (0, 0), zoom)
            photo *= 255 / photo.max()
        source = Image.fromarray(photo.astype(np.uint8), "RGB")
        aligned = align_ffhq(source, (landmarks + 0.5) * zoom - 0.5, output_size)
        brightness = np.asarray(aligned.image, dtype=float)[..., 0]
        ys, xs = np.nonzero(brightness)
        found = np.average(np.column_stack([xs, ys]), axis=0, weights=brightness[ys, xs])
        expected = aligned.map_points(dot[None])[0]
        assert np.abs(found - expected).max() < 0.3, (zoom, output_size, found, expected)


def test_large_output_is_resampled_from_full_resolution(astronaut):
    aligned, mapped = align_face_with_landmarks(astronaut, output_size=1024)
    assert aligned.size == (1024, 1024)
    left, right = eye_centres(mapped)
    np.testing.assert_allclose(left, LEFT_EYE * 4, atol=3)
    np.testing.assert_allclose(right, RIGHT_EYE * 4, atol=3)
    assert_ffhq_eyes(aligned.resize((256, 256), Image.Resampling.LANCZOS))


def test_the_real_face_wins_over_the_mission_patch(astronaut):
    landmarks = detect_landmarks(astronaut)
    centre = landmarks.mean(axis=0)
    # Eileen Collins' face is in the upper middle; the patch dlib also "finds" is at about (170, 380)
    assert 170 < centre[0] < 280 and 70 < centre[1] < 180, centre


def test_the_patch_found_by_dlib_is_not_chosen(astronaut):
    """With one pyramid upsampling dlib scores the mission patch as a face too; the real face is chosen."""
    import dlib

    rects, scores, _ = dlib.get_frontal_face_detector().run(np.asarray(astronaut), 1, 0.0)
    boxes = [
        FaceBox(r.left(), r.top(), r.right() + 1, r.bottom() + 1, s)
        for r, s in zip(rects, scores, strict=True)
    ]
    assert len(boxes) >= 2 and any(box.top > 300 for box in boxes)  # the patch is among the candidates
    chosen = choose_face(boxes)
    assert chosen is not None and chosen.top < 150 and 150 < chosen.left < 200


def test_choose_face_prefers_confident_large_faces():
    face = FaceBox(100, 100, 300, 300, score=0.8)
    small_confident = FaceBox(10, 10, 40, 40, score=2.5)
    large_weak = FaceBox(350, 100, 560, 310, score=0.1)
    assert choose_face([small_confident, face, large_weak]) == face
    assert choose_face([FaceBox(0, 0, 50, 50, score=-0.2)]) is None
    assert choose_face([]) is None


def test_faceless_photo_raises_no_face(faceless):
    with pytest.raises(NoFaceError) as caught:
        align_face(faceless)
    assert caught.value.code == "NO_FACE" and "face" in caught.value.message


def test_corrupt_bytes_raise_bad_image():
    with pytest.raises(BadImageError):
        align_face(b"\xff\xd8\xff\xe0 definitely not a jpeg")


def test_huge_photo_is_detected_downscaled_and_cropped_at_full_resolution(astronaut):
    big = Image.new("RGB", (7200, 5400), (90, 100, 110))  # 38.9 MP, just under booth_core.limits.MAX_PIXELS
    big.paste(astronaut.resize((5400, 5400), Image.Resampling.BILINEAR), (900, 0))
    aligned, mapped = align_face_with_landmarks(big)
    assert aligned.size == (256, 256)
    left, right = eye_centres(mapped)
    assert np.abs(left - LEFT_EYE).max() < 3 and np.abs(right - RIGHT_EYE).max() < 3
    reference = np.asarray(align_face(astronaut), dtype=float)
    assert np.abs(np.asarray(aligned, dtype=float) - reference).mean() < 12


def test_tiny_photo_is_upsampled_for_detection(astronaut):
    tiny = astronaut.resize((96, 96), Image.Resampling.LANCZOS)
    aligned, mapped = align_face_with_landmarks(tiny)
    assert aligned.size == (256, 256)
    left, right = eye_centres(mapped)
    assert np.abs(left - LEFT_EYE).max() < 3 and np.abs(right - RIGHT_EYE).max() < 3


@pytest.mark.parametrize("mode", ["L", "RGBA"])
def test_grayscale_and_rgba_png_bytes(astronaut, mode):
    photo = astronaut.convert(mode)
    aligned = align_face(image_bytes(photo, "PNG"))
    assert aligned.mode == "RGB" and aligned.size == (256, 256)
    if mode == "L":
        pixels = np.asarray(aligned, dtype=int)
        assert np.abs(pixels[..., 0] - pixels[..., 1]).max() <= 1
    assert_ffhq_eyes(aligned)


def test_exif_rotated_photo_aligns_like_the_upright_one(grace_hopper):
    # Orientation 6 = "rotate 90 degrees clockwise to display": store the upright photo turned the other way.
    stored = grace_hopper.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    stored.save(buffer, format="JPEG", quality=95, exif=exif)
    rotated = detect_landmarks(buffer.getvalue())
    upright = detect_landmarks(image_bytes(grace_hopper, "PNG"))
    assert np.hypot(*(rotated - upright).T).mean() < 3.0
    aligned = align_face(buffer.getvalue())
    assert_ffhq_eyes(aligned)


def test_concurrent_calls_give_the_same_result(astronaut, grace_hopper):
    expected = {
        name: np.asarray(align_face(photo)) for name, photo in (("a", astronaut), ("g", grace_hopper))
    }
    results: dict[tuple[str, int], np.ndarray] = {}
    errors: list[BaseException] = []

    def work(name: str, photo: Image.Image, index: int) -> None:
        try:
            results[name, index] = np.asarray(align_face(photo))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(name, photo, index))
        for index in range(2)
        for name, photo in (("a", astronaut), ("g", grace_hopper))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 4
    for (name, _), pixels in results.items():
        np.testing.assert_array_equal(pixels, expected[name])
