"""Verify a checkpoint file the same way the downloader does, and fingerprint it."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from booth_core.errors import WeightsError
from inference_container.weights.download import verify_checkpoint


@dataclass(frozen=True)
class CheckedWeights:
    path: Path
    size: int
    sha256: str
    summary: dict  # what the model package's verifier reports: keys, params, output_size, ...


def sha256_of(path: str | os.PathLike, chunk_size: int = 1 << 22) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def check_weights(path: str | os.PathLike) -> CheckedWeights:
    """Raise WeightsError unless `path` is a SAM checkpoint our model loads strictly."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"No weights file at {path}.")
    summary = verify_checkpoint(path)
    return CheckedWeights(path, path.stat().st_size, sha256_of(path), dict(summary or {}))
