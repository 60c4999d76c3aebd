"""One invocation: photo bytes + content type + CustomAttributes -> the wire strip.

Pure function of its inputs plus a read-only engine: nothing is kept between calls, so concurrent
requests cannot see each other's images (the seed demo kept the aligned face in a global).
"""

from __future__ import annotations

from booth_core.ages import DEFAULT_AGES, parse_custom_attributes
from booth_core.errors import TimeTravelerError
from booth_core.photo import load_photo
from booth_core.result import AgingResult

#: The booth API refuses photos over 10 MB (API.md); the model accepts the same.
MAX_BODY_BYTES = 10 * 1024 * 1024
#: `application/octet-stream` is what some SDK callers send; the bytes are sniffed by load_photo.
ACCEPTED_CONTENT_TYPES = ("image/jpeg", "image/png", "application/octet-stream", "application/x-image")
CUSTOM_ATTRIBUTES_HEADER = "X-Amzn-SageMaker-Custom-Attributes"


class BadRequestError(TimeTravelerError):
    """The request itself is malformed: content type or ages."""

    code = "BAD_REQUEST"


class TooLargeError(TimeTravelerError):
    code = "TOO_LARGE"


#: HTTP status per error code; everything a caller can fix is 4xx, only a failing model is 5xx.
HTTP_STATUS = {
    "BAD_REQUEST": 400,
    "TOO_LARGE": 413,
    "BAD_IMAGE": 400,
    "NO_FACE": 422,
    "INFERENCE_FAILED": 500,
}


def media_type(content_type: str | None) -> str:
    """`image/jpeg; charset=x` -> `image/jpeg`."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def target_ages(custom_attributes: str | None) -> tuple[int, ...]:
    """Ages from `ages=25,35` in CustomAttributes, else DEFAULT_AGES; BadRequestError when malformed."""
    try:
        ages = parse_custom_attributes(custom_attributes)
    except ValueError as exc:
        raise BadRequestError(f"Bad target ages in custom attributes: {exc}") from exc
    return ages if ages is not None else DEFAULT_AGES


def check_content_type(content_type: str | None) -> None:
    """Refuse what is not a photo upload by its header, before the body is read."""
    if media_type(content_type) not in ACCEPTED_CONTENT_TYPES:
        raise BadRequestError(f"Send the photo as image/jpeg or image/png, not {content_type or 'nothing'}.")


def check_request(body: bytes, content_type: str | None) -> None:
    """Refuse what is not a photo upload before any decoding."""
    check_content_type(content_type)
    if len(body) > MAX_BODY_BYTES:
        raise TooLargeError(f"The photo is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB.")


def age_photo(engine, body: bytes, content_type: str | None, custom_attributes: str | None) -> AgingResult:
    """Validate, decode and age one photo; raises TimeTravelerError subclasses with API codes."""
    check_request(body, content_type)
    ages = target_ages(custom_attributes)
    photo = load_photo(body)
    return engine.age(photo, ages=ages)


def invoke(engine, body: bytes, content_type: str | None, custom_attributes: str | None) -> bytes:
    """The whole `/invocations` body: `.npy` bytes of the (H, W*(1+n), 3) strip."""
    return age_photo(engine, body, content_type, custom_attributes).to_npy_bytes()


def error_document(code: str, message: str) -> dict:
    """API.md's error shape."""
    return {"error": {"code": code, "message": message}}


__all__ = [
    "ACCEPTED_CONTENT_TYPES",
    "CUSTOM_ATTRIBUTES_HEADER",
    "HTTP_STATUS",
    "MAX_BODY_BYTES",
    "BadRequestError",
    "TooLargeError",
    "age_photo",
    "check_content_type",
    "error_document",
    "invoke",
    "target_ages",
]
