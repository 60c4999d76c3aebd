"""Checks on what a client sends, before anything is stored: ids, content types, size, ages."""

from __future__ import annotations

import ipaddress
import re

from booth_core.ages import parse_ages
from booth_core.errors import BadImageError
from booth_core.limits import MAX_UPLOAD_BYTES
from booth_core.photo import PHOTO_CONTENT_TYPES, media_type, read_header
from booth_core.sitter import SITTER_HEADER, parse_sitter
from job_service.model import ApiError

#: A lower-case UUID4: nothing else can reach a file name or an object key.
_JOB_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def is_loopback(host: str | None) -> bool:
    """True for localhost and loopback addresses: this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def is_job_id(text: str) -> bool:
    return isinstance(text, str) and _JOB_ID.fullmatch(text) is not None


def check_job_id(text: str) -> str:
    """Return the id, or raise BAD_REQUEST for anything but a lower-case UUID4 (this also stops `../`)."""
    if not is_job_id(text):
        raise ApiError("BAD_REQUEST", "The job id must be a lower-case UUID4.")
    return text


def check_content_type(content_type: str | None) -> str:
    kind = media_type(content_type)
    if kind not in PHOTO_CONTENT_TYPES:
        raise ApiError("BAD_REQUEST", f"Send the photo as image/jpeg or image/png, not {kind or 'nothing'}.")
    return kind


def check_size(size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise ApiError("TOO_LARGE")


def check_ages_header(value: str | None, default: tuple[int, ...]) -> tuple[int, ...]:
    """`X-Target-Ages: 10,30,50` -> (10, 30, 50); absent -> `default`; malformed -> BAD_REQUEST."""
    if value is None:
        return tuple(default)
    try:
        return parse_ages(value)
    except ValueError as exc:
        raise ApiError("BAD_REQUEST", f"Bad X-Target-Ages header: {exc}.") from exc


def check_sitter_header(value: str | None) -> str | None:
    """`X-Sitter: child|adult|senior` -> that answer; absent or empty -> None; anything else -> BAD_REQUEST."""
    try:
        return parse_sitter(value)
    except ValueError as exc:
        raise ApiError("BAD_REQUEST", f"Bad {SITTER_HEADER} header: {exc}.") from exc


def check_image_header(body: bytes) -> None:
    """Refuse bodies that are no JPEG or PNG, or claim too many pixels (reads the header only; full
    decoding is the worker's)."""
    try:
        read_header(body)
    except BadImageError as exc:
        raise ApiError("BAD_IMAGE", exc.message) from exc
