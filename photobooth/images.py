"""The booth's image conversions, one each way: pixels into the screens (QImage), pixels out to the wire (JPEG).

Engines and workers hold pixels as numpy RGB arrays (or the PIL frames the job service sends, which numpy
reads without a copy); screens only ever hold QImages. Every crossing goes through `to_qimage`, and every
photo leaves the booth through `encode_jpeg`.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image
from PySide6.QtGui import QImage


def to_qimage(pixels: np.ndarray | Image.Image, *, bgr: bool = False, max_side: int | None = None) -> QImage:
    """A QImage that owns a copy of the pixels (safe to send across threads).

    `pixels`: (H, W, 3) uint8 RGB (BGR with `bgr=True`, as OpenCV reads cameras), or a PIL image.
    `max_side`: shrink so that neither side is larger (frames may be 1024 px; screens show them smaller).
    """
    if isinstance(pixels, Image.Image):
        pixels = np.asarray(pixels.convert("RGB"))
    if pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.dtype != np.uint8:
        raise ValueError(f"expected (H, W, 3) uint8 pixels, got {pixels.shape} {pixels.dtype}")
    height, width = pixels.shape[:2]
    if max_side is not None and max(height, width) > max_side:
        scale = max_side / max(height, width)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
        height, width = pixels.shape[:2]
    pixels = np.ascontiguousarray(pixels)
    pixel_format = QImage.Format.Format_BGR888 if bgr else QImage.Format.Format_RGB888
    return QImage(pixels.data, width, height, 3 * width, pixel_format).copy()


def encode_jpeg(rgb: np.ndarray, quality: int = 92) -> bytes:
    """(H, W, 3) uint8 RGB -> JPEG bytes, the form a photo travels to the job service in."""
    ok, buffer = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:
        raise ValueError("the photo could not be encoded as JPEG")
    return buffer.tobytes()
