"""Decode an attendee's photo safely: EXIF orientation, any mode to RGB, clear errors."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from booth_core.errors import BadImageError

#: Larger images are refused before decoding (a 10 MB JPEG can claim gigapixels).
MAX_PIXELS = 64_000_000
ACCEPTED_FORMATS = ("JPEG", "PNG", "MPO")


def load_photo(source: bytes | str | Path | Image.Image) -> Image.Image:
    """Return the photo as an upright RGB PIL image, or raise BadImageError."""
    if isinstance(source, Image.Image):
        image = source
    else:
        try:
            data = source if isinstance(source, bytes) else Path(source).read_bytes()
        except OSError as exc:
            raise BadImageError(f"Could not read the photo: {exc.strerror or exc}") from exc
        image = _decode(data)
    if image.width * image.height > MAX_PIXELS:
        raise BadImageError(f"The photo is too large ({image.width}x{image.height} pixels).")
    try:
        image = ImageOps.exif_transpose(image)
        return _to_rgb(image)
    except (OSError, ValueError, SyntaxError) as exc:
        raise BadImageError("The photo is damaged and could not be read.") from exc


def _decode(data: bytes) -> Image.Image:
    if not data:
        raise BadImageError("The photo is empty.")
    try:
        image = Image.open(io.BytesIO(data))
        if image.format not in ACCEPTED_FORMATS:
            raise BadImageError(f"Only JPEG and PNG photos are accepted, not {image.format}.")
        if image.width * image.height > MAX_PIXELS:
            raise BadImageError(f"The photo is too large ({image.width}x{image.height} pixels).")
        image.load()
        return image
    except BadImageError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise BadImageError("The photo is damaged or is not a JPEG or PNG image.") from exc


def _to_rgb(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white and convert grayscale/palette/CMYK to RGB."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        import numpy as np

        array = np.asarray(image, dtype=np.float64)
        peak = max(float(array.max()), 1.0)
        scaled = (array * (255.0 / (65535.0 if peak > 255 else 255.0))).clip(0, 255).astype("uint8")
        return Image.fromarray(scaled, "L").convert("RGB")
    return image.convert("RGB")
