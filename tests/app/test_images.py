"""The booth's one converter into the screens (numpy or PIL -> QImage) and its one way out (JPEG)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from photobooth.images import encode_jpeg, to_qimage


def _pixel(image, x: int, y: int) -> tuple[int, int, int]:
    color = image.pixelColor(x, y)
    return color.red(), color.green(), color.blue()


def _test_pattern() -> np.ndarray:
    """4 x 6 RGB: a red top-left pixel, a blue bottom-right pixel, grey elsewhere."""
    rgb = np.full((4, 6, 3), 128, np.uint8)
    rgb[0, 0] = (255, 0, 0)
    rgb[3, 5] = (0, 0, 255)
    return rgb


def test_numpy_rgb_bgr_and_pil_land_the_same_on_screen(qapp):
    rgb = _test_pattern()
    for image in (to_qimage(rgb), to_qimage(rgb[:, :, ::-1], bgr=True), to_qimage(Image.fromarray(rgb))):
        assert (image.width(), image.height()) == (6, 4)
        assert _pixel(image, 0, 0) == (255, 0, 0) and _pixel(image, 5, 3) == (0, 0, 255)
        assert _pixel(image, 2, 2) == (128, 128, 128)


def test_the_qimage_owns_its_pixels(qapp):
    rgb = _test_pattern()
    image = to_qimage(rgb[:, ::2])  # a non-contiguous view
    rgb[:] = 0
    assert _pixel(image, 0, 0) == (255, 0, 0) and image.width() == 3


def test_max_side_shrinks_keeping_the_aspect(qapp):
    image = to_qimage(np.zeros((1024, 768, 3), np.uint8), max_side=720)
    assert (image.width(), image.height()) == (540, 720)
    assert to_qimage(np.zeros((10, 20, 3), np.uint8), max_side=720).width() == 20


def test_wrong_pixels_are_refused(qapp):
    for bad in (np.zeros((4, 4), np.uint8), np.zeros((4, 4, 4), np.uint8), np.zeros((4, 4, 3), np.float32)):
        with pytest.raises(ValueError, match="uint8"):
            to_qimage(bad)


def test_encode_jpeg_keeps_the_colours():
    rgb = np.zeros((16, 16, 3), np.uint8)
    rgb[..., 0] = 200  # red
    decoded = np.asarray(Image.open(io.BytesIO(encode_jpeg(rgb))).convert("RGB"))
    assert decoded.shape == (16, 16, 3)
    assert abs(int(decoded[8, 8, 0]) - 200) < 8 and int(decoded[8, 8, 2]) < 8
