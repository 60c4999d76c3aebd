"""How the CPU generator is arranged, chosen from what this CPU can do (detected, never assumed).

Two choices matter (bench/bench_engine.py measures both): up to which resolution the batch runs together
(`batch_max_res`), and how an upsampling layer runs (`upsample_mode`: the transposed 3x3 convolution and
the blur as two passes, one 6x6 transposed convolution, or four phase 3x3 convolutions). With hardware
bf16 matmuls (AMX or AVX512-BF16; see precision.cpu_has_fast_bf16) ordinary convolutions are blocked far
better than transposed ones and big batched GEMMs pay: measured on an AMX Xeon, batching up to 64 and the
fused kernels in bf16 won. Without them (fp32 anywhere, or an AVX2/AVX-512 CPU) the two-pass transposed
convolution and batching only up to 32 were fastest.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inference_container.sam.precision import cpu_has_fast_bf16


@dataclass(frozen=True)
class CpuTuning:
    """`batch_max_res`: highest resolution run as a batch. `fused_upsample_from`: inputs of this size and up
    run the 6x6 transposed kernel, smaller ones the phase convolutions; None: the two-pass form everywhere."""

    batch_max_res: int = 32
    fused_upsample_from: int | None = None

    def upsample_mode(self, in_res: int) -> str:
        if self.fused_upsample_from is None:
            return "transpose"
        return "transpose6" if in_res >= self.fused_upsample_from else "phases"


def cpu_tuning(dtype: torch.dtype, fast_bf16: bool | None = None) -> CpuTuning:
    """The arrangement for `dtype` on this CPU (`fast_bf16`: override the detection, for tests)."""
    fast_bf16 = cpu_has_fast_bf16() if fast_bf16 is None else fast_bf16
    if dtype != torch.float32 and fast_bf16:
        return CpuTuning(batch_max_res=64, fused_upsample_from=256)
    return CpuTuning()
