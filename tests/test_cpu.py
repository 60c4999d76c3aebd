"""The machine description the benchmarks print: read from /proc/cpuinfo's text, best vector extension named."""

from __future__ import annotations

import os

from inference_container.cpu import cpu_flags, describe_cpu

AMX = "model name\t: Intel(R) Xeon(R) Platinum 8480+\nflags\t\t: fpu sse avx2 avx512f avx512_bf16 amx_bf16\n"
AVX512 = "model name\t: AMD EPYC 9R14\nflags\t\t: fpu avx2 avx512f\n"
AVX2 = "model name\t: AMD EPYC\nflags\t\t: fpu sse2 avx2 fma\n"
ARM = "processor\t: 0\nFeatures\t: fp asimd evtstrm aes\n"


def test_the_best_vector_extension_names_the_machine():
    assert describe_cpu(AMX) == f"Intel(R) Xeon(R) Platinum 8480+, {os.cpu_count()} logical cores, AMX"
    assert describe_cpu(AVX512).endswith(", AVX-512") and describe_cpu(AVX2).endswith(", AVX2")
    assert describe_cpu(ARM).endswith(", NEON")
    assert describe_cpu("").endswith(", no AVX2")


def test_flags_are_read_from_either_spelling():
    assert {"avx2", "fma"} <= cpu_flags(AVX2) and "asimd" in cpu_flags(ARM) and cpu_flags("") == set()
