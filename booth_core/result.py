"""What an engine returns: the aligned original and one frame per target age."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from booth_core import wire


@dataclass(frozen=True)
class AgedFrame:
    """One picture of the strip; `age` is None for the aligned original."""

    age: int | None
    image: Image.Image


@dataclass
class AgingResult:
    """The aligned original, the frames in the order of the requested ages, and how long each step took."""

    original: Image.Image
    frames: list[AgedFrame]
    engine: str
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ages(self) -> list[int]:
        return [frame.age for frame in self.frames]  # type: ignore[misc]

    def all_frames(self) -> list[AgedFrame]:
        """The original first, then the ages: the order of the wire strip and of result indices."""
        return [AgedFrame(None, self.original), *self.frames]

    def to_strip_array(self) -> np.ndarray:
        """The wire format's (H, W*(1+n), 3) uint8 array; the original is resized to the frame size."""
        size = self.frames[0].image.size if self.frames else self.original.size
        arrays = []
        for frame in self.all_frames():
            image = frame.image.convert("RGB")
            if image.size != size:
                image = image.resize(size, Image.Resampling.LANCZOS)
            arrays.append(np.asarray(image, dtype=np.uint8))
        return wire.join_frames(arrays)

    def to_npy_bytes(self) -> bytes:
        return wire.encode_npy(self.to_strip_array())
