"""Target ages: the defaults and the one parser every entry point uses (CLI, HTTP header, SageMaker)."""

from __future__ import annotations

from collections.abc import Iterable

from booth_core.limits import MAX_AGE_COUNT

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


def parse_custom_attributes(header: str | None) -> tuple[int, ...] | None:
    """Read `ages=25,35` out of a SageMaker CustomAttributes string (`k=v;k=v`); None when absent."""
    if not header:
        return None
    for item in header.split(";"):
        key, _, value = item.partition("=")
        if key.strip() == "ages":
            return parse_ages(value)
    return None


def format_custom_attributes(ages: Iterable[int]) -> str:
    """The inverse of `parse_custom_attributes`."""
    return "ages=" + ",".join(str(age) for age in validate_ages(ages))
