"""Turn an AgingResult into pictures people see: a labelled strip, and the young-old-young frame order.

Torch-free, so the CLI, the kiosk app and the classic engine's contact sheets all share it.
"""

from __future__ import annotations

import functools

from PIL import Image, ImageDraw, ImageFont

from booth_core.result import AgedFrame, AgingResult

BACKGROUND = (20, 20, 26)
TEXT = (245, 245, 245)
DIM_TEXT = (150, 150, 160)


def frame_label(age: int | None) -> str:
    """The words under a frame: "You" for frame 0 (the photo or its aligned face), else "Age 25"."""
    return "You" if age is None else f"Age {age}"


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled scalable font: no files to ship, works offline."""
    return ImageFont.load_default(size=size)


def _centred_text(
    draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], text: str, size: int, fill
) -> None:
    font = _font(size)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x = box[0] + (box[2] - box[0] - (right - left)) / 2 - left
    y = box[1] + (box[3] - box[1] - (bottom - top)) / 2 - top
    draw.text((x, y), text, font=font, fill=fill)


def _fit(image: Image.Image, size: int) -> Image.Image:
    """The frame `size` pixels high in its own aspect (square crops stay square, photos keep theirs)."""
    image = image.convert("RGB")
    width = max(1, round(image.width * size / image.height))
    return image if image.size == (width, size) else image.resize((width, size), Image.Resampling.LANCZOS)


def _layout(frame_size: int) -> tuple[int, int, int]:
    """(gap between frames, label band height, footer height) for a frame size."""
    return max(4, frame_size // 16), max(16, frame_size // 5), max(12, frame_size // 10)


def render_strip(result: AgingResult, frame_size: int = 256) -> Image.Image:
    """Frame 0 then each age side by side, `frame_size` high in their own aspect, a label under each, the
    engine's name small at the end."""
    frames = [_fit(frame.image, frame_size) for frame in result.all_frames()]
    gap, label_height, footer = _layout(frame_size)
    width = sum(image.width for image in frames) + (len(frames) + 1) * gap
    height = gap + frame_size + label_height + footer
    strip = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(strip)
    left = gap
    for image, frame in zip(frames, result.all_frames(), strict=True):
        strip.paste(image, (left, gap))
        band = (left, gap + frame_size, left + image.width, gap + frame_size + label_height)
        left += image.width + gap
        _centred_text(draw, band, frame_label(frame.age), max(10, label_height * 11 // 20), TEXT)
    engine_text = f"{result.engine} engine"
    font = _font(max(8, footer * 3 // 5))
    text_width = draw.textlength(engine_text, font=font)
    draw.text((width - gap - text_width, height - footer), engine_text, font=font, fill=DIM_TEXT)
    return strip


def gif_sequence(result: AgingResult, bounce: bool = True) -> list[AgedFrame]:
    """Aged frames from youngest to oldest (and back when bouncing); the original alone if there are none."""
    frames = sorted(result.frames, key=lambda frame: frame.age)
    if not frames:
        return [AgedFrame(None, result.original)]
    return frames + frames[-2:0:-1] if bounce else frames
