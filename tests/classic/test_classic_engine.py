"""The classic engine on real portraits: contract, monotonic change, wrinkles, greying, stillness, repeatability."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import pytest
from PIL import Image

from booth_core.ages import DEFAULT_AGES
from booth_core.errors import NoFaceError
from inference_container.classic import ClassicEngine, warp
from inference_container.classic.geometry import Face
from inference_container.classic.strength import age_strength
from inference_container.engine import load_engine
from tests.conftest import image_bytes

SIZE = 384
AGES = [5, 15, 30, 45, 60, 75, 95]


def _series(photo):
    from inference_container.align import align_face_with_landmarks

    result = ClassicEngine(output_size=SIZE).age(photo, AGES, layout="aligned")
    landmarks = align_face_with_landmarks(photo, SIZE)[1]
    frames = {frame.age: np.asarray(frame.image, dtype=np.float32) for frame in result.frames}
    return np.asarray(result.original, dtype=np.float32), frames, landmarks


@pytest.fixture(scope="module")
def astronaut_series(astronaut):
    return _series(astronaut)


@pytest.fixture(scope="module")
def hopper_series(grace_hopper):
    return _series(grace_hopper)


@pytest.fixture(params=["astronaut", "hopper"])
def series(request, astronaut_series, hopper_series):
    return astronaut_series if request.param == "astronaut" else hopper_series


def _box(landmarks, indices, pad_x, pad_y_top, pad_y_bottom, size=SIZE):
    """A pixel box around some landmarks, padded by fractions of the eye distance."""
    d = np.hypot(*(landmarks[42:48].mean(0) - landmarks[36:42].mean(0)))
    pts = landmarks[list(indices)]
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    box = (int(x0 - pad_x * d), int(y0 - pad_y_top * d), int(x1 + pad_x * d), int(y1 + pad_y_bottom * d))
    return tuple(int(np.clip(v, 0, size)) for v in box)


def _crop(image, box):
    x0, y0, x1, y1 = box
    return image[y0:y1, x0:x1]


def _fine_energy(image, box, where=None):
    """Mean squared band-pass (difference of Gaussians, 1-3 px) contrast: how much fine texture,
    wrinkles and pores, a zone has, relative to its brightness (darker skin is not "smoother").
    Pixel-level grain is left out: any resampling changes it. `where` (a boolean mask of the box)
    limits the average to those pixels."""
    grey = cv2.cvtColor(_crop(image, box).astype(np.uint8), cv2.COLOR_RGB2GRAY).astype(np.float32)
    base = cv2.GaussianBlur(grey, (0, 0), 3.0)
    band = (cv2.GaussianBlur(grey, (0, 0), 1.0) - base) / np.maximum(base, 16.0)
    return float(np.mean(band[where] ** 2)) if where is not None else float(np.mean(band**2))


def _skin_pixels(original, lm, box):
    """Pixels of the box whose colour is near the cheeks' (test-side, independent of the engine):
    hair, glasses frames and eyes nearby would otherwise dominate the texture measure."""
    lab = cv2.cvtColor(original.astype(np.uint8), cv2.COLOR_RGB2LAB).astype(np.float32)
    d = np.hypot(*(lm[42:48].mean(0) - lm[36:42].mean(0)))
    cheek = lab[int(lm[29][1]) : int(lm[33][1]), int(lm[2][0] + 0.25 * d) : int(lm[31][0] - 0.2 * d)]
    reference = np.median(cheek.reshape(-1, 3), axis=0)
    near = np.linalg.norm((lab - reference)[..., 1:], axis=2) < 12
    near &= np.abs(lab[..., 0] - reference[0]) < 60
    near = cv2.erode(near.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    return _crop(near, box)


def _saturation(image, box):
    hsv = cv2.cvtColor(_crop(image, box).astype(np.uint8), cv2.COLOR_RGB2HSV)
    return float(hsv[..., 1].mean())


def test_contract_and_load_engine(astronaut):
    engine = load_engine("classic", output_size=128)
    assert isinstance(engine, ClassicEngine) and engine.name == "classic"
    result = engine.age(astronaut, layout="aligned")
    assert result.engine == "classic"
    assert result.ages == list(DEFAULT_AGES)
    assert result.original.size == (128, 128) and result.original.mode == "RGB"
    assert all(frame.image.size == (128, 128) and frame.image.mode == "RGB" for frame in result.frames)
    assert {"align_s", "prepare_s", "render_s", "total_s"} <= set(result.timings)
    assert result.to_strip_array().shape == (128, 128 * 5, 3)


def test_change_grows_with_distance_from_subject_age(series):
    original, frames, _ = series
    change = {age: float(np.abs(frames[age] - original).mean()) for age in AGES}
    assert change[30] < 0.5  # the subject's own age leaves the face as it is
    older = [change[a] for a in (30, 45, 60, 75, 95)]
    younger = [change[a] for a in (30, 15, 5)]
    assert all(b > a for a, b in zip(older, older[1:], strict=False)), older
    assert all(b > a for a, b in zip(younger, younger[1:], strict=False)), younger
    assert change[95] > 3.0  # visibly different, not a rounding error


def _cheek_boxes(lm):
    """Skin between the nose wing, the mouth corner and the side of the face, on both sides."""
    d = np.hypot(*(lm[42:48].mean(0) - lm[36:42].mean(0)))
    top, bottom = int(lm[31][1] - 0.1 * d), int(lm[48][1] + 0.05 * d)
    left = (int(lm[48][0] - 0.35 * d), top, int(lm[31][0] - 0.08 * d), bottom)
    right = (int(lm[35][0] + 0.08 * d), top, int(lm[54][0] + 0.35 * d), bottom)
    return left, right


def _texture_gain(original, frames, lm, age, box):
    """Fine-texture energy of the aged frame over that of the original moved by the same warp.

    Shape changes stretch and shift skin, which changes texture energy by itself; comparing with the
    equally warped original isolates what the engine painted (wrinkles, crepe, smoothing).
    """
    strength = age_strength(age, 30)
    field = warp.age_field(original.shape[:2], Face(lm), strength.older, strength.younger)
    moved = warp.apply(original.astype(np.uint8), field).astype(np.float32)
    where = _skin_pixels(moved, lm, box)
    if where.sum() < 150:
        return None  # the zone is hidden (glasses, hair): nothing to measure
    return _fine_energy(frames[age], box, where) / _fine_energy(moved, box, where)


def _beside(lm, corner, side):
    """The skin just outside an eye's outer corner, where crow's feet grow."""
    d = np.hypot(*(lm[42:48].mean(0) - lm[36:42].mean(0)))
    x, y = lm[corner]
    xs = sorted((int(x + side * 0.05 * d), int(x + side * 0.24 * d)))
    return (xs[0], int(y - 0.2 * d), xs[1], int(y + 0.22 * d))


def test_wrinkle_zones_gain_fine_texture_with_age(series):
    original, frames, lm = series
    nasolabial_left, nasolabial_right = _cheek_boxes(lm)
    zones = {
        "nasolabial_left": nasolabial_left,
        "nasolabial_right": nasolabial_right,
        "crows_feet_left": _beside(lm, 36, -1),
        "crows_feet_right": _beside(lm, 45, 1),
        "under_eyes": _box(lm, [40, 41, 46, 47], 0.05, -0.05, 0.35),
    }
    measured = 0
    for name, box in zones.items():
        gain = [_texture_gain(original, frames, lm, a, box) for a in (45, 60, 75, 95)]
        if None in gain:
            continue
        measured += 1
        assert gain[0] < gain[1] < gain[2], (name, gain)
        assert gain[0] > 0.97 and gain[3] > max(gain[0], 1.2), (name, gain)
    assert measured >= 3


def test_younger_skin_is_smoother(series):
    original, frames, lm = series
    gains = [_texture_gain(original, frames, lm, 5, cheek) for cheek in _cheek_boxes(lm)]
    assert all(gain is not None and gain < 0.93 for gain in gains), gains


def test_brows_lose_saturation_with_age(series):
    _, frames, lm = series
    brows = _box(lm, list(range(17, 27)), 0.0, 0.02, 0.12)
    sat = [_saturation(frames[a], brows) for a in (30, 60, 95)]
    assert sat[0] > sat[1] > sat[2], sat


def test_hair_loses_saturation_with_age(astronaut_series):
    """The astronaut's hair (above the forehead and at the temples) turns grey."""
    _, frames, lm = astronaut_series
    crown = _box(lm, [19, 24], 0.1, 1.0, -0.6)
    temple = _box(lm, [0], 0.35, 0.6, -0.3)
    for box in (crown, temple):
        sat = [_saturation(frames[a], box) for a in (30, 45, 60, 75, 95)]
        assert all(b < a for a, b in zip(sat, sat[1:], strict=False)), sat
        assert sat[-1] < 0.6 * sat[0], sat
    # Younger hair keeps its colour (it darkens).
    assert _saturation(frames[5], crown) >= 0.97 * _saturation(frames[30], crown)


def test_background_and_clothes_stay_put(series):
    original, frames, _ = series
    n = SIZE // 8
    corners = [
        (slice(0, n), slice(0, n)),
        (slice(0, n), slice(-n, None)),
        (slice(-n, None), slice(0, n)),
        (slice(-n, None), slice(-n, None)),
    ]
    for age in (5, 95):
        for rows, cols in corners:
            diff = np.abs(frames[age][rows, cols] - original[rows, cols])
            assert diff.mean() < 1.0 and np.percentile(diff, 99) < 6, (age, diff.mean())


def test_eyes_and_teeth_keep_their_colour(astronaut_series):
    """Wrinkles and skin tone stay off the eyes' whites and the teeth (they may move, not change colour)."""
    original, frames, lm = astronaut_series
    for box in (_box(lm, range(36, 42), 0.0, 0.0, 0.0), _box(lm, range(60, 68), 0.0, 0.0, 0.0)):
        before = cv2.cvtColor(_crop(original, box).astype(np.uint8), cv2.COLOR_RGB2LAB).astype(np.float32)
        after = cv2.cvtColor(_crop(frames[60], box).astype(np.uint8), cv2.COLOR_RGB2LAB).astype(np.float32)
        assert np.abs(before[..., 1:].mean((0, 1)) - after[..., 1:].mean((0, 1))).max() < 3.0


def test_same_photo_and_ages_give_the_same_bytes(astronaut_jpeg):
    first = ClassicEngine(output_size=160).age(astronaut_jpeg, [20, 80], layout="aligned").to_npy_bytes()
    second = ClassicEngine(output_size=160).age(astronaut_jpeg, [20, 80], layout="aligned").to_npy_bytes()
    assert first == second


def test_accepts_png_bytes_and_honours_subject_age(grace_hopper):
    engine = ClassicEngine(subject_age=80, output_size=128)
    result = engine.age(image_bytes(grace_hopper, "PNG"), [80, 30], layout="aligned")
    original = np.asarray(result.original, dtype=np.float32)
    same, younger = (np.asarray(f.image, dtype=np.float32) for f in result.frames)
    assert np.abs(same - original).mean() < 0.5
    assert np.abs(younger - original).mean() > 2.0


def test_no_face_raises_no_face_error(faceless):
    with pytest.raises(NoFaceError):
        ClassicEngine(output_size=128).age(faceless)
    with pytest.raises(NoFaceError):
        ClassicEngine(output_size=128).age(image_bytes(Image.new("RGB", (300, 200), (90, 120, 200)), "JPEG"))


@pytest.mark.parametrize("bad", [[101], [], ["x"], [2.5]])
def test_bad_ages_are_refused(astronaut, bad):
    with pytest.raises(ValueError):
        ClassicEngine(output_size=128).age(astronaut, bad)


def test_bad_options_are_refused():
    with pytest.raises(ValueError):
        ClassicEngine(subject_age=150)
    with pytest.raises(ValueError):
        ClassicEngine(output_size=10)


def test_imports_no_torch():
    """The kiosk app embeds this engine: ageing a photo must not pull torch in."""
    code = (
        "import sys\n"
        "from PIL import Image\n"
        "from skimage import data\n"
        "from inference_container.classic import ClassicEngine\n"
        "ClassicEngine(output_size=64).age(Image.fromarray(data.astronaut()), [70])\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_small_outputs_and_grey_photos_work(astronaut):
    result = ClassicEngine(output_size=64).age(astronaut.convert("L"), [5, 95], layout="aligned")
    assert [frame.image.size for frame in result.frames] == [(64, 64), (64, 64)]
    assert all(frame.image.mode == "RGB" for frame in result.frames)
