"""Every fast path against the naive one (SamModel.forward per age, fp32), on a small model."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch._dynamo.utils import counters

from inference_container.sam import load_checkpoint, resolve_precision
from inference_container.sam.fast import FastEncoder, FastGenerator, FastSam, compile_by_default
from inference_container.sam.fast_generator import (
    add_noise_leaky_relu_,
    blurred_transposed_kernel,
    phase_kernel,
)
from inference_container.sam.ops import make_kernel
from tests.sam.conftest import psnr, with_age

pytestmark = pytest.mark.slow  # each needs a real model, a moto server or a server process

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
        cpu_path = FastGenerator(small_model.decoder, torch.float32)(latent)  # batched, then per sample
    assert torch.allclose(batched, expected, atol=1e-4)
    assert torch.allclose(cpu_path, expected, atol=1e-4)


@pytest.mark.parametrize("batch_max_res", [0, 8, 64])  # all per sample, split at 8x8, all batched
@pytest.mark.parametrize("upsample", ["transpose", "transpose6", "phases"])
def test_every_cpu_generator_arrangement_matches(small_model, batch_max_res, upsample):
    latent = torch.randn(2, 10, 32, generator=torch.Generator().manual_seed(3)) * 0.7
    generator = FastGenerator(small_model.decoder, torch.float32, batch_max_res=batch_max_res, upsample=upsample)
    assert {layer.batched for layer in generator.layers} == ({False} if batch_max_res == 0 else
                                                             {True} if batch_max_res == 64 else {True, False})
    with torch.inference_mode():
        assert torch.allclose(generator(latent), small_model.decoder(latent), atol=1e-4)


def test_compiled_activation_matches_eager(small_checkpoint):
    """torch.compile of the noise + leaky ReLU pass (the bf16 CPU default at 256 and up; here from 32x32)."""
    decoder = load_checkpoint(small_checkpoint, precision="bf16", channels_last=True, allow_emulated=True).decoder
    latent = torch.randn(2, 10, 32, generator=torch.Generator().manual_seed(4)) * 0.7
    compiled = FastGenerator(decoder, torch.bfloat16, batch_max_res=16, compile_min_res=32)
    assert sum(layer.activate is not add_noise_leaky_relu_ for layer in compiled.layers) == 4  # 32 and 64
    assert compiled.warm_up() > 0
    graphs = counters["stats"]["unique_graphs"]
    with torch.inference_mode():
        eager = FastGenerator(decoder, torch.bfloat16, batch_max_res=16)(latent)
        assert psnr(compiled(latent), eager) > 45  # one bf16 rounding fewer per layer
    assert counters["stats"]["unique_graphs"] == graphs  # warmed up for real: the first image compiles nothing


def test_compile_failure_falls_back_to_eager(small_model):
    generator = FastGenerator(small_model.decoder, torch.float32, batch_max_res=16, compile_min_res=64)

    def broken(x, noise):
        raise RuntimeError("no C++ compiler")

    generator.layers[-1].activate = broken
    with pytest.warns(UserWarning, match="running eagerly"):
        generator.warm_up()
    assert all(layer.activate is add_noise_leaky_relu_ for layer in generator.layers)


def test_transposed_kernel_rearrangements_are_exact():
    """convT 3x3 stride 2 + blur == one 6x6 convT (padding 2) == four phase 3x3 convs + pixel_shuffle."""
    x = torch.randn(2, 5, 6, 7, dtype=torch.float64)
    weight = torch.randn(4, 5, 3, 3, dtype=torch.float64)  # [out, in, 3, 3]
    blur = make_kernel([1, 3, 3, 1]).double() * 4
    reference = F.conv2d(F.conv_transpose2d(x, weight.transpose(0, 1), stride=2),
                         blur.flip(0, 1).expand(4, 1, 4, 4), padding=1, groups=4)  # [2, 4, 12, 14]
    kernel6 = blurred_transposed_kernel(weight, blur).double()
    fused = F.conv_transpose2d(x, kernel6, stride=2, padding=2)
    phases = F.pixel_shuffle(F.conv2d(x, phase_kernel(kernel6), padding=1), 2)
    assert fused.shape == phases.shape == reference.shape == (2, 4, 12, 14)
    assert torch.allclose(fused, reference, atol=1e-5) and torch.allclose(phases, reference, atol=1e-5)


def test_fast_sam_fp32_equals_naive_per_age_runs(small_model, photo_tensor, naive_frames):
    with torch.inference_mode():
        frames = FastSam(small_model)(photo_tensor, AGES)
    assert frames.dtype == torch.float32 and frames.shape == naive_frames.shape
    assert (frames - naive_frames).abs().max() < 1e-4
    assert psnr(frames, naive_frames) > 60
    assert (frames[0] - frames[-1]).abs().mean() > 1e-3  # distinct ages, in order


@pytest.mark.parametrize("precision,floor_db", [("bf16", 35.0), ("fp16", 35.0)])
def test_reduced_precision_stays_close_to_fp32(small_checkpoint, photo_tensor, naive_frames, precision, floor_db):
    model = load_checkpoint(small_checkpoint, precision=precision, allow_emulated=True)
    assert model.decoder.input.input.dtype == resolve_precision(precision, allow_emulated=True)
    with torch.inference_mode():
        frames = FastSam(model)(photo_tensor, AGES)
    assert psnr(frames, naive_frames) > floor_db


def test_fast_sam_compiles_only_where_it_pays(small_model):
    assert compile_by_default(torch.bfloat16, "cpu") and not compile_by_default(torch.float32, "cpu")
    assert not compile_by_default(torch.bfloat16, "cuda")
    fast = FastSam(small_model, compile=True)  # a 64x64 model: nothing at 256 and up, nothing to compile
    assert fast.warm_up() == pytest.approx(0, abs=0.05)
