"""What this machine's CPU is, read from the machine itself: the precision choice and the benchmarks
depend on it (AMX, AVX-512 and AVX2 machines differ several-fold), so nothing assumes it."""

from __future__ import annotations

import os
import platform
from pathlib import Path

#: Vector extensions that decide speed, best first: the first one present names the machine's class.
VECTOR_ISAS = (("amx_bf16", "AMX"), ("avx512_bf16", "AVX-512 with BF16"), ("avx512f", "AVX-512"),
               ("avx2", "AVX2"), ("asimd", "NEON"))


def _cpuinfo() -> str:
    try:
        return Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return ""


def cpu_flags(cpuinfo: str | None = None) -> set[str]:
    """The CPU's feature flags from /proc/cpuinfo (empty where there is none)."""
    for line in (_cpuinfo() if cpuinfo is None else cpuinfo).splitlines():
        if line.startswith(("flags", "Features")):
            return set(line.split(":", 1)[1].split())
    return set()


def describe_cpu(cpuinfo: str | None = None) -> str:
    """One line for a benchmark's output: model, logical cores, and the best vector extension found."""
    text = _cpuinfo() if cpuinfo is None else cpuinfo
    model = next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("model name")),
                 platform.processor() or platform.machine())
    flags = cpu_flags(text)
    isa = next((name for flag, name in VECTOR_ISAS if flag in flags), "no AVX2")
    return f"{model}, {os.cpu_count()} logical cores, {isa}"
