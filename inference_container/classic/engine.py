"""ClassicEngine: landmark-guided ageing with image processing only (numpy, OpenCV, Pillow).

Work is split in two: `prepare` analyses the aligned face once (masks, hair, wrinkle and spot
layers, a smoothed skin), and `render` makes one age from those layers with a few weighted sums,
one colour conversion and one warp, so extra ages are cheap.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from booth_core.result import AgingResult
from inference_container.classic import hair, tone, warp, wrinkles
from inference_container.classic.geometry import Face
from inference_container.classic.masks import FaceMasks, build_masks
from inference_container.classic.strength import Strength, age_strength, ramp
from inference_container.engine.faces import FaceCrop
from inference_container.engine.pipeline import age_photo

#: Masks and layers are built at most this wide, then upsampled: their detail is coarser than that.
WORK_SIZE = 512


@dataclass
class Prepared:
    """Everything `render` needs for any age, at the output size (float32)."""

    lab: np.ndarray  # (H, W, 3) Lab of the aligned face
    smooth_lab: np.ndarray  # (H, W, 3) edge-preserving smoothed Lab, for younger skin
    brow_free_lab: np.ndarray  # (H, W, 3) Lab with the brows painted out, for thinning brows
    brow_hairs: np.ndarray  # (H, W) the brows' hairs only, not the skin between them
    hair_rim: np.ndarray  # (H, W) the outer edge of the hair, where thinning shows first
    rim_free_lab: np.ndarray  # (H, W, 3) Lab with that rim painted out from the backdrop
    detail: np.ndarray  # (H, W) the face's own fine luminance detail
    masks: FaceMasks
    hair: np.ndarray
    strands: np.ndarray
    wrinkle_layers: list[np.ndarray]
    crepe: np.ndarray
    blotch: np.ndarray
    spots: tuple[np.ndarray, np.ndarray]
    cheeks: np.ndarray
    face: Face


def _up(array: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if array.shape[1] == size[0] and array.shape[0] == size[1]:
        return array
    return cv2.resize(array, size, interpolation=cv2.INTER_LINEAR)


def _to_lab(rgb_uint8: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb_uint8.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def prepare(aligned: np.ndarray, landmarks: np.ndarray, work_size: int = WORK_SIZE) -> Prepared:
    """Analyse an aligned face (uint8 HxWx3) with its 68 landmarks in the same pixel frame."""
    h, w = aligned.shape[:2]
    size = (w, h)
    face = Face(np.asarray(landmarks, dtype=np.float64))
    factor = min(1.0, work_size / max(h, w))
    small = (
        aligned
        if factor == 1.0
        else cv2.resize(aligned, (round(w * factor), round(h * factor)), interpolation=cv2.INTER_AREA)
    )
    sface = face.scaled(small.shape[1] / w)
    shape = small.shape[:2]

    masks = build_masks(small, sface)
    hair_small = hair.hair_mask(small, sface, masks.skin_colour)
    layers = wrinkles.render_layers(shape, sface, masks.skin, masks.neck)
    crepe = wrinkles.crepe_texture((h, w), face) * _up(np.maximum(masks.skin, masks.neck), size)
    d = sface.eye_distance
    # A child's skin: flatten texture and creases but keep the face's big shapes (nose, cheeks).
    smooth_small = cv2.edgePreservingFilter(
        small, flags=cv2.RECURS_FILTER, sigma_s=max(0.3 * d, 8.0), sigma_r=0.4
    )
    brow_holes = (masks.brows > 0.25).astype(np.uint8) * 255
    brow_free = cv2.inpaint(small, brow_holes, max(0.06 * d, 3.0), cv2.INPAINT_TELEA)
    brow_free = cv2.GaussianBlur(brow_free, (0, 0), max(0.02 * d, 1.0))
    # The hair's outer rim, and the picture with that rim painted out: thinning shows it through.
    rim = hair_small * (
        1.0 - cv2.erode(hair_small, np.ones((3, 3), np.uint8), iterations=max(int(0.1 * d), 1))
    )
    rim *= 1.0 - masks.face
    rim_free = cv2.inpaint(small, (rim > 0.2).astype(np.uint8) * 255, max(0.05 * d, 3.0), cv2.INPAINT_TELEA)

    lab = _to_lab(aligned)
    lum = lab[..., 0]
    brow_free_lab = _to_lab(_up(brow_free, size))
    # Brow hairs are the pixels darker than the skin painted in under them.
    brow_hairs = _up(masks.brows, size) * np.clip((brow_free_lab[..., 0] - lum - 2.0) / 8.0, 0.0, 1.0)
    detail = lum - cv2.GaussianBlur(lum, (0, 0), max(0.012 * face.eye_distance, 1.0))
    up_masks = FaceMasks(
        *(
            _up(m, size)
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
        lab=lab,
        smooth_lab=_to_lab(_up(smooth_small, size)),
        brow_free_lab=brow_free_lab,
        hair_rim=_up(cv2.GaussianBlur(rim, (0, 0), max(0.03 * d, 1.0)), size),
        rim_free_lab=_to_lab(_up(rim_free, size)),
        brow_hairs=cv2.GaussianBlur(brow_hairs, (0, 0), 1.0),
        detail=detail,
        masks=up_masks,
        hair=_up(hair_small, size),
        strands=hair.strand_field(detail, face),
        wrinkle_layers=[_up(layer, size) for layer in layers],
        crepe=crepe,
        blotch=_up(tone.blotch_field(shape, sface, seed=31), size),
        spots=tuple(_up(s, size) for s in tone.spot_layers(shape, sface, masks.skin)),  # type: ignore[arg-type]
        cheeks=_up(tone.cheek_mask(shape, sface), size),
        face=face,
    )


def render(prep: Prepared, strength: Strength) -> np.ndarray:
    """One aged (or rejuvenated) face as uint8 HxWx3."""
    s, y = strength.older, strength.younger
    lab = prep.lab.copy()
    m = prep.masks
    if s > 0:
        L = lab[..., 0]
        skin_all = np.maximum(m.skin, m.neck)
        L += prep.detail * (0.9 * min(s, 1.0)) * skin_all  # the skin's own texture shows more
        shade = sum(
            wt * layer for wt, layer in zip(wrinkles.group_weights(s), prep.wrinkle_layers, strict=True)
        )
        shade = shade + prep.crepe * (0.06 * ramp(s, 0.1, 1.0))
        L *= 1.0 + shade
        tone.older_skin(lab, m.skin, prep.blotch, prep.spots, s)
        hair.thin(lab, prep.brow_free_lab, prep.brow_hairs, prep.strands, 0.55 * ramp(s, 0.3, 1.0))
        hair.thin(lab, prep.rim_free_lab, prep.hair_rim, prep.strands, 0.6 * ramp(s, 0.45, 1.1))
        hair.grey(lab, prep.hair, prep.strands, ramp(s, 0.05, 0.95))
        hair.grey(lab, prep.brow_hairs, prep.strands, 0.8 * ramp(s, 0.2, 1.0), lift=0.5, keep=0.3)
    if y > 0:
        tone.younger_skin(lab, prep.smooth_lab, m.skin, prep.cheeks, y)
        hair.darken(lab, np.maximum(prep.hair, 0.6 * prep.brow_hairs), y)
    rgb = cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
    out = np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return warp.apply(out, warp.age_field(out.shape[:2], prep.face, s, y))


class ClassicEngine:
    """Ages a face with landmark-guided image processing; no learned weights, deterministic."""

    name = "classic"

    def __init__(self, subject_age: float = 30, output_size: int = 1024, work_size: int = WORK_SIZE):
        if not 0 <= subject_age <= 100:
            raise ValueError(f"subject_age {subject_age} is outside 0-100")
        if not 64 <= int(output_size) <= 4096:
            raise ValueError(f"output_size {output_size} is outside 64-4096")
        self.subject_age = float(subject_age)
        self.output_size = int(output_size)
        self.work_size = int(work_size)

    @property
    def crop_size(self) -> int:
        """The aligned crops it ages are its output size (FaceEngine)."""
        return self.output_size

    def age(self, photo: Image.Image | bytes, ages=None, layout: str = "photo") -> AgingResult:
        """Every face in `photo` at each target age (engine/pipeline.py; NoFaceError without a face)."""
        return age_photo(self, photo, ages, layout)

    def age_faces(self, faces: Sequence[FaceCrop], ages: Sequence[int],
                  timings: dict[str, float] | None = None) -> list[list[np.ndarray]]:
        """FaceEngine: analyse each aligned face once, then render it at every age."""
        timings = {} if timings is None else timings
        aged = []
        for face in faces:
            mark = time.perf_counter()
            prep = prepare(face.image, face.landmarks, self.work_size)
            timings["prepare_s"] = timings.get("prepare_s", 0.0) + time.perf_counter() - mark
            mark = time.perf_counter()
            aged.append([render(prep, age_strength(age, self.subject_age)) for age in ages])
            timings["render_s"] = timings.get("render_s", 0.0) + time.perf_counter() - mark
        return aged
