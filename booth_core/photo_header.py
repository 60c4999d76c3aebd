"""What a photo claims to be, read from its header only: format and pixel count, checked before any decoding.

A 187 KB PNG can claim 7999x7999 pixels and cost 660 MB once decoded; both servers refuse it here, at upload.
"""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

from booth_core.errors import BadImageError

# TODO(core): booth_core.limits.MAX_PIXELS once it lands (a booth camera gives at most about 12 MP).
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = ("JPEG", "PNG", "MPO")


def check_photo_header(data: bytes) -> tuple[str, int, int]:
    """`(format, width, height)` of a JPEG or PNG within MAX_PIXELS, else BadImageError; decodes nothing."""
    if not data:
        raise BadImageError("The photo is empty.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, width, height = image.format, image.width, image.height
    except Image.DecompressionBombError as exc:
        raise BadImageError("The photo has far too many pixels.") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise BadImageError("The photo is not a JPEG or PNG image.") from exc
    if kind not in ACCEPTED_FORMATS:
        raise BadImageError(f"Only JPEG and PNG photos are accepted, not {kind}.")
    if width * height > MAX_PIXELS:
        raise BadImageError(
            f"The photo has too many pixels ({width}x{height}); at most {MAX_PIXELS // 1_000_000} megapixels."
        )
    return kind, width, height
