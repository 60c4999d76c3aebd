"""The torch-free core shared by every part: ages, photo decoding, the wire strip."""

from __future__ import annotations

import fnmatch
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from booth_core import ages, wire
from booth_core.demo_photo import DEMO_PORTRAIT
from booth_core.errors import BadImageError
from booth_core.photo import load_photo
from booth_core.result import AgedFrame, AgingResult
from booth_core.sitter import parse_sitter
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


def test_the_sitter_answer_is_parsed_in_one_place_and_travels_in_custom_attributes():
    assert [parse_sitter(v) for v in ("child", " Adult ", "SENIOR", None, "", "  ")] == [
        "child", "adult", "senior", None, None, None]
    for bad in ("teen", "baby", "child,adult", "8"):
        with pytest.raises(ValueError, match="child, adult, senior"):
            parse_sitter(bad)
    header = ages.format_custom_attributes([25, 75], layout="photo", sitter="child")
    assert header == "ages=25,75;layout=photo;sitter=child"
    assert ages.custom_attribute_items(header) == {"ages": "25,75", "layout": "photo", "sitter": "child"}
    assert ages.format_custom_attributes([25]) == "ages=25"  # no answer: nothing added


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


def test_error_table_rows_are_complete_and_have_the_new_codes():
    from booth_core.errors import ERRORS, JOB_FAILURE_CODES, http_status, message_for

    assert http_status("STORAGE_FULL") == 507 and http_status("UNAVAILABLE") == 503
    assert http_status("TOO_LARGE") == 413 and http_status("NOT_FOUND") == 404
    assert {"NO_FACE", "TIMEOUT", "BAD_IMAGE", "INFERENCE_FAILED"} <= JOB_FAILURE_CODES
    assert not {"NOT_FOUND", "FORBIDDEN", "UNAVAILABLE", "STORAGE_FULL", "NETWORK"} & JOB_FAILURE_CODES
    assert all(row.message.endswith(".") for row in ERRORS.values())
    assert message_for("NO_SUCH_CODE") == ERRORS["INFERENCE_FAILED"].message


def test_errors_default_to_the_tables_words():
    from booth_core.errors import ERRORS, NoFaceError, StorageFullError, UnavailableError

    assert NoFaceError().message == ERRORS["NO_FACE"].message
    assert StorageFullError().code == "STORAGE_FULL" and UnavailableError().code == "UNAVAILABLE"
    assert NoFaceError("own words").message == "own words"


def _png_header(width: int, height: int) -> bytes:
    """A PNG signature and IHDR chunk claiming `width` x `height`: enough for a header reader, no pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"")


def test_pixel_cap_is_read_from_the_header():
    from booth_core.limits import MAX_PIXELS
    from booth_core.photo import read_header

    assert read_header(image_bytes(Image.new("RGB", (8, 6)), "PNG")) == ("PNG", (8, 6))
    side = int(MAX_PIXELS**0.5) + 1
    for data in (_png_header(side, side), _png_header(100_000, 100_000)):
        with pytest.raises(BadImageError, match="too large"):
            read_header(data)
        with pytest.raises(BadImageError, match="too large"):
            load_photo(data)


def test_a_decoded_photo_passes_through_load_photo_uncopied(astronaut):
    decoded = load_photo(image_bytes(astronaut, "JPEG"))
    assert load_photo(decoded) is decoded
    assert load_photo(load_photo(decoded)) is decoded


def test_the_demo_portrait_is_package_data_that_importlib_resources_finds():
    """A plain wheel holds it (the SAM upgrade's warm-up photo, the tour's fallback camera), not only a checkout."""
    resource = resources.files("booth_core").joinpath(DEMO_PORTRAIT.name)
    with resources.as_file(resource) as path:
        assert path.is_file() and path == DEMO_PORTRAIT
        assert Image.open(path).format == "JPEG"
    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    package_data = pyproject["tool"]["setuptools"]["package-data"]
    patterns = [*package_data.get("*", []), *package_data.get("booth_core", [])]
    assert any(fnmatch.fnmatch(DEMO_PORTRAIT.name, pattern) for pattern in patterns), patterns
