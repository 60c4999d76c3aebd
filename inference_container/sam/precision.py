"""Choosing a compute precision: "fp32" | "bf16" | "fp16" | "auto" -> a torch dtype the hardware really has.

`auto` never picks a type the hardware only emulates: an emulated bf16 is many times slower than fp32
(forced bf16 on an AVX2-only CPU took 371 s for one photo where fp32 took 18 s).
* CPU: bf16 with AMX or AVX512-BF16, fp16 with AMX-FP16 or AVX512-FP16 (never chosen by auto), fp32 always.
* CUDA: bf16 from compute capability 8.0 (Ampere) on; below that fp16 (tensor cores since 7.0, native
  half arithmetic since 5.3). `torch.cuda.is_bf16_supported()` is not used: it says True on a T4 (7.5),
  which only emulates bf16.
An explicit precision the hardware only emulates is refused with one line (PrecisionError).
"""

from __future__ import annotations

import torch

from inference_container.cpu import cpu_flags

PRECISIONS = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}
CUDA_BF16_CAPABILITY = (8, 0)
CUDA_FP16_CAPABILITY = (5, 3)
CPU_BF16_FLAGS = {"amx_bf16", "avx512_bf16"}
CPU_FP16_FLAGS = {"amx_fp16", "avx512_fp16"}
#: what torch.backends.cpu.get_cpu_capability() says where there is no /proc/cpuinfo (macOS, Windows)
TORCH_BF16_CAPABILITIES = {"AVX512_BF16", "AMX"}


class PrecisionError(ValueError):
    """An unknown precision name, or one this hardware only emulates."""


def cpu_has_fast_bf16(cpuinfo: str | None = None, capability: str | None = None) -> bool:
    """True on CPUs with AMX or AVX512-BF16 (bf16 matmuls run in hardware, several times faster than fp32)."""
    flags = cpu_flags(cpuinfo)
    if flags:
        return bool(flags & CPU_BF16_FLAGS)
    capability = capability or torch.backends.cpu.get_cpu_capability()
    return capability in TORCH_BF16_CAPABILITIES


def cpu_has_fast_fp16(cpuinfo: str | None = None) -> bool:
    return bool(cpu_flags(cpuinfo) & CPU_FP16_FLAGS)


def cuda_capability(device: torch.device) -> tuple[int, int]:
    return tuple(torch.cuda.get_device_capability(device))  # type: ignore[return-value]


def native_precisions(device: str | torch.device = "cpu") -> list[str]:
    """The precisions this device computes in hardware, fastest first."""
    device = torch.device(device)
    if device.type == "cuda":
        capability = cuda_capability(device)
        names = ["bf16"] if capability >= CUDA_BF16_CAPABILITY else []
        names += ["fp16"] if capability >= CUDA_FP16_CAPABILITY else []
        return [*names, "fp32"]
    if device.type == "cpu":
        return (["bf16"] if cpu_has_fast_bf16() else []) + (["fp16"] if cpu_has_fast_fp16() else []) + ["fp32"]
    return ["fp32"]


def auto_precision(device: str | torch.device = "cpu") -> str:
    """bf16 where it is native; on CUDA without bf16 fp16 (the engine checks its output and falls back to
    fp32); else fp32. fp16 on a CPU is never chosen: its range is too narrow for the generator unchecked."""
    native = native_precisions(device)
    if "bf16" in native:
        return "bf16"
    if torch.device(device).type == "cuda" and "fp16" in native:
        return "fp16"
    return "fp32"


def resolve_precision(precision: str, device: str | torch.device = "cpu",
                      allow_emulated: bool = False) -> torch.dtype:
    """auto -> auto_precision(device); an explicit name must be native unless `allow_emulated` (tests,
    benchmarks measuring the emulation); PrecisionError otherwise."""
    if precision == "auto":
        return PRECISIONS[auto_precision(device)]
    if precision not in PRECISIONS:
        raise PrecisionError(f"unknown precision {precision!r}; choose auto, {', '.join(PRECISIONS)}")
    native = native_precisions(device)
    if not allow_emulated and precision not in native:
        raise PrecisionError(f"{precision} is only emulated on this {torch.device(device).type} (it would be many "
                             f"times slower than fp32); use --precision {' or '.join(native)} or auto")
    return PRECISIONS[precision]


def precision_name(dtype: torch.dtype) -> str:
    return {dtype_: name for name, dtype_ in PRECISIONS.items()}[dtype]
