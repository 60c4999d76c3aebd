"""How much of each change one frame needs: everything follows the distance from the sitter's
apparent age to the frame's target age, on a few clocks of how faces change with age.

A frame at the sitter's own apparent age changes nothing; a frame far from it changes most, so a
series of ages plays as an even animation and no frame keeps the look of the wrong age (an
80-year-old's "Age 25" loses the creases and the white hair, a child's "Age 30" grows up).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Skin ageing (creases, texture, tone, sag) starts here and is full at FULL_AGE.
SKIN_FROM, FULL_AGE = 20.0, 90.0
#: Beyond FULL_AGE the skin clock goes on a little, so 95-100 still differs from 90.
SKIN_MAX = 1.15
#: Hair greys between these ages (half grey near the middle).
GREY_FROM, GREY_FULL = 30.0, 85.0
#: The face grows until this age (the lower face lengthens most: cardioidal growth).
GROWN_AGE = 18.0
#: A 0-year-old's lower face, as a fraction of an adult's, and how the growth curve bends.
NEWBORN_LOWER_FACE, GROWTH_BEND = 0.78, 1.4
#: Targets at or under this age lose beards and beard shadow; full from BEARDLESS_FULL down.
BEARDLESS_FROM, BEARDLESS_FULL = 16.0, 10.0
#: How young image processing can make a face look: at best this fraction of its apparent age (an
#: 80-year-old smoothed, un-greyed and lifted reads as about 45, a 33-year-old as about 18: bone, bags
#: and proportions stay). Children are younger by growth alone, so the same fraction holds for them.
YOUNGEST_FRACTION = 0.55
#: How old a child's face can be made to look: proportions grow and skin ages, but a child's features
#: under 60-year-old skin read as a caricature, so a child reaches at most this many years older.
CHILD_REACH, CHILD_AGE = 30.0, 12.0
#: ... widening to every age by this apparent age.
GROWN_BY = 20.0
#: The part of each reach that is shown exactly as asked; beyond it asked ages are eased towards the
#: reach's end (never past it), slowly enough that asked ages far apart keep apart.
EXACT_PART = 0.75


def reach(apparent: float) -> tuple[float, float]:
    """(youngest, oldest) age a face that looks `apparent` can be shown at believably."""
    oldest = 100.0
    if apparent < GROWN_BY:  # a child's reach widens to everything once grown: 42 at 12, 100 by GROWN_BY
        grown = _clamp((apparent - CHILD_AGE) / (GROWN_BY - CHILD_AGE))
        oldest = min(100.0, apparent + CHILD_REACH + grown * (100.0 - apparent - CHILD_REACH))
    return YOUNGEST_FRACTION * apparent, oldest


def _ease(distance: float, limit: float) -> float:
    """`distance` kept as is up to EXACT_PART of `limit`, then eased to approach `limit` and never pass it."""
    exact = EXACT_PART * limit
    if distance <= exact or limit <= 0:
        return min(distance, max(limit, 0.0))
    rest = limit - exact
    beyond = (distance - exact) / rest
    return exact + rest * beyond / (1.0 + beyond)  # slow to saturate: far asked ages stay apart


def shown_age(target: int, apparent: float) -> int:
    """The age a frame asked for `target` can honestly carry for a face that looks `apparent`.

    Ages within reach come out as asked; further ones are eased towards the reach's end (monotone,
    so a series of asked ages stays in order), and the frame is made for, and labelled with, that age.
    """
    youngest, oldest = reach(apparent)
    if target < apparent:
        shown = apparent - _ease(apparent - target, apparent - youngest)
    elif oldest < 100.0:
        shown = apparent + _ease(target - apparent, oldest - apparent)
    else:  # a grown face can be aged to any age
        shown = float(target)
    return int(round(min(max(shown, 0.0), 100.0))) if abs(shown - target) >= 0.5 else int(target)


def _clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, x))


def _smoothstep(x: float) -> float:
    x = _clamp(x)
    return x * x * (3.0 - 2.0 * x)


def skin_clock(age: float) -> float:
    """0 up to 20, 1 at 90, a little more after: how aged the skin of an average face is."""
    return _clamp((age - SKIN_FROM) / (FULL_AGE - SKIN_FROM), 0.0, SKIN_MAX)


def grey_clock(age: float) -> float:
    """0 up to 30, 1 from 85: how grey an average head of hair is."""
    return _smoothstep((age - GREY_FROM) / (GREY_FULL - GREY_FROM))


def lower_face(age: float) -> float:
    """The lower face's length relative to an adult's (1.0 once grown)."""
    young = max(0.0, GROWN_AGE - age) / GROWN_AGE
    return 1.0 - (1.0 - NEWBORN_LOWER_FACE) * young**GROWTH_BEND


@dataclass(frozen=True)
class Plan:
    """The changes for one target age, for a sitter of apparent age `apparent`.

    older: skin ageing to add (donor skin detail, tone), 0 to ~1.15.
    sag: signed shape ageing (jowls, lids, mouth corners); negative lifts an older face.
    smooth: the fraction of the sitter's own creases and blemishes to remove, 0-1.
    grey: how far to whiten the hair, 0-1 (1: white). ungrey: the fraction of grey to take away.
    growth: target lower-face length over the sitter's (1: unchanged; <1 a younger child's face).
    beardless: how much beard and beard shadow to remove, 0-1.
    """

    age: float
    apparent: float
    older: float
    sag: float
    smooth: float
    grey: float
    ungrey: float
    growth: float
    beardless: float

    @property
    def is_identity(self) -> bool:
        return (
            self.older == 0
            and self.sag == 0
            and self.smooth == 0
            and self.grey == 0
            and self.ungrey == 0
            and self.growth == 1.0
            and self.beardless == 0
        )


def plan(age: float, apparent: float) -> Plan:
    """The plan of changes that takes a face that looks `apparent` years old to `age`."""
    c_t, c_a = skin_clock(age), skin_clock(apparent)
    g_t, g_a = grey_clock(age), grey_clock(apparent)
    younger = age < apparent
    smooth = 0.0
    beardless = 0.0
    ungrey = 0.0
    if younger:
        if c_a > 0.02:
            smooth = (c_a - c_t) / c_a
        # Childhood skin is smoother than any adult's: the further below 25, the more, but only
        # as far as the sitter is older than the target (a child stays a child's texture).
        childish = _clamp((25.0 - age) / 15.0) * _clamp((apparent - age) / 10.0)
        smooth = _clamp(max(smooth, childish))
        beardless = _clamp((BEARDLESS_FROM - age) / (BEARDLESS_FROM - BEARDLESS_FULL))
        if g_a > 0.02:
            ungrey = _clamp((g_a - g_t) / g_a)
    grey = _clamp((g_t - g_a) / max(1.0 - g_a, 0.05)) if g_t > g_a else 0.0
    return Plan(
        age=float(age),
        apparent=float(apparent),
        older=max(0.0, c_t - c_a),
        sag=c_t - c_a,
        smooth=smooth,
        grey=grey,
        ungrey=ungrey,
        growth=lower_face(age) / lower_face(apparent),
        beardless=beardless,
    )
