"""The classic engine's test set: real public-domain portraits (see tests/data/portraits/README.md),
the variants made from them, and a made-up group photo of them. The tests and bench/bench_classic.py
both take the set from here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

DATA = Path(__file__).resolve().parents[1] / "data"
PORTRAITS = DATA / "portraits"


def load_portrait(name: str) -> Image.Image:
    """One test portrait by name: the packages' astronaut and grace_hopper, or a file of tests/data/portraits
    (copied from package sources: PyPI sdists and Debian packages, see its README)."""
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


def greyscale(photo: Image.Image) -> Image.Image:
    """The photo in black and white, still as RGB (R = G = B)."""
    return photo.convert("L").convert("RGB")


def is_greyscale(photo: Image.Image) -> bool:
    rgb = np.asarray(photo.convert("RGB"))
    return bool(np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 1], rgb[..., 2]))


def made_up_group(photos: list[Image.Image], gap: int = 20) -> Image.Image:
    """The photos side by side on grey, bottoms aligned: a group photo made from single portraits
    (no real group photo with a known licence ships in a package)."""
    width = sum(p.width for p in photos) + gap * (len(photos) - 1)
    group = Image.new("RGB", (width, max(p.height for p in photos)), (128, 128, 128))
    left = 0
    for photo in photos:
        group.paste(photo, (left, group.height - photo.height))
        left += photo.width + gap
    return group


#: Every portrait of the set, with how old the sitter clearly looks (None: not a clear case).
TEST_SET = {
    "astronaut": "adult",
    "grace_hopper": "senior",
    "einstein": "senior",
    "biden": "senior",
    "obama": "adult",
    "obama_speaking": "adult",
    "obama_blue_room": "adult",
    "curie": None,  # about 53, looks 55-65: on the adult/senior line
    "giunchedi": "adult",
    "henner": "adult",
    "paumier": "adult",
    "pedersen": "adult",
    "young_man_spiky_hair": "adult",
    "dahlgren": "senior",
    "andersson": "senior",
    "blond_girl": "child",
}

#: Clear cases the apparent age still gets wrong (docs/classic.md says why): the band test expects them to fail.
MISJUDGED = {
    "pedersen": "reads about 56: flash-lit skin with an open mouth counts as creases",
    "blond_girl": "reads about 26: smooth skin, and nose to chin as long as an adult's, so no cue says child",
}

GROUPS = DATA / "groups"
#: Real group photos (tests/data/portraits/README.md says where they come from): name -> faces in it.
REAL_GROUPS = {"three_men": 3, "couple_at_a_bar": 2}


def load_group(name: str) -> Image.Image:
    """One real group photo of tests/data/groups by name, whole."""
    return Image.open(GROUPS / f"{name}.jpg").convert("RGB")

#: Variants made from the set's photos: name -> (portrait, how it is made).
DERIVED = {
    "obama, side-lit": ("obama", side_lit),
    "astronaut, greyscale": ("astronaut", greyscale),
}

#: The made-up group photo's sitters, left to right: three ages, two skin tones, one greyscale photo.
GROUP = ("curie", "obama_speaking", "astronaut")


def load_derived(name: str) -> Image.Image:
    portrait, make = DERIVED[name]
    return make(load_portrait(portrait))


@pytest.fixture(scope="session")
def aligned_set():
    """name -> (aligned 384 px crop as uint8 array, its landmarks), for every portrait of the set."""
    from inference_container.align import align_face_with_landmarks

    out = {}
    for name in TEST_SET:
        image, landmarks = align_face_with_landmarks(load_portrait(name), 384)
        out[name] = (np.asarray(image.convert("RGB"), dtype=np.uint8), landmarks)
    return out
