"""Choosing a compute precision: "fp32" | "bf16" | "fp16" | "auto" -> a torch dtype."""

from __future__ import annotations

from pathlib import Path

import torch

PRECISIONS = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


def cpu_has_fast_bf16(cpuinfo: str | None = None) -> bool:
    """True on CPUs with AMX or AVX512-BF16 (bf16 matmuls run several times faster than fp32 there)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(errors="replace")
        except OSError:
            cpuinfo = ""
    flags = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[1].split())
            break
    if flags & {"amx_bf16", "avx512_bf16"}:
        return True
    return not flags and torch.backends.cpu.get_cpu_capability() in {"AVX512_BF16", "AMX"}


def resolve_precision(precision: str, device: str | torch.device = "cpu") -> torch.dtype:
    """auto: bf16 on bf16-capable CPUs and CUDA GPUs, fp16 on older CUDA GPUs, else fp32."""
    if precision in PRECISIONS:
        return PRECISIONS[precision]
    if precision != "auto":
        raise ValueError(f"unknown precision {precision!r}; choose auto, {', '.join(PRECISIONS)}")
    device = torch.device(device)
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.type == "cpu" and cpu_has_fast_bf16():
        return torch.bfloat16
    return torch.float32


def precision_name(dtype: torch.dtype) -> str:
    return {dtype_: name for name, dtype_ in PRECISIONS.items()}[dtype]
