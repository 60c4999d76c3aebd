"""The classic engine's test set: real public-domain portraits (see tests/data/portraits/README.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

PORTRAITS = Path(__file__).resolve().parents[1] / "data" / "portraits"


def load_portrait(name: str) -> Image.Image:
    """One test portrait by name: the packages' astronaut and grace_hopper, or a file of tests/data/portraits."""
    if name == "astronaut":
        from skimage import data

        return Image.fromarray(data.astronaut()).convert("RGB")
    if name == "grace_hopper":
        import matplotlib.cbook

        with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as handle:
            return Image.open(handle).convert("RGB")
    return Image.open(PORTRAITS / f"{name}.jpg").convert("RGB")


def side_lit(photo: Image.Image) -> Image.Image:
    """The photo lit strongly from the picture's left: a made-up side light over a real face."""
    rgb = np.asarray(photo, dtype=np.float32)
    light = np.linspace(1.25, 0.35, rgb.shape[1], dtype=np.float32)[None, :, None]
    return Image.fromarray(np.clip(rgb * light, 0, 255).astype(np.uint8))


#: Every portrait of the set, with how old the sitter clearly looks (None: not a clear case).
TEST_SET = {
    "astronaut": "adult",
    "grace_hopper": "senior",
    "einstein": "senior",
    "biden": "senior",
    "obama": "adult",
}


@pytest.fixture(scope="session")
def aligned_set():
    """name -> (aligned 384 px crop as uint8 array, its landmarks), for every portrait of the set."""
    from inference_container.align import align_face_with_landmarks

    out = {}
    for name in TEST_SET:
        image, landmarks = align_face_with_landmarks(load_portrait(name), 384)
        out[name] = (np.asarray(image.convert("RGB"), dtype=np.uint8), landmarks)
    return out
