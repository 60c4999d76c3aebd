"""The take-home media: GIF and MP4 decode with the right frame count and size, in the photo's own aspect;
the print layout is 10x15 cm at 300 dpi. Photos: scikit-image's astronaut and matplotlib's Grace Hopper
(public domain, shipped with the packages)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from booth_core import media
from booth_core.result import AgedFrame, AgingResult


def _result(photo: Image.Image, ages=(25, 35, 55, 75)) -> AgingResult:
    # Each "aged" frame is tinted differently, so frames are told apart after encoding.
    frames = [
        AgedFrame(age, Image.fromarray((np.asarray(photo) * (0.4 + age / 125)).clip(0, 255).astype(np.uint8)))
        for age in ages
    ]
    return AgingResult(photo, frames, "classic")


@pytest.fixture(params=["astronaut", "grace_hopper", "wide"])
def photo(request, astronaut, grace_hopper) -> Image.Image:
    if request.param == "wide":
        return astronaut.resize((900, 506))  # a landscape whole-photo frame
    return {"astronaut": astronaut, "grace_hopper": grace_hopper}[request.param]


def test_gif_is_young_old_young_at_512_px_with_one_palette(photo):
    result = _result(photo)
    gif = Image.open(io.BytesIO(media.render_gif(result)))
    assert gif.format == "GIF" and gif.info["loop"] == 0
    assert max(gif.size) == media.ANIMATION_LONG_SIDE
    assert gif.n_frames == 6  # 25, 35, 55, 75, 55, 35
    frame_aspect = (gif.size[0]) / (gif.size[1] - media.ANIMATION_LONG_SIDE // 9 // 2 * 2)
    assert abs(frame_aspect - photo.width / photo.height) < 0.03  # the photo's own aspect, not a square
    palettes = set()
    means = []
    for index in range(gif.n_frames):
        gif.seek(index)
        palettes.add(bytes(gif.palette.palette) if gif.palette else None)
        means.append(float(np.asarray(gif.convert("RGB")).mean()))
    assert len(palettes) == 1  # one shared palette, no per-frame tables
    assert (
        means[1] > means[0] and means[3] > means[2] and abs(means[5] - means[1]) < 1
    )  # young -> old -> young


def test_mp4_is_h264_with_the_expected_frames(photo):
    av = pytest.importorskip("av")
    result = _result(photo)
    cards = media.animation_cards(result)
    data = media.encode_mp4(cards)
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        decoded = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    assert len(decoded) == media.video_frame_count(len(cards))
    assert decoded[0].shape[:2] == (cards[0].height, cards[0].width)
    assert abs(decoded[0].astype(float).mean() - np.asarray(cards[0]).mean()) < 6  # the first card, held


def test_print_layout_is_10x15_cm_at_300_dpi(photo):
    logo = Image.new("RGBA", (400, 120), (255, 0, 255, 255))  # magenta: in no photo
    page = media.render_print(_result(photo), media.PrintOptions(caption="Acme Summit 2026", logo=logo))
    assert page.size == media.PRINT_SIZE_PX == (1181, 1772)
    pixels = np.asarray(page)
    assert (pixels[:20] == 255).all()  # a white margin on top
    magenta = (pixels[..., 0] == 255) & (pixels[..., 1] == 0) & (pixels[..., 2] == 255)
    assert magenta.sum() > 10_000 and magenta[: page.height * 3 // 4].sum() == 0  # the logo, at the bottom
    pdf = media.print_pdf_bytes(page)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") == 1


def test_empty_input_is_refused_clearly():
    with pytest.raises(ValueError, match="at least one frame"):
        media.encode_gif([])
    with pytest.raises(ValueError, match="positive"):
        media.encode_gif([Image.new("RGB", (4, 4))], seconds_per_frame=0)
