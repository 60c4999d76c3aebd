"""One photo through any face engine: find every face, age them all in one call, paste them back.

`age_photo(engine, photo, ages, layout)` is what each engine's `age()` runs, so that SAM and classic
find, align and compose faces the same way; only `engine.age_faces` differs.
"""

from __future__ import annotations

import time

import cv2
import numpy as np
from PIL import Image

from booth_core.ages import DEFAULT_AGES, validate_ages
from booth_core.limits import PHOTO_FRAME_MAX_SIDE
from booth_core.photo import load_photo
from booth_core.result import LAYOUTS, AgedFrame, AgingResult, FaceResult
from booth_core.sitter import parse_sitter
from inference_container.engine.compose import Compositor
from inference_container.engine.faces import FaceEngine, find_faces


def check_layout(layout: str) -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose {' or '.join(LAYOUTS)}")
    return layout


def age_photo(engine: FaceEngine, photo: Image.Image | bytes | str, ages=None, layout: str = "photo",
              sitter: str | None = None) -> AgingResult:
    """Age every face of `photo` (photo layout) or only the main one (aligned layout). `sitter` is what
    the attendee said is in the photo (booth_core.sitter): it is told of the main face, the one the booth
    framed, since the answer is about that person. The result's `precision` is the engine's `precision`
    attribute after the run (None for engines without one).

    NoFaceError without a face, BadImageError for an undecodable photo.
    """
    ages = list(validate_ages(DEFAULT_AGES if ages is None else ages))
    check_layout(layout)
    sitter = parse_sitter(sitter)
    start = time.perf_counter()
    image = load_photo(photo)
    crops, main = find_faces(image, engine.crop_size)
    if layout == "aligned":
        crops, main = [crops[main]], 0
    timings = {"align_s": time.perf_counter() - start}
    sitters = [sitter if i == main else None for i in range(len(crops))]
    aged = engine.age_faces(crops, ages, timings, sitters)
    if aged[main].apparent_age is not None:
        timings["apparent_age"] = aged[main].apparent_age  # the face the booth framed, whom `sitter` is about

    mark = time.perf_counter()
    frame = image
    if layout == "photo" and max(image.size) > PHOTO_FRAME_MAX_SIDE:
        shrink = PHOTO_FRAME_MAX_SIDE / max(image.size)
        size = (max(1, round(image.width * shrink)), max(1, round(image.height * shrink)))
        frame = Image.fromarray(cv2.resize(np.asarray(image), size, interpolation=cv2.INTER_AREA))
    scale = frame.width / image.width  # frame-0 pixels per photo pixel
    faces = [FaceResult(box=tuple(scale * v for v in (c.box.left, c.box.top, c.box.right, c.box.bottom)),
                        quad=(c.quad + 0.5) * scale - 0.5, score=c.box.score, original=Image.fromarray(c.image),
                        frames=[AgedFrame(age, Image.fromarray(a)) for age, a in zip(face.ages, face.frames, strict=True)])
             for c, face in zip(crops, aged, strict=True)]
    if layout == "aligned":
        original, frames = faces[0].original, list(faces[0].frames)
    else:
        # Each frame of the photo carries the age its main face shows (the person the booth framed).
        compositor = Compositor(np.asarray(frame, dtype=np.uint8), crops, scale)
        original = frame
        frames = [AgedFrame(age, Image.fromarray(compositor.compose([face.frames[j] for face in aged])))
                  for j, age in enumerate(aged[main].ages)]
    timings["compose_s"] = time.perf_counter() - mark
    timings["total_s"] = time.perf_counter() - start
    return AgingResult(original=original, frames=frames, engine=engine.name, timings=timings, layout=layout,
                       faces=faces, main_face=main,
                       precision=getattr(engine, "precision", None))
