"""Our crop is the one SAM was trained on: the FFHQ quad of SAM's own alignment script, within 2 %.

`original_quad` is a deliberately slow, literal transcription of the script's maths (plain floats, one
step per line, SAM_FACTS.md 1b) kept apart from `oriented_quad`'s numpy form; `original_landmarks` runs
dlib the way the script does (detector with upsample 1 on the whole native photo, predictor on its box).
Photos: scikit-image's astronaut and matplotlib's Grace Hopper (public-domain portraits in those packages).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

from inference_container.align import default_landmarker, oriented_quad
from inference_container.align.landmarks import predictor_path


def _mean(points):
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def original_quad(landmarks) -> list[tuple[float, float]]:
    """c-x-y, c-x+y, c+x+y, c+x-y, as the script computes them."""
    lm = [(float(x), float(y)) for x, y in landmarks]
    eye_left = _mean(lm[36:42])
    eye_right = _mean(lm[42:48])
    eye_avg = ((eye_left[0] + eye_right[0]) * 0.5, (eye_left[1] + eye_right[1]) * 0.5)
    eye_to_eye = (eye_right[0] - eye_left[0], eye_right[1] - eye_left[1])
    mouth_left, mouth_right = lm[48], lm[54]
    mouth_avg = ((mouth_left[0] + mouth_right[0]) * 0.5, (mouth_left[1] + mouth_right[1]) * 0.5)
    eye_to_mouth = (mouth_avg[0] - eye_avg[0], mouth_avg[1] - eye_avg[1])
    # x = eye_to_eye - flipud(eye_to_mouth) * [-1, 1]
    x = (eye_to_eye[0] - eye_to_mouth[1] * -1.0, eye_to_eye[1] - eye_to_mouth[0] * 1.0)
    length = math.hypot(x[0], x[1])
    x = (x[0] / length, x[1] / length)
    scale = max(math.hypot(*eye_to_eye) * 2.0, math.hypot(*eye_to_mouth) * 1.8)
    x = (x[0] * scale, x[1] * scale)
    y = (-x[1], x[0])  # flipud(x) * [-1, 1]
    c = (eye_avg[0] + eye_to_mouth[0] * 0.1, eye_avg[1] + eye_to_mouth[1] * 0.1)
    return [(c[0] - x[0] - y[0], c[1] - x[1] - y[1]), (c[0] - x[0] + y[0], c[1] - x[1] + y[1]),
            (c[0] + x[0] + y[0], c[1] + x[1] + y[1]), (c[0] + x[0] - y[0], c[1] + x[1] - y[1])]


def original_landmarks(photo: Image.Image) -> np.ndarray:
    """dlib as the script runs it, on the whole native photo. The script keeps the last detection; on these
    portraits we take the confident one (dlib also scores the astronaut's mission patch, at about 0.1)."""
    import dlib

    pixels = np.asarray(photo, dtype=np.uint8)
    rects, scores, _ = dlib.get_frontal_face_detector().run(pixels, 1, 0.0)
    rect = max(zip(rects, scores, strict=True), key=lambda pair: pair[1])[0]
    shape = dlib.shape_predictor(str(predictor_path()))(pixels, rect)
    return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)


def corner_error(ours: np.ndarray, reference) -> float:
    """The largest corner distance as a fraction of the reference quad's side."""
    reference = np.asarray(reference)
    side = np.hypot(*(reference[3] - reference[0]))
    return float(np.hypot(*(ours - reference).T).max() / side)


def test_numpy_quad_equals_the_literal_transcription():
    rng = np.random.default_rng(7)
    for _ in range(20):
        landmarks = rng.uniform(0, 2000, size=(68, 2))
        quad, qsize = oriented_quad(landmarks)
        reference = original_quad(landmarks)
        np.testing.assert_allclose(quad, reference, rtol=0, atol=1e-9)
        assert math.isclose(qsize, math.hypot(*np.subtract(reference[3], reference[0])), rel_tol=1e-12)


@pytest.mark.parametrize("portrait", ["astronaut", "grace_hopper"])
def test_native_photo_quad_is_the_originals(portrait, request):
    photo = request.getfixturevalue(portrait)
    (box, landmarks), = default_landmarker().all_faces(photo)[0]
    error = corner_error(oriented_quad(landmarks)[0], original_quad(original_landmarks(photo)))
    assert error < 1e-9, error  # detected natively: the very same box, fit and quad


@pytest.mark.slow
def test_large_photo_detected_on_a_scaled_copy_stays_within_two_percent(astronaut):
    big = astronaut.resize((2304, 2304), Image.Resampling.LANCZOS)
    (box, landmarks), = default_landmarker().all_faces(big)[0]
    error = corner_error(oriented_quad(landmarks)[0], original_quad(original_landmarks(big)))
    assert error < 0.02, error
