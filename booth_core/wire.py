"""The model wire format of API.md: one uint8 .npy strip (H, W*(1+n), 3), original first.

numpy only: the job service's Lambda zip carries this file to split strips into frames.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np

CONTENT_TYPE = "application/x-npy"


def join_frames(frames: Sequence[np.ndarray]) -> np.ndarray:
    """Lay equal-sized HxWx3 uint8 frames side by side: (H, W*len(frames), 3)."""
    if not frames:
        raise ValueError("a strip needs at least one frame")
    first = frames[0]
    for frame in frames:
        if frame.shape != first.shape or frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise ValueError(f"frames must all be HxWx3 uint8 of one size, got {frame.shape} {frame.dtype}")
    return np.concatenate(list(frames), axis=1)


def split_strip(strip: np.ndarray, n_frames: int | None = None) -> list[np.ndarray]:
    """Cut a strip back into its frames; square frames are assumed when n_frames is None."""
    if strip.ndim != 3 or strip.shape[2] != 3 or strip.dtype != np.uint8:
        raise ValueError(f"a strip is (H, W*n, 3) uint8, got {strip.shape} {strip.dtype}")
    height, width = strip.shape[:2]
    if n_frames is None:
        if height == 0 or width % height:
            raise ValueError(f"strip width {width} is not a multiple of its height {height}")
        n_frames = width // height
    if n_frames < 1 or width % n_frames:
        raise ValueError(f"strip width {width} does not divide into {n_frames} frames")
    frame_width = width // n_frames
    return [strip[:, i * frame_width : (i + 1) * frame_width] for i in range(n_frames)]


def encode_npy(strip: np.ndarray) -> bytes:
    """Serialise a strip as .npy bytes (no pickle)."""
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(strip), allow_pickle=False)
    return buffer.getvalue()


def decode_npy(data: bytes) -> np.ndarray:
    """Parse .npy bytes into a strip, refusing pickles and anything but (H, W, 3) uint8."""
    try:
        strip = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise ValueError(f"not a valid .npy strip: {exc}") from exc
    if not isinstance(strip, np.ndarray) or strip.ndim != 3 or strip.shape[2] != 3 or strip.dtype != np.uint8:
        raise ValueError("a strip must be an (H, W*n, 3) uint8 array")
    return strip
