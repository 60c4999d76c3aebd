"""The classic engine: ages one aligned face by image processing only (numpy, OpenCV, Pillow).

`age_aligned_face` is the whole engine for one face: it analyses the crop once (`prepare`: masks,
hair, the apparent age, donor skin detail, a smoothed and a beardless skin) and then makes each
age from those layers (`render`), so extra ages are cheap. `ClassicEngine.age` is a thin shell
that finds and aligns the face in a photo first.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from booth_core.ages import validate_ages
from booth_core.result import AgingResult
from inference_container.classic import donors, hair, tone, transfer, warp
from inference_container.classic.apparent import ApparentAge
from inference_container.classic.apparent import estimate as estimate_from_cues
from inference_container.classic.geometry import Face
from inference_container.classic.masks import (
    FaceMasks,
    build_masks,
    feather,
    grow,
    is_greyscale_lab,
    is_monochrome_lab,
)
from inference_container.classic.strength import Plan, plan, shown_age
from inference_container.engine.faces import FaceCrop, FaceFrames
from inference_container.engine.pipeline import age_photo

#: Masks and layers are built at most this wide, then upsampled: their detail is coarser than that.
WORK_SIZE = 512
#: How strongly a full-strength donor's detail marks the sitter's skin.
DONOR_GAIN = 0.6
#: How much of the head hair's un-greying the brows get (their greying is BROW_GREY of the hair's).
BROW_UNGREY, BROW_GREY = 0.6, 0.6


@dataclass
class Prepared:
    """Everything `render` needs for any age. Layers cover only `box` (y0, y1, x0, x1) of the crop,
    the part any change can reach (face, neck, hair), at the crop's resolution (float32)."""

    rgb: np.ndarray  # (H, W, 3) uint8, the whole aligned crop
    box: tuple[int, int, int, int]
    lab: np.ndarray  # (h, w, 3) Lab of the aligned face in the box
    smooth_lab: np.ndarray  # (H, W, 3) edge-preserving smoothed Lab: creases and blemishes gone
    beard_free_lab: np.ndarray  # (H, W, 3) Lab with beard and beard shadow painted out
    beard_zone: np.ndarray  # (H, W) where a beard grows
    brow_hairs: np.ndarray  # (H, W) the brows' hairs only, not the skin between them
    hair: np.ndarray  # (H, W) head hair, beard and moustache
    detail: np.ndarray  # (H, W) donor skin detail, a ratio to apply to luminance
    area: np.ndarray  # (H, W) skin of face and neck where detail and tone apply
    masks: FaceMasks
    blotch: np.ndarray
    cheeks: np.ndarray
    hair_window: tuple[slice, slice]  # the rows and columns of the box that hold hair
    strands: np.ndarray  # (hh, hw) made-up strands over the hair window (hair.made_up_strands), made once
    brow_window: tuple[slice, slice]  # ... and brows
    hair_light: float  # the hair's median lightness (L 0-100), for keeping its strands when darkened
    brow_light: float  # the brow hairs' median lightness, likewise
    face: Face
    greyscale: bool
    monochrome: bool  # one tint (black and white or sepia): frames keep the photo's own tint
    apparent: ApparentAge


@dataclass
class AgedFace:
    """The frames of one aligned face (uint8 HxWx3, in the order of the asked ages), the age each one
    shows (`strength.shown_age`: the asked one where the engine can show it), its apparent age, timings."""

    frames: list[np.ndarray]
    ages: list[int]
    apparent: ApparentAge
    timings: dict[str, float]


def _up(array: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if array.shape[1] == size[0] and array.shape[0] == size[1]:
        return array
    return cv2.resize(array, size, interpolation=cv2.INTER_LINEAR)


def _to_lab(rgb_uint8: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb_uint8.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def _mixed_donor_detail(shape: tuple[int, int], face: Face) -> np.ndarray:
    """Every donor's detail on this face, weighted by how near its face shape is, where valid."""
    pool = donors.load_donors()
    weights = donors.donor_weights(face, pool)
    total = np.zeros(shape, dtype=np.float32)
    power = np.zeros(shape, dtype=np.float32)
    tris = transfer.triangles(transfer.control_points(face))
    for donor, weight in zip(pool, weights, strict=True):
        if weight <= 0:
            continue
        detail, valid = transfer.donor_detail(shape, face, donor.luminance, donor.face, donor.valid, tris)
        w = weight * valid
        total += w * detail
        power += w * w
    # Independent textures add like noise: dividing by the root of the summed squared weights keeps
    # one donor's contrast where several overlap.
    return total / np.sqrt(np.maximum(power, 1e-4))


def prepare(
    crop: np.ndarray, landmarks: np.ndarray, work_size: int = WORK_SIZE, given_age: float | None = None,
    sitter: str | None = None,
) -> Prepared:
    """Analyse an aligned face (uint8 HxWx3) with its 68 landmarks in the same pixel frame. `given_age`
    replaces the apparent age's estimate; `sitter` (booth_core.sitter) bounds it."""
    h, w = crop.shape[:2]
    size = (w, h)
    face = Face(np.asarray(landmarks, dtype=np.float64))
    factor = min(1.0, work_size / max(h, w))
    small = (
        crop
        if factor == 1.0
        else cv2.resize(crop, (round(w * factor), round(h * factor)), interpolation=cv2.INTER_AREA)
    )
    sface = face.scaled(small.shape[1] / w)
    shape = small.shape[:2]
    d = sface.eye_distance

    small_lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB)
    greyscale = is_greyscale_lab(small_lab)
    monochrome = is_monochrome_lab(small_lab, greyscale)
    masks = build_masks(small, sface)
    hair_small = hair.hair_mask(small, sface, masks.skin_colour)
    seen = (
        ApparentAge.given(given_age)
        if given_age is not None
        else estimate_from_cues(small, sface, masks.skin, hair_small, masks.brows, monochrome).told(sitter)
    )
    smooth_small = _young_skin(small, d)
    brow_free = _painted_out(small, masks.brows > 0.25, 0.06 * d)
    zone = tone.beard_zone(shape, sface)
    beard_free = _beard_free(small, sface, zone, hair_small, masks)

    reach = np.maximum.reduce([hair_small, masks.face, masks.neck, masks.brows, zone])
    box = _box(reach > 0.004, factor, (h, w))
    y0, y1, x0, x1 = box

    def up(array: np.ndarray) -> np.ndarray:
        return _up(array, size)[y0:y1, x0:x1]

    lab = _to_lab(crop[y0:y1, x0:x1])
    brow_free_lab = _to_lab(up(brow_free))
    # Brow hairs are the pixels darker than the skin painted in under them.
    brow_hairs = up(masks.brows) * np.clip((brow_free_lab[..., 0] - lab[..., 0] - 2.0) / 8.0, 0.0, 1.0)
    brow_hairs = cv2.GaussianBlur(brow_hairs, (0, 0), 1.0)
    area = np.maximum(masks.skin, masks.neck)
    hair_up = up(hair_small)
    hair_window = _window(hair_up > 0.004)
    up_masks = FaceMasks(
        *(
            up(m)
            for m in (
                masks.face,
                masks.skin,
                masks.eyes,
                masks.mouth,
                masks.brows,
                masks.neck,
                masks.skin_colour,
            )
        )
    )
    return Prepared(
        rgb=crop,
        box=box,
        lab=lab,
        smooth_lab=_to_lab(up(smooth_small)),
        beard_free_lab=up(beard_free),
        beard_zone=up(zone),
        brow_hairs=brow_hairs,
        hair=hair_up,
        detail=up(
            _mixed_donor_detail(shape, sface)
            * area
            * (1.0 - np.clip(feather(grow(masks.eyes, 0.1 * d), 0.06 * d) * 1.5, 0.0, 1.0))
        ),
        area=up(area),
        masks=up_masks,
        blotch=up(tone.blotch_field(shape, sface, seed=31)),
        cheeks=up(tone.cheek_mask(shape, sface)),
        hair_window=hair_window,
        strands=hair.made_up_strands(lab[hair_window].shape[:2]),
        brow_window=_window(brow_hairs > 0.004),
        hair_light=_median_light(lab, hair_up),
        brow_light=_median_light(lab, brow_hairs),
        face=face,
        greyscale=greyscale,
        monochrome=monochrome,
        apparent=seen,
    )


def _median_light(lab: np.ndarray, mask: np.ndarray) -> float:
    """The median lightness (Lab L, 0-100) of what `mask` holds for sure; 50 when it holds nothing."""
    sure = mask > 0.5
    return float(np.median(lab[..., 0][sure])) if np.any(sure) else 50.0


def _window(mask: np.ndarray) -> tuple[slice, slice]:
    """The rows and columns of `mask` that hold anything (an empty window when nothing)."""
    rows, cols = np.any(mask, axis=1), np.any(mask, axis=0)
    if not rows.any():
        return slice(0, 0), slice(0, 0)
    r, c = np.flatnonzero(rows), np.flatnonzero(cols)
    return slice(int(r[0]), int(r[-1]) + 1), slice(int(c[0]), int(c[-1]) + 1)


def _box(reach: np.ndarray, factor: float, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """The crop's rows and columns (y0, y1, x0, x1) holding `reach` (a mask at the work size), padded."""
    rows, cols = np.nonzero(reach)
    if len(rows) == 0:
        return 0, 1, 0, 1
    h, w = shape
    pad = 4
    y0 = max(int(rows.min() / factor) - pad, 0)
    y1 = min(int((rows.max() + 1) / factor) + pad, h)
    x0 = max(int(cols.min() / factor) - pad, 0)
    x1 = min(int((cols.max() + 1) / factor) + pad, w)
    return y0, y1, x0, x1


def _young_skin(rgb: np.ndarray, d: float) -> np.ndarray:
    """The skin without creases and blemishes, for younger frames (uint8 RGB).

    Colour: an edge-preserving smoothing (tone evens out, the face's big shapes stay). Lightness:
    the crease band (about 0.006 to 0.07 eye distances) is taken out, the finest grain (pores) is
    kept at a third, so young skin is even but not plastic.
    """
    even = cv2.edgePreservingFilter(rgb, flags=cv2.RECURS_FILTER, sigma_s=max(0.3 * d, 8.0), sigma_r=0.4)
    lab = cv2.cvtColor(even, cv2.COLOR_RGB2LAB).astype(np.float32)
    lum = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)[..., 0].astype(np.float32)
    grain = lum - cv2.GaussianBlur(lum, (0, 0), max(0.006 * d, 0.6))
    lab[..., 0] = cv2.GaussianBlur(lum, (0, 0), max(0.07 * d, 2.0)) + 0.35 * grain
    return cv2.cvtColor(np.clip(lab, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)


def _painted_out(rgb: np.ndarray, holes: np.ndarray, radius: float) -> np.ndarray:
    """`rgb` with `holes` painted in from around them (Telea), at half size: the fill is smooth anyway."""
    h, w = rgb.shape[:2]
    half = cv2.resize(rgb, (max(w // 2, 1), max(h // 2, 1)), interpolation=cv2.INTER_AREA)
    mask = cv2.resize(
        holes.astype(np.uint8) * 255, (half.shape[1], half.shape[0]), interpolation=cv2.INTER_NEAREST
    )
    filled = cv2.inpaint(
        half, cv2.dilate(mask, np.ones((3, 3), np.uint8)), max(radius / 2, 2.0), cv2.INPAINT_TELEA
    )
    filled = cv2.GaussianBlur(
        cv2.resize(filled, (w, h), interpolation=cv2.INTER_LINEAR), (0, 0), max(radius / 3, 1.0)
    )
    out = rgb.copy()
    out[holes] = filled[holes]
    return cv2.GaussianBlur(out, (0, 0), 1.0)


def _beard_free(
    small: np.ndarray, face: Face, zone: np.ndarray, hair_mask: np.ndarray, masks: FaceMasks
) -> np.ndarray:
    """Lab (float32) of the lower face with beard painted out and beard shadow lifted to the cheeks' tone."""
    d = face.eye_distance
    holes = (hair_mask * zone) > 0.3
    painted = _painted_out(small, holes, 0.08 * d) if holes.any() else small
    lab = _to_lab(painted)
    low = cv2.GaussianBlur(lab, (0, 0), max(0.08 * d, 2.0))
    cheeks = np.zeros(small.shape[:2], dtype=bool)
    for eye, side in ((face.right_eye, -1), (face.left_eye, 1)):
        c = face.offset(eye, 0.1 * side, 0.5)
        x, y, r = int(c[0]), int(c[1]), max(int(0.12 * d), 2)
        cheeks[max(y - r, 0) : y + r, max(x - r, 0) : x + r] = True
    reference = (
        np.median(low[cheeks & (masks.skin > 0.5)], axis=0) if np.any(cheeks & (masks.skin > 0.5)) else None
    )
    if reference is None:
        return lab
    delta = reference[None, None, :] - low
    # Only lift what is darker than the cheeks (shadow), never darken a lit chin.
    lift = np.clip(delta[..., 0] / 6.0, 0.0, 1.0)
    delta[..., 0] = np.maximum(delta[..., 0], 0.0)
    return lab + delta * lift[..., None]


def render(prep: Prepared, step: Plan) -> np.ndarray:
    """One frame as uint8 HxWx3 (the crop itself at the sitter's own apparent age)."""
    if step.is_identity:
        return prep.rgb.copy()
    lab = prep.lab.copy()
    m = prep.masks
    tone.younger_skin(lab, prep.smooth_lab, m.skin, prep.cheeks, step.smooth)
    tone.remove_beard(lab, prep.beard_free_lab, prep.beard_zone, step.beardless)
    hs, bs = prep.hair_window, prep.brow_window
    if step.ungrey > 0:
        hair.ungrey(
            lab[hs],
            prep.hair[hs] * (1.0 - step.beardless * prep.beard_zone[hs]),
            step.ungrey,
            prep.hair_light,
        )
        # Brows darken less than hair and around their own lightness: a few hairs over skin read
        # darker than they are, and the head hair's darkness on them looks drawn on.
        hair.ungrey(lab[bs], prep.brow_hairs[bs], BROW_UNGREY * step.ungrey, prep.brow_light)
    if step.older > 0:
        lab[..., 0] *= 1.0 + DONOR_GAIN * min(step.older, 1.15) * prep.detail
        tone.older_skin(lab, prep.area, prep.blotch, step.older)
    hair.grey(lab[hs], prep.hair[hs], step.grey, strands=prep.strands)
    hair.grey(lab[bs], prep.brow_hairs[bs], BROW_GREY * step.grey, neutral=True)
    if prep.greyscale:
        lab[..., 1:] = 0.0  # a black-and-white photo stays black and white at every age
    elif prep.monochrome:
        lab[..., 1:] = prep.lab[..., 1:]  # a sepia photo keeps its tint: only lightness changes
    rgb = cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
    y0, y1, x0, x1 = prep.box
    out = prep.rgb.copy()
    out[y0:y1, x0:x1] = np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8)
    if prep.greyscale:
        out[..., 1] = out[..., 0]
        out[..., 2] = out[..., 0]
    return warp.apply(out, warp.age_field(out.shape[:2], prep.face, step.sag, step.growth))


def estimate_apparent_age(crop: np.ndarray, landmarks: np.ndarray, work_size: int = WORK_SIZE) -> ApparentAge:
    """How old the aligned face looks (see `apparent`), without ageing it."""
    return prepare(crop, landmarks, work_size).apparent


def age_aligned_face(
    crop: np.ndarray, landmarks: np.ndarray, ages, apparent: float | None = None, work_size: int = WORK_SIZE,
    sitter: str | None = None,
) -> AgedFace:
    """Age one aligned face: `crop` uint8 (S, S, 3), `landmarks` (68, 2) in crop pixels.

    Every change follows the distance from the face's apparent age (estimated, within what `sitter`
    says the attendee is when given, or `apparent` when given) to each target age; a frame at the
    apparent age is the crop unchanged. A target further
    than the engine can believably go is made, and labelled, at the nearest age it can show.
    """
    ages = validate_ages(ages)
    crop = np.ascontiguousarray(crop, dtype=np.uint8)
    if crop.ndim != 3 or crop.shape[2] != 3:
        raise ValueError(f"crop must be HxWx3 uint8, got shape {crop.shape}")
    start = time.perf_counter()
    prep = prepare(crop, landmarks, work_size, apparent, sitter)
    mark = time.perf_counter()
    shown = [shown_age(age, prep.apparent.age) for age in ages]
    frames = [render(prep, plan(age, prep.apparent.age)) for age in shown]
    done = time.perf_counter()
    return AgedFace(frames, shown, prep.apparent, {"prepare_s": mark - start, "render_s": done - mark})


class ClassicEngine:
    """Ages a face with landmark-guided image processing; no learned weights, deterministic."""

    name = "classic"

    def __init__(
        self, output_size: int = 1024, work_size: int = WORK_SIZE, apparent_age: float | None = None
    ):
        if not 64 <= int(output_size) <= 4096:
            raise ValueError(f"output_size {output_size} is outside 64-4096")
        if apparent_age is not None:
            ApparentAge.given(apparent_age)  # refuse a bad hint now, not at the first photo
        self.output_size = int(output_size)
        self.work_size = int(work_size)
        self.apparent_age = apparent_age

    @property
    def crop_size(self) -> int:
        """The aligned crops it ages are its output size (FaceEngine, engine/faces.py)."""
        return self.output_size

    def age(self, photo: Image.Image | bytes, ages=None, layout: str = "photo", sitter: str | None = None
            ) -> AgingResult:
        """Every face in `photo` at each target age, pasted back (engine/pipeline.py; NoFaceError without a
        face); `sitter` is what the attendee said the main face is (booth_core.sitter). `timings` also
        carries `apparent_age`, the age the engine took the main face to look."""
        return age_photo(self, photo, ages, layout, sitter)

    def age_faces(self, faces: Sequence[FaceCrop], ages: Sequence[int],
                  timings: dict[str, float] | None = None,
                  sitters: Sequence[str | None] | None = None) -> list[FaceFrames]:
        """FaceEngine: each aligned face through `age_aligned_face` (its apparent age within `sitters[i]`
        where given), its frames in the order of `ages`, each labelled with the age it shows."""
        timings = {} if timings is None else timings
        sitters = [None] * len(faces) if sitters is None else sitters
        aged = []
        for face, sitter in zip(faces, sitters, strict=True):
            result = age_aligned_face(
                face.image, face.landmarks, ages, self.apparent_age, self.work_size, sitter
            )
            for step, seconds in result.timings.items():
                timings[step] = timings.get(step, 0.0) + seconds
            aged.append(FaceFrames(list(result.frames), list(result.ages), result.apparent.age))
        return aged
