"""The splitter: a model's wire strip (API.md) -> one JPEG per frame."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from booth_core import wire

JPEG_QUALITY = 90


def strip_to_frames(strip: np.ndarray | bytes, n_frames: int) -> list[np.ndarray]:
    """Cut `strip` (array or .npy bytes) into `n_frames` RGB arrays; ValueError when it does not fit."""
    array = wire.decode_npy(strip) if isinstance(strip, bytes | bytearray) else strip
    return wire.split_strip(array, n_frames)


def strip_to_jpegs(strip: np.ndarray | bytes, n_frames: int) -> list[bytes]:
    """Cut `strip` (array or .npy bytes) into `n_frames` JPEGs; ValueError when it does not fit."""
    return [encode_jpeg(frame) for frame in strip_to_frames(strip, n_frames)]


def encode_jpeg(frame: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(frame), "RGB").save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()
