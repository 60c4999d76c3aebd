"""The torch-free core shared by every part: ages, photo decoding, the wire strip."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from booth_core import ages, wire
from booth_core.errors import BadImageError
from booth_core.photo import load_photo
from booth_core.result import AgedFrame, AgingResult
from tests.conftest import image_bytes


def test_parse_ages_accepts_lists_and_refuses_bad_values():
    assert ages.parse_ages("10, 30,50,70") == (10, 30, 50, 70)
    for bad in ("", "10,,20", "-1", "101", "3.5", "ten", ",".join(["5"] * 13)):
        with pytest.raises(ValueError):
            ages.parse_ages(bad)
    with pytest.raises(ValueError):
        ages.validate_ages([True])


def test_custom_attributes_round_trip():
    header = ages.format_custom_attributes([25, 75])
    assert header == "ages=25,75"
    assert ages.parse_custom_attributes("x=1; " + header) == (25, 75)
    assert ages.parse_custom_attributes(None) is None


def test_load_photo_handles_modes_and_exif(astronaut):
    gray = load_photo(image_bytes(astronaut.convert("L"), "PNG"))
    assert gray.mode == "RGB" and gray.size == astronaut.size
    rgba = astronaut.convert("RGBA")
    assert load_photo(image_bytes(rgba, "PNG")).mode == "RGB"
    rotated = astronaut.copy()
    exif = rotated.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    import io

    buffer = io.BytesIO()
    rotated.save(buffer, format="JPEG", exif=exif)
    upright = load_photo(buffer.getvalue())
    assert upright.size == (astronaut.height, astronaut.width)


@pytest.mark.parametrize("data", [b"", b"not an image", image_bytes(Image.new("RGB", (8, 8)), "JPEG")[:40]])
def test_load_photo_refuses_corrupt_bytes(data):
    with pytest.raises(BadImageError) as info:
        load_photo(data)
    assert info.value.code == "BAD_IMAGE"


def test_load_photo_refuses_other_formats():
    with pytest.raises(BadImageError, match="JPEG and PNG"):
        load_photo(image_bytes(Image.new("RGB", (8, 8)), "GIF"))


def test_strip_round_trip():
    frames = [np.full((4, 4, 3), value, np.uint8) for value in (0, 100, 200)]
    strip = wire.join_frames(frames)
    assert strip.shape == (4, 12, 3)
    decoded = wire.decode_npy(wire.encode_npy(strip))
    parts = wire.split_strip(decoded)
    assert [int(part[0, 0, 0]) for part in parts] == [0, 100, 200]
    with pytest.raises(ValueError):
        wire.decode_npy(b"garbage")


def test_result_strip_puts_the_original_first_and_resizes_it():
    original = Image.new("RGB", (8, 8), (255, 0, 0))
    frames = [AgedFrame(age, Image.new("RGB", (16, 16), (0, age, 0))) for age in (10, 70)]
    result = AgingResult(original=original, frames=frames, engine="test")
    strip = result.to_strip_array()
    assert strip.shape == (16, 48, 3)
    assert tuple(strip[0, 0]) == (255, 0, 0)
    assert tuple(strip[0, 16]) == (0, 10, 0) and tuple(strip[0, 32]) == (0, 70, 0)
    assert result.ages == [10, 70]
