"""What an engine returns: frame 0 (the photo, or the main face's aligned crop), then one frame per age.

Two layouts. `photo` (the default): every frame is the whole upright photo in its own aspect, frame 0 as
taken and each age with every face in it aged and pasted back. `aligned`: the seed's frames, the main
face's FFHQ crop and its aged crops. A photo-layout result keeps every face's aligned crops too (`faces`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from booth_core import wire

LAYOUTS = ("photo", "aligned")


@dataclass(frozen=True)
class AgedFrame:
    """One picture of the strip; `age` is None for frame 0."""

    age: int | None
    image: Image.Image


@dataclass(frozen=True)
class FaceResult:
    """One face of the photo: where it is (in frame-0 pixels) and its aligned crop at every age.

    box: (x0, y0, x1, y1) of the detection. quad: the FFHQ square's corners c-x-y, c-x+y, c+x+y, c+x-y.
    score: dlib's detection score. original: the aligned crop; frames: its aged crops, in the ages' order.
    """

    box: tuple[float, float, float, float]
    quad: np.ndarray
    score: float
    original: Image.Image
    frames: list[AgedFrame]

    def summary(self) -> dict:
        """box, quad and score as plain JSON numbers (pixels rounded to 0.1)."""
        return {"box": [round(float(v), 1) for v in self.box],
                "quad": [[round(float(x), 1), round(float(y), 1)] for x, y in self.quad],
                "score": round(float(self.score), 3)}


@dataclass
class AgingResult:
    """Frame 0, the frames in the order of the requested ages, and how long each step took.

    `faces` (largest first, `main_face` the index of the most confident large one) is empty only for
    results built by hand from frames alone.
    """

    original: Image.Image
    frames: list[AgedFrame]
    engine: str
    timings: dict[str, float] = field(default_factory=dict)
    layout: str = "aligned"
    faces: list[FaceResult] = field(default_factory=list)
    main_face: int = 0
    precision: str | None = None

    @property
    def ages(self) -> list[int]:
        return [frame.age for frame in self.frames]  # type: ignore[misc]

    def all_frames(self) -> list[AgedFrame]:
        """Frame 0 first, then the ages: the order of the wire strip and of result indices."""
        return [AgedFrame(None, self.original), *self.frames]

    def aligned(self) -> AgingResult:
        """The aligned layout of the same run: the main face's crop and its aged crops."""
        if self.layout == "aligned" or not self.faces:
            return self
        face = self.faces[self.main_face]
        return AgingResult(original=face.original, frames=list(face.frames), engine=self.engine,
                           timings=dict(self.timings), layout="aligned", faces=[face], main_face=0,
                           precision=self.precision)

    @property
    def frame_size(self) -> tuple[int, int]:
        """(width, height) of every frame on the wire."""
        return self.frames[0].image.size if self.frames else self.original.size

    def to_strip_array(self) -> np.ndarray:
        """The wire format's (H, W*(1+n), 3) uint8 array; frame 0 is resized to the frame size if needed
        (the aligned layout's 256 px crop next to SAM's 1024 px frames)."""
        size = self.frame_size
        arrays = []
        for frame in self.all_frames():
            image = frame.image.convert("RGB")
            if image.size != size:
                image = image.resize(size, Image.Resampling.LANCZOS)
            arrays.append(np.asarray(image, dtype=np.uint8))
        return wire.join_frames(arrays)

    def to_npy_bytes(self) -> bytes:
        return wire.encode_npy(self.to_strip_array())
