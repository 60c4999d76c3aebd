"""Shared fixtures: real portraits that installed packages ship (no downloads), and an offscreen Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never download: a local service on `--engine auto` would fetch SAM's weights from Google Drive.
# Port 9 (discard) refuses at once, so such a service stays on classic; tests of the download serve their own.
os.environ["TIME_TRAVELER_WEIGHTS_URL"] = "http://127.0.0.1:9/tests-never-download"

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope="session")
def astronaut() -> Image.Image:
    """scikit-image's astronaut (Eileen Collins), 512x512 RGB, public domain."""
    from skimage import data

    return Image.fromarray(data.astronaut()).convert("RGB")


@pytest.fixture(scope="session")
def grace_hopper() -> Image.Image:
    """matplotlib's sample portrait of Grace Hopper, 512x600 RGB, public domain."""
    import matplotlib.cbook

    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as handle:
        return Image.open(handle).convert("RGB")


@pytest.fixture(scope="session")
def faceless() -> Image.Image:
    """A smooth gradient with no face in it."""
    ramp = np.linspace(0, 255, 256, dtype=np.uint8)
    return Image.fromarray(np.dstack([np.tile(ramp, (256, 1))] * 3))


def image_bytes(image: Image.Image, fmt: str = "JPEG") -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def astronaut_jpeg(astronaut) -> bytes:
    return image_bytes(astronaut, "JPEG")
