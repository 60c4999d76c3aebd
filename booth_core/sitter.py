"""Who the attendee says is in the photo (child, adult, senior): an optional hint for engines that judge
the sitter's age from the face (classic), and the one parser every entry point uses."""

from __future__ import annotations

#: The answers the booth offers, youngest first; absent means "let the engine judge".
SITTERS: tuple[str, ...] = ("child", "adult", "senior")

#: The upload header that carries it (API.md's terms: docs/job_service.md), and its CustomAttributes key.
SITTER_HEADER = "X-Sitter"
SITTER_ATTRIBUTE = "sitter"

#: Engines (by the name /health reports) that judge the sitter's age from the face and so take the answer;
#: the kiosk asks only where one of them runs (SAM needs no judgement and ignores it).
JUDGING_ENGINES = frozenset({"classic"})


def parse_sitter(value: str | None) -> str | None:
    """"child" | "adult" | "senior" (any case, spaces trimmed), None when absent or empty; ValueError otherwise."""
    if value is None or not value.strip():
        return None
    sitter = value.strip().lower()
    if sitter not in SITTERS:
        raise ValueError(f"{value!r} is not one of {', '.join(SITTERS)}")
    return sitter
