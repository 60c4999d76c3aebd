"""Precision policy: auto never picks an emulated type, explicit emulated types are refused in one line,
W+ stays fp32, and fp16 that overflows falls back to fp32. Hardware is mocked (CPU flags, CUDA capability)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from booth_core.errors import WeightsError
from inference_container.engine.sam_engine import SamEngine
from inference_container.sam import load_checkpoint, precision
from inference_container.sam.fast import FastSam
from inference_container.sam.precision import (
    PrecisionError,
    auto_precision,
    cpu_has_fast_bf16,
    native_precisions,
    resolve_precision,
)
from inference_container.sam.tuning import cpu_tuning

AMX = "flags\t\t: fpu sse avx2 avx512f amx_bf16 amx_tile\n"
AVX512_BF16 = "flags\t\t: fpu avx2 avx512f avx512_bf16\n"
AVX2 = "flags\t\t: fpu sse2 avx2 fma\n"


def cpu(monkeypatch, cpuinfo: str) -> None:
    monkeypatch.setattr(precision, "cpu_flags", lambda text=None, _real=precision.cpu_flags: _real(cpuinfo))


def cuda(monkeypatch, capability: tuple[int, int]) -> None:
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)


def test_cpu_flags_decide_bf16():
    assert cpu_has_fast_bf16(AMX) and cpu_has_fast_bf16(AVX512_BF16) and not cpu_has_fast_bf16(AVX2)
    assert cpu_has_fast_bf16("", capability="AMX") and not cpu_has_fast_bf16("", capability="AVX2")


@pytest.mark.parametrize("cpuinfo,auto", [(AMX, "bf16"), (AVX512_BF16, "bf16"), (AVX2, "fp32")])
def test_auto_on_cpus(monkeypatch, cpuinfo, auto):
    cpu(monkeypatch, cpuinfo)
    assert auto_precision("cpu") == auto
    assert resolve_precision("auto", "cpu") == precision.PRECISIONS[auto]


@pytest.mark.parametrize("capability,auto", [((9, 0), "bf16"), ((8, 0), "bf16"), ((7, 5), "fp16"), ((6, 1), "fp16")])
def test_auto_on_gpus_ignores_is_bf16_supported(monkeypatch, capability, auto):
    cuda(monkeypatch, capability)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)  # what a T4 says
    assert auto_precision("cuda") == auto


def test_emulated_explicit_precisions_are_refused_in_one_line(monkeypatch):
    cpu(monkeypatch, AVX2)
    with pytest.raises(PrecisionError) as caught:
        resolve_precision("bf16", "cpu")
    message = str(caught.value)
    assert "\n" not in message and "emulated" in message and "fp32" in message
    assert resolve_precision("bf16", "cpu", allow_emulated=True) == torch.bfloat16
    cuda(monkeypatch, (7, 5))
    with pytest.raises(PrecisionError, match="bf16 is only emulated on this cuda"):
        resolve_precision("bf16", "cuda")
    assert resolve_precision("fp16", "cuda") == torch.float16
    assert native_precisions("meta") == ["fp32"]
    with pytest.raises(PrecisionError, match="unknown precision"):
        resolve_precision("int8")


def test_the_engine_refuses_an_emulated_precision(monkeypatch, small_checkpoint):
    cpu(monkeypatch, AVX2)
    with pytest.raises(WeightsError, match="bf16 is only emulated") as caught:
        SamEngine.load(small_checkpoint, precision="bf16")
    assert "\n" not in caught.value.message


def test_wplus_is_summed_and_kept_in_fp32(small_checkpoint, photo_tensor):
    model = load_checkpoint(small_checkpoint, precision="bf16", allow_emulated=True)
    assert model.latent_avg.dtype == torch.float32
    fast = FastSam(model)
    assert fast.codes(photo_tensor, [20, 60]).dtype == torch.float32
    assert model.base_codes(photo_tensor.to(torch.bfloat16)).dtype == torch.float32


def test_cpu_tuning_follows_the_detected_capability():
    assert cpu_tuning(torch.bfloat16, fast_bf16=True).upsample_mode(512) == "transpose6"
    assert cpu_tuning(torch.bfloat16, fast_bf16=True).upsample_mode(64) == "phases"
    assert cpu_tuning(torch.bfloat16, fast_bf16=True).batch_max_res == 64
    for tuning in (cpu_tuning(torch.float32, fast_bf16=True), cpu_tuning(torch.bfloat16, fast_bf16=False)):
        assert tuning.batch_max_res == 32 and tuning.upsample_mode(512) == "transpose"


@pytest.mark.slow
def test_overflowing_fp16_falls_back_to_fp32(monkeypatch, small_checkpoint, grace_hopper):
    """A GPU without bf16 runs fp16; where its output is not finite the engine reloads in fp32 and reruns."""
    monkeypatch.setattr(precision, "native_precisions", lambda device="cpu": ["fp16", "fp32"])
    engine = SamEngine.load(small_checkpoint, precision="fp16")
    assert engine.precision == "fp16"
    generate = engine.fast.generate
    engine.fast.generate = lambda wplus: generate(wplus) * float("inf")  # the overflow
    result = engine.age(grace_hopper, ages=[30], layout="aligned")
    assert engine.precision == "fp32" and result.precision == "fp32"  # for good, and the result says so
    reference = SamEngine.load(small_checkpoint, precision="fp32").age(grace_hopper, ages=[30], layout="aligned")
    assert np.array_equal(np.asarray(result.frames[0].image), np.asarray(reference.frames[0].image))
