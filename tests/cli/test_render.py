"""The strip and the GIF people see: every frame in place, labelled, in the right order."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from booth_core.render import frame_label, gif_sequence, render_strip
from booth_core.result import AgedFrame, AgingResult


def solid(colour: tuple[int, int, int], size: int = 64) -> Image.Image:
    return Image.new("RGB", (size, size), colour)


@pytest.fixture
def result() -> AgingResult:
    # requested out of order on purpose: the strip keeps the request order, the GIF goes young -> old
    frames = [
        AgedFrame(75, solid((200, 0, 0))),
        AgedFrame(25, solid((0, 200, 0))),
        AgedFrame(50, solid((0, 0, 200))),
    ]
    return AgingResult(solid((128, 128, 128), 96), frames, engine="classic")


def test_labels():
    assert frame_label(None) == "You" and frame_label(7) == "Age 7"


def test_strip_places_each_frame_with_a_label_under_it(result):
    size = 128
    strip = render_strip(result, frame_size=size)
    gap = size // 16
    assert strip.mode == "RGB"
    assert strip.width == 4 * size + 5 * gap and strip.height > size + 2 * gap
    pixels = np.asarray(strip, dtype=int)
    colours = [(128, 128, 128), (200, 0, 0), (0, 200, 0), (0, 0, 200)]
    for index, colour in enumerate(colours):
        left = gap + index * (size + gap)
        face = pixels[gap + 4 : gap + size - 4, left + 4 : left + size - 4]
        assert np.abs(face - colour).max() <= 2, index
        label = pixels[gap + size : gap + size + size // 5, left : left + size]
        assert (label.min(axis=2) > 200).sum() > 30, f"no label text under frame {index}"
    footer = pixels[gap + size + size // 5 :, -size:]
    assert (footer.max(axis=2) > 100).sum() > 10, "engine name missing"


def test_labels_differ_between_frames(result):
    strip = np.asarray(render_strip(result, frame_size=96), dtype=int)
    gap, band = 96 // 16, 96 // 5
    bands = [
        strip[gap + 96 : gap + 96 + band, gap + i * (96 + gap) : gap + i * (96 + gap) + 96] for i in range(4)
    ]
    assert not np.array_equal(bands[0], bands[1]) and not np.array_equal(bands[1], bands[2])


def test_gif_bounces_young_old_young(result):
    assert [frame.age for frame in gif_sequence(result)] == [25, 50, 75, 50]
    assert [frame.age for frame in gif_sequence(result, bounce=False)] == [25, 50, 75]
