"""Keeping freed memory (glibc mallopt): big blocks stay with the process until released."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest
import torch

from inference_container.sam.memory import freed_memory_kept, keep_freed_memory, release_freed_memory

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's; elsewhere these are documented no-ops")
def test_freed_blocks_are_kept_then_released():
    release_freed_memory()  # nothing kept from earlier tests (SamEngine.load keeps memory process-wide)
    with freed_memory_kept() as applied:
        assert applied
        before = rss_mb()
        block = torch.ones(32 * 2**20)  # 128 MB, touched
        del block
        assert rss_mb() - before > 100  # kept for the next allocation of that size
    assert rss_mb() - before < 30  # handed back on release


def test_keep_and_release_report_whether_they_applied():
    assert keep_freed_memory() is GLIBC
    assert release_freed_memory() is GLIBC
