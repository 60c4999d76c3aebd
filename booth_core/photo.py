"""Decode an attendee's photo safely: EXIF orientation, any mode to RGB, clear errors."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from booth_core.errors import BadImageError
from booth_core.limits import MAX_PIXELS

#: The content types an upload may declare (API.md).
PHOTO_CONTENT_TYPES = ("image/jpeg", "image/png")
#: What PIL calls the accepted photos (MPO is the JPEG some cameras write with a preview inside).
ACCEPTED_FORMATS = ("JPEG", "PNG", "MPO")
_ORIENTATION = 0x0112  # the EXIF tag
_DECODE_ERRORS = (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError)


def media_type(content_type: str | None) -> str:
    """`image/jpeg; charset=x` -> `image/jpeg`."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def read_header(data: bytes) -> tuple[str, tuple[int, int]]:
    """(format, (width, height)) from the header alone; BadImageError for what is no acceptable photo.

    Cheap enough for an upload handler: no pixel is decoded, so a photo claiming gigapixels costs nothing.
    """
    if not data:
        raise BadImageError("The photo is empty.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, size = image.format, image.size
    except Image.DecompressionBombError as exc:
        raise _too_large(None) from exc
    except _DECODE_ERRORS as exc:
        raise BadImageError("The photo is damaged or is not a JPEG or PNG image.") from exc
    _check(kind, size)
    return kind, size


def load_photo(source: bytes | str | Path | Image.Image) -> Image.Image:
    """Return the photo as an upright RGB PIL image, or raise BadImageError.

    Bytes and paths are decoded; an image that is already upright RGB comes back as the same object.
    """
    if isinstance(source, Image.Image):
        image = source
    else:
        try:
            data = source if isinstance(source, bytes) else Path(source).read_bytes()
        except OSError as exc:
            raise BadImageError(f"Could not read the photo: {exc.strerror or exc}") from exc
        image = _decode(data)
    _check_pixels(image.size)
    try:
        return _to_rgb(_upright(image))
    except (OSError, ValueError, SyntaxError) as exc:
        raise BadImageError("The photo is damaged and could not be read.") from exc


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation; an already upright image is returned as it is, not copied, so passing a
    decoded photo on through load_photo (engine, then aligner) costs nothing."""
    if image.getexif().get(_ORIENTATION, 1) in (0, 1):
        return image
    return ImageOps.exif_transpose(image)


def _check(kind: str | None, size: tuple[int, int]) -> None:
    if kind not in ACCEPTED_FORMATS:
        raise BadImageError(f"Only JPEG and PNG photos are accepted, not {kind}.")
    _check_pixels(size)


def _check_pixels(size: tuple[int, int]) -> None:
    if size[0] * size[1] > MAX_PIXELS:
        raise _too_large(size)


def _too_large(size: tuple[int, int] | None) -> BadImageError:
    """PIL refuses absurd sizes itself (DecompressionBombError) before telling them: then size is None."""
    claimed = f"{size[0]}x{size[1]} pixels; " if size else ""
    return BadImageError(f"The photo is too large ({claimed}at most {MAX_PIXELS // 1_000_000} megapixels).")


def _decode(data: bytes) -> Image.Image:
    if not data:
        raise BadImageError("The photo is empty.")
    try:
        image = Image.open(io.BytesIO(data))
        _check(image.format, image.size)
        image.load()
        return image
    except BadImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_large(None) from exc
    except _DECODE_ERRORS as exc:
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
