"""The sitter's apparent age, estimated from the face itself without learned weights.

Three cues, each a plain measurement of the aligned face:
- skin texture: the fine band-pass contrast in the zones where creases form (forehead, crow's
  feet, under the eyes, beside the nose and mouth), relative to the skin's brightness;
- hair greyness: how light and colourless the hair (and the brows) are;
- proportions: a child's face below the nose is short against the eye distance, and the face is
  round (wide for its height), whether the mouth is open or shut.
The estimate is conservative: where the cues disagree or are weak it is drawn towards an adult
middle age, so a wrong guess changes a face less than a confident one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from inference_container.classic.geometry import Face
from inference_container.classic.masks import is_monochrome_lab, polygon

#: Cues are measured on the face resampled so that the eyes are this far apart (pixels).
EYE_DISTANCE_PX = 64.0
#: Where an unsure estimate is drawn to: an adult whose frames change little either way.
ADULT_MIDDLE = 35.0
#: Bands by upper bound: what the booth would call the sitter.
BANDS = (("child", 13.0), ("teen", 20.0), ("adult", 55.0), ("senior", 200.0))
#: Texture energy (x1000) of smooth young skin and of deeply lined old skin, from the test set.
TEXTURE_YOUNG, TEXTURE_OLD = 1.0, 6.0
#: Nose base to chin with the mouth shut (eye distances) of a child and of a short-faced adult: five
#: laughing children measured 0.74-0.83, 29 adult faces (the test set and held-out photos) 0.86-1.65.
CHIN_CHILD, CHIN_ADULT = 0.76, 0.88
#: Jaw width over eyes-to-chin height with the mouth shut: the children 1.48-1.64, adults 1.13-1.47.
ROUND_CHILD, ROUND_ADULT = 1.58, 1.42
#: Age and weight of the vote of a face that is a child's by both proportions.
CHILD_VOTE_AGE, CHILD_VOTE_WEIGHT = 6.0, 3.0
#: The ages each answer to "who is in the photo?" (booth_core.sitter) allows: an estimate outside its
#: range is moved to the range's nearer end. A child is kept under 12 (so it is shown as a child that
#: grows up, strength.reach), a senior from 58 (so its young frames stay a smoothed senior's).
SITTER_AGES = {"child": (4.0, 11.0), "adult": (20.0, 54.0), "senior": (58.0, 90.0)}
#: Edge contrast (x1000) around the eyes of a sharp photo; a blurred, upscaled face has less, and
#: its skin texture then says little about age.
SHARP_EYES = 25.0


def band_of(age: float) -> str:
    """'child', 'teen', 'adult' or 'senior'."""
    return next(name for name, upper in BANDS if age < upper)


@dataclass(frozen=True)
class ApparentAge:
    """How old the sitter looks: `age` in years, its `band`, and how `sure` the cues agree."""

    age: float
    band: str
    sure: bool
    cues: dict[str, float] = field(default_factory=dict)

    @classmethod
    def given(cls, age: float) -> ApparentAge:
        """An age told by the caller (a staff setting or the attendee), taken as certain."""
        if not 0 <= age <= 100:
            raise ValueError(f"apparent_age {age} is outside 0-100")
        return cls(float(age), band_of(age), True, {"given": float(age)})

    def told(self, sitter: str | None) -> ApparentAge:
        """This estimate within what the attendee said the sitter is (SITTER_AGES), taken as certain;
        itself when nothing was said. The cues keep the judged age as `judged`."""
        if sitter is None:
            return self
        low, high = SITTER_AGES[sitter]
        age = min(max(self.age, low), high)
        return ApparentAge(age, band_of(age), True, {**self.cues, "judged": self.age})


def _zones(shape: tuple[int, int], face: Face) -> np.ndarray:
    """Where creases form: forehead, crow's feet, under the eyes, nasolabial and marionette areas."""
    p = face.points
    brow_mid = (p[19] + p[24]) / 2
    zones = [
        [
            face.offset(brow_mid, -0.75, -0.15),
            face.offset(brow_mid, 0.75, -0.15),
            face.offset(brow_mid, 0.7, -0.55),
            face.offset(brow_mid, -0.7, -0.55),
        ],
    ]
    for corner, side in ((p[36], -1), (p[45], 1)):
        zones.append(
            [
                face.offset(corner, 0.05 * side, -0.15),
                face.offset(corner, 0.35 * side, -0.2),
                face.offset(corner, 0.35 * side, 0.2),
                face.offset(corner, 0.05 * side, 0.15),
            ]
        )
    for eye in (p[36:42], p[42:48]):
        low = eye[[0, 5, 4, 3]]
        zones.append(
            [
                face.offset(low[0], 0, 0.08),
                face.offset(low[3], 0, 0.08),
                face.offset(low[3], 0, 0.35),
                face.offset(low[0], 0, 0.35),
            ]
        )
    for wing, mouth, side in ((p[31], p[48], -1), (p[35], p[54], 1)):
        zones.append(
            [
                face.offset(wing, 0.05 * side, -0.05),
                face.offset(wing, 0.35 * side, -0.05),
                face.offset(mouth, 0.3 * side, 0.25),
                face.offset(mouth, 0.05 * side, 0.25),
            ]
        )
    mask = np.zeros(shape, dtype=np.float32)
    for zone in zones:
        mask = np.maximum(mask, polygon(shape, np.array(zone)))
    return mask


def _eye_zone(shape: tuple[int, int], face: Face) -> np.ndarray:
    p = face.points
    mask = np.zeros(shape, dtype=np.float32)
    for eye in (p[36:42], p[42:48]):
        c = eye.mean(axis=0)
        mask = np.maximum(
            mask,
            polygon(
                shape,
                np.array(
                    [
                        face.offset(c, dx, dy)
                        for dx, dy in ((-0.3, -0.15), (0.3, -0.15), (0.3, 0.15), (-0.3, 0.15))
                    ]
                ),
            ),
        )
    return mask


def texture_energy(rgb: np.ndarray, face: Face, skin: np.ndarray) -> tuple[float, float]:
    """Mean squared band-pass contrast (x1000) of the skin in the crease zones, at a fixed scale,
    and the same measure around the eyes (how sharp the photo is)."""
    factor = EYE_DISTANCE_PX / max(face.eye_distance, 1e-6)
    size = (max(int(round(rgb.shape[1] * factor)), 16), max(int(round(rgb.shape[0] * factor)), 16))
    grey = cv2.cvtColor(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    grey = grey.astype(np.float32)
    sface = face.scaled(factor)
    where = _zones(grey.shape, sface) * cv2.resize(skin, size, interpolation=cv2.INTER_AREA)
    base = cv2.GaussianBlur(grey, (0, 0), 2.5)
    band = (cv2.GaussianBlur(grey, (0, 0), 0.7) - base) / np.maximum(base, 20.0)
    eyes = _eye_zone(grey.shape, sface)
    sharpness = 1000.0 * float((band**2 * eyes).sum() / max(float(eyes.sum()), 1.0))
    weight = float(where.sum())
    if weight < 50:
        return float("nan"), sharpness
    return 1000.0 * float((band**2 * where).sum() / weight), sharpness


def photo_tint(lab: np.ndarray, monochrome: bool | None = None) -> tuple[float, float]:
    """The (a, b) that counts as colourless (OpenCV 8-bit Lab): neutral, or a toned photo's own tint, since
    in a sepia print every pixel has the tint's colour. `monochrome`: `is_monochrome_lab(lab)`, if known."""
    if is_monochrome_lab(lab) if monochrome is None else monochrome:
        return float(np.median(lab[..., 1])), float(np.median(lab[..., 2]))
    return 128.0, 128.0


def greyness(lab: np.ndarray, mask: np.ndarray, tint: tuple[float, float] = (128.0, 128.0)) -> float:
    """0-1: how light and colourless (away from `tint`, see photo_tint) the masked hair is (OpenCV 8-bit
    Lab input); NaN without hair."""
    pick = mask > 0.5
    if float(mask.sum()) < 0.002 * mask.size or not np.any(pick):  # none, or only a faint rim
        return float("nan")
    L = lab[..., 0][pick].astype(np.float32) * (100.0 / 255.0)
    chroma = np.hypot(lab[..., 1][pick] - tint[0], lab[..., 2][pick] - tint[1])
    light = np.clip((np.median(L) - 40.0) / 30.0, 0.0, 1.0)
    colourless = np.clip((16.0 - np.median(chroma)) / 10.0, 0.0, 1.0)
    return float(light * colourless)


@dataclass(frozen=True)
class Proportions:
    """A face's proportions in eye distances along its own axes, with an open mouth closed again
    (the inner lips' gap taken off), so a laughing or speaking face measures like a resting one."""

    chin: float  # nose base (landmark 33) to chin (8)
    lower_face: float  # eyes' midpoint to chin
    width: float  # jaw width (0 to 16)

    @classmethod
    def of(cls, face: Face) -> Proportions:
        p, y = face.points, face.y_axis
        mid = (face.right_eye + face.left_eye) / 2
        gap = max(float(np.dot(p[66] - p[62], y)), 0.0)
        eyes = face.eye_distance
        return cls(
            chin=float(np.dot(p[8] - p[33], y) - gap) / eyes,
            lower_face=float(np.dot(p[8] - mid, y) - gap) / eyes,
            width=float(np.hypot(*(p[16] - p[0]))) / eyes,
        )

    @property
    def childish(self) -> float:
        """0 (an adult's proportions) to 1 (a child's), the mean of the two proportion cues."""
        short = (CHIN_ADULT - self.chin) / (CHIN_ADULT - CHIN_CHILD)
        round_ = (self.width / max(self.lower_face, 1e-6) - ROUND_ADULT) / (ROUND_CHILD - ROUND_ADULT)
        return float((np.clip(short, 0.0, 1.0) + np.clip(round_, 0.0, 1.0)) / 2)


def estimate(
    rgb: np.ndarray, face: Face, skin: np.ndarray, hair: np.ndarray, brows: np.ndarray,
    monochrome: bool | None = None,
) -> ApparentAge:
    """The apparent age of the face in `rgb` (uint8) with its masks at the same size (`monochrome`: whether
    `rgb` is in one tint, where the caller has judged it already)."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    energy, sharpness = texture_energy(rgb, face, skin)
    tint = photo_tint(lab, monochrome)
    grey_hair = greyness(lab, hair, tint)
    grey_brows = greyness(
        lab, brows * (lab[..., 0] < np.median(lab[..., 0][skin > 0.5]) if np.any(skin > 0.5) else brows), tint
    )
    shape = Proportions.of(face)

    votes: list[tuple[float, float]] = []  # (age, weight)
    sharp = float(np.clip(sharpness / SHARP_EYES, 0.1, 1.0))
    childish = shape.childish
    if not np.isnan(energy):
        t = np.clip((energy - TEXTURE_YOUNG) / (TEXTURE_OLD - TEXTURE_YOUNG), 0.0, 1.2)
        # Smooth skin says "22 or younger", not "22": on a face with a child's proportions it gives way.
        smooth = float(np.clip(1.0 - t / 0.2, 0.0, 1.0))
        votes.append((22.0 + 58.0 * t, sharp * (1.0 - childish * smooth)))
    grey = grey_hair if not np.isnan(grey_hair) else grey_brows
    if not np.isnan(grey):
        # Grey hair says "older" firmly; dark hair says little (dye, youth, or just dark).
        votes.append((30.0 + 48.0 * grey, 0.15 + 2.5 * grey**2))
    if childish > 0 and (np.isnan(energy) or energy < 0.5 * (TEXTURE_YOUNG + TEXTURE_OLD)) and not grey > 0.3:
        votes.append((30.0 - (30.0 - CHILD_VOTE_AGE) * childish, CHILD_VOTE_WEIGHT * childish))
    cues = {
        "texture": float(energy),
        "hair_grey": float(grey_hair),
        "brow_grey": float(grey_brows),
        "lower_face": shape.lower_face,
        "chin": shape.chin,
        "childish": childish,
        "sharpness": sharpness,
    }
    if not votes:
        return ApparentAge(ADULT_MIDDLE, band_of(ADULT_MIDDLE), False, cues)
    ages = np.array([a for a, _ in votes])
    weights = np.array([w for _, w in votes])
    raw = float((ages * weights).sum() / weights.sum())
    spread = float(np.sqrt((weights * (ages - raw) ** 2).sum() / weights.sum()))
    sure = len(votes) >= 2 and spread < 12.0
    # Unsure: keep only part of the way from an adult middle age towards the raw estimate.
    trust = 1.0 if sure else float(np.clip(1.0 - (spread - 12.0) / 30.0, 0.6, 0.9))
    age = ADULT_MIDDLE + trust * (raw - ADULT_MIDDLE)
    cues.update({"raw": raw, "spread": spread})
    return ApparentAge(round(age, 1), band_of(age), sure, cues)
