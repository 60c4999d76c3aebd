"""SamEngine: weights lookup, every face through one batch, frames equal to the naive model's output.

Photos: scikit-image's astronaut and matplotlib's Grace Hopper (public-domain portraits those packages ship).
"""

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


def test_engine_ages_a_real_portrait(small_checkpoint, small_model, astronaut):
    engine = load_engine("sam", weights=small_checkpoint, precision="fp32")
    assert isinstance(engine, SamEngine) and engine.name == "sam" and engine.load_seconds > 0
    result = engine.age(image_bytes(astronaut), ages=[30, 70], layout="aligned")
    assert result.engine == "sam" and result.ages == [30, 70] and result.precision == "fp32"
    assert result.original.size == (256, 256)
    assert all(frame.image.size == (64, 64) and frame.image.mode == "RGB" for frame in result.frames)
    assert {"align_s", "encode_s", "generate_s", "compose_s", "total_s"} <= set(result.timings)
    with torch.inference_mode():  # the naive model on the same aligned face
        expected = small_model(with_age(image_to_tensor(result.original), 70))[0]
    difference = np.abs(np.asarray(result.frames[1].image, dtype=int) - np.asarray(tensor_to_image(expected), dtype=int))
    assert difference.max() <= 1
    assert result.to_strip_array().shape == (64, 64 * 3, 3)


def test_photo_layout_keeps_the_photo_and_its_crops(small_checkpoint, grace_hopper):
    engine = SamEngine.load(small_checkpoint, precision="fp32")
    result = engine.age(grace_hopper, ages=[20, 80])
    assert result.layout == "photo" and result.original.size == grace_hopper.size
    assert all(frame.image.size == grace_hopper.size for frame in result.frames)
    assert np.array_equal(np.asarray(result.original), np.asarray(grace_hopper))
    assert len(result.faces) == 1 and result.faces[0].original.size == (256, 256)
    assert [f.image.size for f in result.aligned().frames] == [(64, 64), (64, 64)]
    assert result.to_strip_array().shape == (600, 512 * 3, 3)


@pytest.mark.slow
def test_two_faces_and_their_ages_go_through_one_batch(small_checkpoint, small_model, astronaut, grace_hopper):
    group = Image.new("RGB", (1044, 600), (128, 128, 128))
    group.paste(astronaut, (0, 44))
    group.paste(grace_hopper, (532, 0))
    engine = SamEngine.load(small_checkpoint, precision="fp32")
    batches = []
    generate = engine.fast.generate
    engine.fast.generate = lambda wplus: batches.append(wplus.shape[0]) or generate(wplus)
    result = engine.age(group, ages=[10, 50, 90])
    assert batches == [6] and len(result.faces) == 2
    for face in result.faces:  # each face's crops are the naive model's output on that face
        with torch.inference_mode():
            expected = small_model(with_age(image_to_tensor(face.original), 90))[0]
        got = np.asarray(face.frames[2].image, dtype=int)
        assert np.abs(got - np.asarray(tensor_to_image(expected), dtype=int)).max() <= 1


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
    engine = SamEngine.load(small_checkpoint, precision="fp32")
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
    assert len(results) == 4
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
