"""Every fast path against the naive one (SamModel.forward per age, fp32), on a small model."""

from __future__ import annotations

import pytest
import torch

from inference_container.sam import load_checkpoint, resolve_precision
from inference_container.sam.fast import FastEncoder, FastGenerator, FastSam
from inference_container.sam.precision import cpu_has_fast_bf16
from tests.sam.conftest import psnr, with_age

AGES = (0, 25, 55, 90)


@pytest.fixture(scope="module")
def naive_frames(small_model, photo_tensor):
    with torch.inference_mode():
        return torch.cat([small_model(with_age(photo_tensor, age)) for age in AGES])


def test_fast_encoder_matches_encoder(small_model, photo_tensor):
    x = torch.cat([with_age(photo_tensor, 20), with_age(photo_tensor.flip(3), 70)])
    with torch.inference_mode():
        expected = small_model.encoder(x)
        assert torch.allclose(FastEncoder(small_model.encoder, torch.float32)(x), expected, atol=1e-4)


def test_generator_fast_paths_match_grouped_convolution(small_model):
    latent = torch.randn(3, 10, 32) * 0.7
    with torch.inference_mode():
        expected = small_model.decoder(latent)
        batched = small_model.decoder(latent, fast=True)  # modulated activations (the GPU path)
        per_sample = FastGenerator(small_model.decoder, torch.float32)(latent)  # folded weights (the CPU path)
    assert torch.allclose(batched, expected, atol=1e-4)
    assert torch.allclose(per_sample, expected, atol=1e-4)


def test_fast_sam_fp32_equals_naive_per_age_runs(small_model, photo_tensor, naive_frames):
    with torch.inference_mode():
        frames = FastSam(small_model)(photo_tensor, AGES)
    assert frames.dtype == torch.float32 and frames.shape == naive_frames.shape
    assert (frames - naive_frames).abs().max() < 1e-4
    assert psnr(frames, naive_frames) > 60
    assert (frames[0] - frames[-1]).abs().mean() > 1e-3  # distinct ages, in order


@pytest.mark.parametrize("precision,floor_db", [("bf16", 35.0), ("fp16", 35.0)])
def test_reduced_precision_stays_close_to_fp32(small_checkpoint, photo_tensor, naive_frames, precision, floor_db):
    model = load_checkpoint(small_checkpoint, precision=precision)
    assert model.decoder.input.input.dtype == resolve_precision(precision)
    with torch.inference_mode():
        frames = FastSam(model)(photo_tensor, AGES)
    assert psnr(frames, naive_frames) > floor_db


def test_auto_precision_rules():
    assert cpu_has_fast_bf16("flags\t\t: fpu sse avx512f amx_bf16 amx_tile\n")
    assert cpu_has_fast_bf16("flags\t\t: fpu avx512f avx512_bf16\n")
    assert not cpu_has_fast_bf16("flags\t\t: fpu sse2 avx2 fma\n")
    assert resolve_precision("auto", "cpu") in (torch.bfloat16, torch.float32)
    assert resolve_precision("auto", "meta") == torch.float32
    assert resolve_precision("fp16") == torch.float16
    with pytest.raises(ValueError, match="unknown precision"):
        resolve_precision("int8")
