"""How strongly to age or rejuvenate a face: one smooth number per direction, from the target age."""

from __future__ import annotations

from dataclasses import dataclass

#: The age at which the "older" effects reach full strength (1.0); older targets go a little further.
FULL_AGE = 90
#: The most an older target may exceed full strength, so 95-100 still differs a little from 90.
MAX_OLDER = 1.12
#: The age at which the "younger" effects reach full strength.
YOUNGEST_AGE = 3


@dataclass(frozen=True)
class Strength:
    """`older` and `younger` are in [0, ~1]; at most one is non-zero, both are 0 at the subject's age."""

    older: float
    younger: float


def age_strength(age: int, subject_age: float) -> Strength:
    """Map a target age to effect strengths that grow linearly with |age - subject_age|.

    Linear growth keeps a series of ages (10, 20, ... 90) animating at an even pace; effects with
    an onset (late wrinkles, spots) shape their own response on top of this.
    """
    if age >= subject_age:
        span = max(FULL_AGE - subject_age, 10.0)
        return Strength(min((age - subject_age) / span, MAX_OLDER), 0.0)
    span = max(subject_age - YOUNGEST_AGE, 5.0)
    return Strength(0.0, min((subject_age - age) / span, 1.0))


def ramp(strength: float, onset: float, full: float = 1.0) -> float:
    """0 below `onset`, rising smoothly (smoothstep) to 1 at `full`, then slowly past it."""
    if strength <= onset:
        return 0.0
    t = (strength - onset) / max(full - onset, 1e-6)
    if t >= 1.0:
        return 1.0 + 0.5 * (t - 1.0)
    return t * t * (3.0 - 2.0 * t)
