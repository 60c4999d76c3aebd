"""Target ages: the defaults and the one parser every entry point uses (CLI, HTTP header, SageMaker)."""

from __future__ import annotations

from collections.abc import Iterable

from booth_core.limits import MAX_AGE_COUNT
from booth_core.sitter import SITTER_ATTRIBUTE

#: The seed demo's ages.
DEFAULT_AGES: tuple[int, ...] = (25, 35, 55, 75)
MIN_AGE, MAX_AGE = 0, 100


def validate_ages(ages: Iterable[object]) -> tuple[int, ...]:
    """Return `ages` as a tuple of ints, or raise ValueError saying what is wrong.

    Only real integers 0-100 are accepted (bools and floats are refused), at most MAX_AGE_COUNT of them.
    """
    result = []
    for age in ages:
        if isinstance(age, bool) or not isinstance(age, int):
            raise ValueError(f"age {age!r} is not a whole number")
        if not MIN_AGE <= age <= MAX_AGE:
            raise ValueError(f"age {age} is outside {MIN_AGE}-{MAX_AGE}")
        result.append(age)
    if not result:
        raise ValueError("at least one target age is needed")
    if len(result) > MAX_AGE_COUNT:
        raise ValueError(f"at most {MAX_AGE_COUNT} target ages, got {len(result)}")
    return tuple(result)


def parse_ages(text: str) -> tuple[int, ...]:
    """Parse "10,30,50,70" (spaces allowed) into validated ages; ValueError otherwise."""
    parts = [part.strip() for part in text.split(",")]
    values: list[object] = []
    for part in parts:
        if not part or not (part.isascii() and part.isdigit()):
            raise ValueError(f"{part!r} is not a whole number between {MIN_AGE} and {MAX_AGE}")
        values.append(int(part))
    return validate_ages(values)


def custom_attribute_items(header: str | None) -> dict[str, str]:
    """`k=v;k=v` (or `ages=25,35,layout=photo`: a comma-separated token with `=` starts a new key) -> dict."""
    items: dict[str, str] = {}
    key = None
    for part in (header or "").split(";"):
        for token in part.split(","):
            name, sep, value = token.partition("=")
            if sep:
                key = name.strip()
                items[key] = value.strip()
            elif key is not None and token.strip():
                items[key] += "," + token.strip()
        key = None
    return items


def parse_custom_attributes(header: str | None) -> tuple[int, ...] | None:
    """Read `ages=25,35` out of a SageMaker CustomAttributes string (`k=v;k=v`); None when absent."""
    value = custom_attribute_items(header).get("ages")
    return None if value is None else parse_ages(value)


def format_custom_attributes(ages: Iterable[int], layout: str | None = None, sitter: str | None = None) -> str:
    """The inverse of `parse_custom_attributes` (plus `layout=` and `sitter=` when given)."""
    text = "ages=" + ",".join(str(age) for age in validate_ages(ages))
    return text + (f";layout={layout}" if layout else "") + (f";{SITTER_ATTRIBUTE}={sitter}" if sitter else "")
