"""Keep freed activation memory for reuse on Linux/glibc, instead of returning it to the system after each layer.

glibc serves every allocation above its mmap threshold (at most 32 MB) with a fresh mmap and unmaps it on free,
so each 16 to 128 MB activation of the 1024x1024 generator layers is page-faulted in again (zero-filled by the
kernel) at every layer: measured on the 2-core bench machine, that is about 20 % of a bf16 photo and 30 % of an
fp32 naive forward. `keep_freed_memory()` makes malloc take big blocks from its heap and keep freed ones (the same
effect as MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=<large> in the environment, or jemalloc/tcmalloc); the
process then holds on to its peak activation memory between photos. A no-op where glibc's mallopt is absent.

Process-wide, so it is set by whoever owns the process, at its start: `time-traveler age` (SAM runs) and
`time-traveler serve-model` call `keep_freed_memory()`; loading an engine (SamEngine.load) never does.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
from collections.abc import Iterator

M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
DEFAULT_TRIM_THRESHOLD = 128 * 1024
DEFAULT_MMAP_MAX = 65536
NEVER_TRIM = 2**31 - 1  # the largest int mallopt takes: keep up to 2 GB free at the top of the heap


def _libc():
    """glibc with mallopt and malloc_trim, or None (macOS, Windows, musl)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt.argtypes, libc.malloc_trim.argtypes = [ctypes.c_int, ctypes.c_int], [ctypes.c_size_t]
        return libc if hasattr(libc, "gnu_get_libc_version") else None
    except (OSError, AttributeError):
        return None


def keep_freed_memory() -> bool:
    """Process-wide: big allocations from the heap, nothing trimmed. True if applied (glibc)."""
    libc = _libc()
    if libc is None:
        return False
    libc.mallopt(M_TRIM_THRESHOLD, NEVER_TRIM)
    libc.mallopt(M_MMAP_MAX, 0)
    return True


def release_freed_memory() -> bool:
    """Back to glibc's defaults and hand the kept memory back to the system (malloc_trim)."""
    libc = _libc()
    if libc is None:
        return False
    libc.mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
    libc.mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD)
    libc.malloc_trim(0)
    return True


@contextlib.contextmanager
def freed_memory_kept() -> Iterator[bool]:
    """keep_freed_memory() for a block, then release_freed_memory(): a fresh process's allocator afterwards."""
    applied = keep_freed_memory()
    try:
        yield applied
    finally:
        if applied:
            release_freed_memory()
