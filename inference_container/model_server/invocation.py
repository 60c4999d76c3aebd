"""One invocation: photo bytes + content type + CustomAttributes -> the wire strip.

Pure function of its inputs plus a read-only engine: nothing is kept between calls, so concurrent
requests cannot see each other's images (the seed demo kept the aligned face in a global).
"""

from __future__ import annotations

import json

from booth_core.ages import DEFAULT_AGES, custom_attribute_items, parse_custom_attributes
from booth_core.errors import BadRequestError, TooLargeError
from booth_core.limits import MAX_UPLOAD_BYTES
from booth_core.photo import PHOTO_CONTENT_TYPES, load_photo, media_type
from booth_core.result import LAYOUTS, AgingResult
from booth_core.sitter import SITTER_ATTRIBUTE, parse_sitter

#: `application/octet-stream` is what some SDK callers send; the bytes are sniffed by load_photo.
ACCEPTED_CONTENT_TYPES = (*PHOTO_CONTENT_TYPES, "application/octet-stream", "application/x-image")
CUSTOM_ATTRIBUTES_HEADER = "X-Amzn-SageMaker-Custom-Attributes"
#: The seed's answer (the main face's aligned crops) stays the default; `layout=photo` asks for the photo.
DEFAULT_LAYOUT = "aligned"
#: Response headers that describe a strip: `WIDTHxHEIGHT` of one frame, and the faces as JSON.
FRAME_SIZE_HEADER = "X-Time-Traveler-Frame-Size"
FACES_HEADER = "X-Time-Traveler-Faces"


def target_ages(custom_attributes: str | None) -> tuple[int, ...]:
    """Ages from `ages=25,35` in CustomAttributes, else DEFAULT_AGES; BadRequestError when malformed."""
    try:
        ages = parse_custom_attributes(custom_attributes)
    except ValueError as exc:
        raise BadRequestError(f"Bad target ages in custom attributes: {exc}") from exc
    return ages if ages is not None else DEFAULT_AGES


def requested_layout(custom_attributes: str | None) -> str:
    """`layout=photo|aligned` from CustomAttributes, else the seed's aligned strip; BadRequestError otherwise."""
    layout = custom_attribute_items(custom_attributes).get("layout", DEFAULT_LAYOUT)
    if layout not in LAYOUTS:
        raise BadRequestError(f"Bad layout {layout!r} in custom attributes; use {' or '.join(LAYOUTS)}.")
    return layout


def requested_sitter(custom_attributes: str | None) -> str | None:
    """`sitter=child|adult|senior` from CustomAttributes (booth_core.sitter), else None; BadRequestError otherwise."""
    try:
        return parse_sitter(custom_attribute_items(custom_attributes).get(SITTER_ATTRIBUTE))
    except ValueError as exc:
        raise BadRequestError(f"Bad sitter in custom attributes: {exc}.") from exc


def strip_headers(result: AgingResult) -> dict[str, str]:
    """What a client needs to split and place the strip: frame size, and every face's box in frame pixels
    (`[{"box": [x0, y0, x1, y1], "score": s}, ...]`, largest first; the aligned layout lists its one face)."""
    width, height = result.frame_size
    faces = [{"box": face["box"], "score": face["score"]} for face in (f.summary() for f in result.faces)]
    if result.layout == "aligned":
        faces = []
    return {FRAME_SIZE_HEADER: f"{width}x{height}", FACES_HEADER: json.dumps(faces, separators=(",", ":"))}


def check_content_type(content_type: str | None) -> None:
    """Refuse what is not a photo upload by its header, before the body is read."""
    if media_type(content_type) not in ACCEPTED_CONTENT_TYPES:
        raise BadRequestError(f"Send the photo as image/jpeg or image/png, not {content_type or 'nothing'}.")


def check_request(body: bytes, content_type: str | None) -> None:
    """Refuse what is not a photo upload before any decoding."""
    check_content_type(content_type)
    if len(body) > MAX_UPLOAD_BYTES:
        raise TooLargeError()


def age_photo(engine, body: bytes, content_type: str | None, custom_attributes: str | None) -> AgingResult:
    """Validate, decode and age one photo; raises TimeTravelerError subclasses with API codes."""
    check_request(body, content_type)
    ages = target_ages(custom_attributes)
    layout = requested_layout(custom_attributes)
    sitter = requested_sitter(custom_attributes)
    photo = load_photo(body)
    return engine.age(photo, ages=ages, layout=layout, sitter=sitter)


def invoke(engine, body: bytes, content_type: str | None, custom_attributes: str | None) -> bytes:
    """The whole `/invocations` body: `.npy` bytes of the (H, W*(1+n), 3) strip."""
    return age_photo(engine, body, content_type, custom_attributes).to_npy_bytes()


def error_document(code: str, message: str) -> dict:
    """API.md's error shape."""
    return {"error": {"code": code, "message": message}}


__all__ = [
    "ACCEPTED_CONTENT_TYPES",
    "CUSTOM_ATTRIBUTES_HEADER",
    "FACES_HEADER",
    "FRAME_SIZE_HEADER",
    "BadRequestError",
    "TooLargeError",
    "age_photo",
    "check_content_type",
    "error_document",
    "invoke",
    "requested_layout",
    "strip_headers",
    "target_ages",
]
