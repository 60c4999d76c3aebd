"""SamEngine: weights lookup, alignment in front, one frame per age equal to the naive model's output."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from PIL import Image

from booth_core.errors import NoFaceError, WeightsError
from inference_container.engine import load_engine
from inference_container.engine.sam_engine import SamEngine
from inference_container.sam.images import image_to_tensor, tensor_to_image
from tests.conftest import image_bytes
from tests.sam.conftest import with_age

pytestmark = pytest.mark.slow  # each needs a real model, a moto server or a server process


def resize_aligner(photo, size):
    """Stands in for dlib alignment where a test is about the network, not the face."""
    return photo.convert("RGB").resize((size, size))


def test_engine_ages_a_real_portrait(small_checkpoint, small_model, astronaut):
    engine = load_engine("sam", weights=small_checkpoint, precision="fp32")
    assert isinstance(engine, SamEngine) and engine.name == "sam" and engine.load_seconds > 0
    result = engine.age(image_bytes(astronaut), ages=[30, 70])
    assert result.engine == "sam" and result.ages == [30, 70]
    assert result.original.size == (256, 256)
    assert all(frame.image.size == (64, 64) and frame.image.mode == "RGB" for frame in result.frames)
    assert set(result.timings) == {"align_s", "encode_s", "generate_s", "total_s"}
    with torch.inference_mode():  # the naive model on the same aligned face
        expected = small_model(with_age(image_to_tensor(result.original), 70))[0]
    difference = np.abs(np.asarray(result.frames[1].image, dtype=int) - np.asarray(tensor_to_image(expected), dtype=int))
    assert difference.max() <= 1
    assert result.to_strip_array().shape == (64, 64 * 3, 3)


def test_engine_reports_missing_face(small_checkpoint, faceless):
    engine = SamEngine.load(small_checkpoint, precision="fp32")
    with pytest.raises(NoFaceError):
        engine.age(faceless)
    with pytest.raises(ValueError):
        engine.age(faceless, ages=[130])


def test_missing_weights_are_explained(tmp_path, monkeypatch):
    monkeypatch.delenv("TIME_TRAVELER_WEIGHTS", raising=False)
    monkeypatch.setenv("TIME_TRAVELER_CACHE", str(tmp_path))
    with pytest.raises(WeightsError, match="time-traveler weights download"):
        SamEngine.load()
    with pytest.raises(WeightsError, match="does not exist"):
        SamEngine.load(tmp_path / "nowhere.pt")


def test_concurrent_requests_give_the_same_frames(small_checkpoint, grace_hopper, astronaut):
    engine = SamEngine.load(small_checkpoint, precision="fp32", aligner=resize_aligner)
    photos = [grace_hopper, astronaut, grace_hopper, astronaut]
    sequential = [engine.age(photo, ages=[20, 60]) for photo in photos[:2]]
    results: dict[int, object] = {}

    def work(index):
        results[index] = engine.age(photos[index], ages=[20, 60])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(photos))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index, result in results.items():
        for frame, reference in zip(result.frames, sequential[index % 2].frames, strict=True):
            assert np.array_equal(np.asarray(frame.image), np.asarray(reference.image))


def test_tensor_to_image_truncates_like_tensor2im():
    value = torch.full((3, 2, 2), 2 * 254.9 / 255 - 1)
    assert np.asarray(tensor_to_image(value)).max() == 254
    image = Image.new("RGB", (256, 256), (255, 0, 128))
    tensor = image_to_tensor(image)
    assert tensor.shape == (1, 3, 256, 256)
    assert torch.allclose(tensor[0, :, 0, 0], torch.tensor([1.0, -1.0, 128 / 255 * 2 - 1]), atol=1e-6)
