"""The model's layout against the released key list, and strict, clear checkpoint loading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from booth_core.errors import WeightsError
from inference_container.sam import SamConfig, SamModel, load_checkpoint, verify_checkpoint
from inference_container.sam.checkpoint import save_checkpoint
from inference_container.sam.random_checkpoint import random_model
from tests.sam.conftest import with_age

# A copy of ../shared/sam/sam_state_dict_1024.json: every key and shape of the released checkpoint.
KEYS_JSON = Path(__file__).resolve().parent / "data" / "sam_state_dict_1024.json"


@pytest.mark.slow
def test_released_model_has_exactly_the_checkpoint_keys_and_shapes():
    expected = json.loads(KEYS_JSON.read_text())["state_dict"]
    with torch.device("meta"):
        model = SamModel(SamConfig())
    state = model.state_dict()
    assert [(key, list(value.shape)) for key, value in state.items()] == [(k, s) for k, s in expected]
    assert len(state) == 1413
    assert sum(p.numel() for p in model.parameters()) == 564_644_044
    assert sum(p.numel() for p in model.decoder.parameters()) == 30_370_060
    assert sum(v.dtype == torch.int64 for v in state.values()) == 104


@pytest.mark.slow
def test_small_checkpoint_loads_runs_and_is_deterministic(small_checkpoint, photo_tensor):
    info = verify_checkpoint(small_checkpoint)
    assert info["output_size"] == 64 and info["n_styles"] == 10 and not info["released_architecture"]
    assert small_checkpoint.stat().st_size < 10_000_000
    model = load_checkpoint(small_checkpoint)
    assert not model.training
    with torch.inference_mode():
        first = model(with_age(photo_tensor, 30))
        again = model(with_age(photo_tensor, 30))
        older = model(with_age(photo_tensor, 80))
    assert first.shape == (1, 3, 64, 64)
    assert torch.equal(first, again)
    assert torch.isfinite(first).all() and 0.05 < first.std() < 2
    assert (first - older).abs().mean() > 1e-3  # the age channel matters


def _saved(tmp_path, mutate, name="edited.pt"):
    model = random_model(SamConfig.small(64), seed=3)
    checkpoint = {"state_dict": model.state_dict(), "opts": {"output_size": 64, "input_nc": 4,
                  "start_from_encoded_w_plus": True, "start_from_latent_avg": False, "style_dim": 32,
                  "generator_width": 32, "n_mlp": 2}, "latent_avg": model.latent_avg.clone()}
    mutate(checkpoint)
    torch.save(checkpoint, tmp_path / name)
    return tmp_path / name


@pytest.mark.slow
@pytest.mark.parametrize("mutate,words", [
    (lambda c: c["state_dict"].pop("decoder.to_rgbs.2.conv.weight"), "missing keys: decoder.to_rgbs.2.conv.weight"),
    (lambda c: c["state_dict"].__setitem__("encoder.extra.weight", torch.zeros(1)),
     "unexpected keys: encoder.extra.weight"),
    (lambda c: c["state_dict"].__setitem__("encoder.latlayer1.bias", torch.zeros(7)),
     "wrong shapes: encoder.latlayer1.bias (file [7], expected [32])"),
    (lambda c: c["opts"].__setitem__("input_nc", 3), "input_nc=3"),
    (lambda c: c["opts"].__setitem__("start_from_encoded_w_plus", False), "start_from_encoded_w_plus"),
    (lambda c: c.pop("latent_avg"), "latent_avg"),
    (lambda c: c.__setitem__("latent_avg", torch.zeros(3, 32)), "latent_avg [3, 32]"),
])
def test_bad_checkpoints_are_refused_naming_the_problem(tmp_path, mutate, words):
    path = _saved(tmp_path, mutate)
    for check in (verify_checkpoint, load_checkpoint):
        with pytest.raises(WeightsError) as caught:
            check(path)
        assert words in caught.value.message and str(path) in caught.value.message


@pytest.mark.parametrize("seed", range(12))
def test_junk_bytes_always_end_in_a_weights_error(tmp_path, seed):
    """Random bytes make the unpickler raise anything (IndexError, KeyError, ...): always one WeightsError."""
    import random

    junk = random.Random(seed).randbytes(64 + 97 * seed)
    if seed % 3 == 0:
        junk = b"PK\x03\x04" + junk  # looks like the start of a zip (torch.save's format)
    elif seed % 3 == 1:
        junk = b"\x80\x02" + junk  # looks like the start of a legacy pickle
    garbage = tmp_path / "junk.pt"
    garbage.write_bytes(junk)
    with pytest.raises(WeightsError, match="cannot be read|not a SAM checkpoint|no training options"):
        load_checkpoint(garbage)


def test_unreadable_files_are_refused(tmp_path):
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"not a checkpoint at all")
    with pytest.raises(WeightsError, match="cannot be read"):
        load_checkpoint(garbage)
    with pytest.raises(WeightsError, match="does not exist"):
        verify_checkpoint(tmp_path / "absent.pt")
    torch.save({"weights": torch.zeros(1)}, tmp_path / "plain.pt")
    with pytest.raises(WeightsError, match="no 'state_dict'"):
        load_checkpoint(tmp_path / "plain.pt")


@pytest.mark.slow
def test_latent_avg_rows_or_single_vector_give_the_same_model(tmp_path, photo_tensor):
    vector = torch.randn(32)
    full = _saved(tmp_path, lambda c: c.__setitem__("latent_avg", vector[None].repeat(10, 1)), "full.pt")
    single = _saved(tmp_path, lambda c: c.__setitem__("latent_avg", vector.clone()), "single.pt")
    a, b = load_checkpoint(full), load_checkpoint(single)
    assert torch.equal(a.latent_avg, b.latent_avg) and a.latent_avg.shape == (10, 32)
    with torch.inference_mode():
        assert torch.equal(a(with_age(photo_tensor, 40)), b(with_age(photo_tensor, 40)))


@pytest.mark.slow
def test_save_and_reload_round_trip_and_precision(tmp_path, small_model):
    path = save_checkpoint(small_model, tmp_path / "again.pt")
    reloaded = load_checkpoint(path, precision="bf16", channels_last=True, allow_emulated=True)
    assert reloaded.decoder.conv1.conv.weight.dtype == torch.bfloat16
    assert reloaded.encoder.styles[0].convs[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert reloaded.encoder.input_layer[1].num_batches_tracked.dtype == torch.int64
    original = small_model.state_dict()
    for key, value in reloaded.state_dict().items():
        assert torch.equal(value.float(), original[key].to(value.dtype).float()), key
    with pytest.raises(WeightsError, match="precision"):
        from inference_container.engine.sam_engine import SamEngine

        SamEngine.load(path, precision="fp8")
