"""What an attendee takes home: an animated GIF, an H.264 MP4 and a 10x15 cm print layout.

Every frame keeps the photo's own aspect (frames may be the whole photo, not a square face crop).
Torch-free and Qt-free, so the job service (local and Lambda) and the kiosk share it.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from booth_core.render import _centred_text, frame_label, gif_sequence
from booth_core.result import AgedFrame, AgingResult

#: The animation's long side in pixels (a phone screen's width at 2x, and sharp on a laptop).
ANIMATION_LONG_SIDE = 512
SECONDS_PER_FRAME = 0.45
#: The MP4's frame rate; each age holds, then crossfades into the next over CROSSFADE_S.
VIDEO_FPS = 25
CROSSFADE_S = 0.2
#: 10x15 cm at 300 dpi (4x6 in, the size of dye-sublimation photo printers), portrait.
PRINT_DPI = 300
PRINT_SIZE_MM = (100.0, 150.0)
PRINT_SIZE_PX = (round(PRINT_SIZE_MM[0] / 25.4 * PRINT_DPI), round(PRINT_SIZE_MM[1] / 25.4 * PRINT_DPI))

CARD_BACKGROUND = (20, 20, 26)
CARD_TEXT = (245, 245, 245)
PAPER = (255, 255, 255)
INK = (28, 28, 34)
DIM_INK = (110, 110, 120)


def animation_cards(result: AgingResult, long_side: int = ANIMATION_LONG_SIDE) -> list[Image.Image]:
    """The frames of the animation, young -> old -> young, each with its age written in a band under it.

    All cards share one size: the first aged frame's aspect, its long side `long_side` (label band included).
    """
    sequence = gif_sequence(result, bounce=True)
    width, height = sequence[0].image.size
    band = max(24, long_side // 9) // 2 * 2
    scale = min(long_side / width, (long_side - band) / height)
    picture_size = (max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2))
    card_size = (picture_size[0], picture_size[1] + band)
    made: dict[int, Image.Image] = {}  # the way back repeats frames: make each card once
    for frame in sequence:
        if id(frame) in made:
            continue
        card = Image.new("RGB", card_size, CARD_BACKGROUND)
        card.paste(_contain(frame.image, picture_size, CARD_BACKGROUND), (0, 0))
        box = (0, picture_size[1], card_size[0], card_size[1])
        _centred_text(ImageDraw.Draw(card), box, frame_label(frame.age), band * 3 // 5, CARD_TEXT)
        made[id(frame)] = card
    return [made[id(frame)] for frame in sequence]


def _contain(image: Image.Image, size: tuple[int, int], fill) -> Image.Image:
    """`image` scaled to fit inside `size` without cropping, centred on `fill`."""
    image = image.convert("RGB")
    scale = min(size[0] / image.width, size[1] / image.height)
    scaled = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    if scaled == size:
        return image.resize(size, Image.Resampling.LANCZOS) if image.size != size else image
    canvas = Image.new("RGB", size, fill)
    canvas.paste(
        image.resize(scaled, Image.Resampling.LANCZOS),
        ((size[0] - scaled[0]) // 2, (size[1] - scaled[1]) // 2),
    )
    return canvas


def encode_gif(cards: list[Image.Image], seconds_per_frame: float = SECONDS_PER_FRAME) -> bytes:
    """An endlessly looping GIF with one palette for every frame.

    The palette is computed once from a subsample of all cards (so each age's colours are in it), and
    every frame is mapped onto it: one quantisation, not one per frame, and no per-frame colour tables.
    """
    if not cards:
        raise ValueError("an animation needs at least one frame")
    if seconds_per_frame <= 0:
        raise ValueError("seconds_per_frame must be positive")
    sample = np.concatenate([np.asarray(card)[::4, ::4] for card in cards], axis=0)
    palette = Image.fromarray(np.ascontiguousarray(sample)).quantize(256, method=Image.Quantize.MEDIANCUT)
    frames = [card.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG) for card in cards]
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=round(seconds_per_frame * 1000),
        loop=0,
        disposal=1,
        optimize=False,
    )
    return buffer.getvalue()


def render_gif(result: AgingResult, long_side: int = ANIMATION_LONG_SIDE) -> bytes:
    """The take-home GIF of a result."""
    return encode_gif(animation_cards(result, long_side))


def video_frame_count(
    card_count: int, seconds_per_frame: float = SECONDS_PER_FRAME, fps: int = VIDEO_FPS
) -> int:
    """How many video frames `encode_mp4` writes for `card_count` cards (one loop)."""
    return card_count * max(1, round(seconds_per_frame * fps))


def encode_mp4(
    cards: list[Image.Image], seconds_per_frame: float = SECONDS_PER_FRAME, fps: int = VIDEO_FPS
) -> bytes:
    """One loop of the animation as H.264 in MP4 (yuv420p, faststart: plays on every phone while it loads).

    Each card holds for `seconds_per_frame`, its last CROSSFADE_S blending into the next card.
    PyAV is imported here, so the rest of the module works where it is not installed (the Lambda zip).
    """
    if not cards:
        raise ValueError("a video needs at least one frame")
    per_card = max(1, round(seconds_per_frame * fps))
    fade = min(per_card - 1, round(CROSSFADE_S * fps))
    arrays = [np.asarray(card.convert("RGB"), dtype=np.float32) for card in cards]
    height, width = arrays[0].shape[:2]
    if width % 2 or height % 2:
        raise ValueError(f"H.264 needs even sides, got {width}x{height}")
    # faststart rewrites the file to put the index first, which needs a real file, not a buffer.
    with tempfile.TemporaryDirectory(prefix="tt-mp4-") as folder:
        path = Path(folder) / "animation.mp4"
        _write_mp4(path, arrays, per_card, fade, fps)
        return path.read_bytes()


def _write_mp4(path: Path, arrays: list[np.ndarray], per_card: int, fade: int, fps: int) -> None:
    import av

    height, width = arrays[0].shape[:2]
    with av.open(str(path), mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=Fraction(fps, 1))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"crf": "20", "preset": "veryfast", "tune": "stillimage"}
        for index, current in enumerate(arrays):
            following = arrays[(index + 1) % len(arrays)]
            for step in range(per_card):
                into_fade = step - (per_card - fade) + 1  # 1..fade during the crossfade, <= 0 before it
                weight = max(0, into_fade) / (fade + 1)
                pixels = current if weight <= 0 else current * (1 - weight) + following * weight
                frame = av.VideoFrame.from_ndarray(pixels.round().astype(np.uint8), format="rgb24")
                container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def render_mp4(result: AgingResult, long_side: int = ANIMATION_LONG_SIDE) -> bytes:
    """The take-home MP4 of a result."""
    return encode_mp4(animation_cards(result, long_side))


@dataclass(frozen=True)
class PrintOptions:
    """What staff may put on the print: an event caption on top, a logo at the bottom."""

    caption: str = ""
    logo: Image.Image | None = None
    footer: str = "Time Traveler"


def render_print(result: AgingResult, options: PrintOptions | None = None) -> Image.Image:
    """The 10x15 cm portrait print at 300 dpi: the photo large, the aged frames under it with their ages.

    Layout (px at 300 dpi, W=1181, H=1772): margin 59 (5 mm); caption band; the photo; a grid of aged
    frames (one row up to 3 ages, two rows beyond); labels under each; the logo and footer at the bottom.
    """
    options = options or PrintOptions()
    width, height = PRINT_SIZE_PX
    margin = round(5 / 25.4 * PRINT_DPI)
    gap = margin // 2
    page = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(page)
    inner = width - 2 * margin
    top = margin
    if options.caption:
        caption_h = 110
        _centred_text(draw, (margin, top, width - margin, top + caption_h), options.caption, 64, INK)
        top += caption_h + gap // 2
    footer_h = 130 if options.logo is not None else 60
    bottom = height - margin - footer_h
    aged = sorted(result.frames, key=lambda frame: frame.age)
    columns = min(3, max(1, len(aged))) if len(aged) <= 3 else (len(aged) + 1) // 2
    rows = 0 if not aged else -(-len(aged) // columns)
    label_h = 64
    cell_w = (inner - (columns - 1) * gap) // columns
    aspect = result.original.height / max(1, result.original.width)
    cell_h = round(cell_w * (aged[0].image.height / max(1, aged[0].image.width))) if aged else 0
    grid_h = rows * (cell_h + label_h) + max(0, rows - 1) * gap // 2
    photo_h = min(round(inner * aspect), bottom - top - grid_h - (gap if rows else 0) - label_h)
    if photo_h < inner // 3:  # very tall frames: shrink the grid cells rather than the photo
        cell_h = max(80, (bottom - top - inner // 2 - label_h - gap - rows * label_h) // max(1, rows))
        grid_h = rows * (cell_h + label_h) + max(0, rows - 1) * gap // 2
        photo_h = bottom - top - grid_h - gap - label_h
    _paste_contained(page, AgedFrame(None, result.original), (margin, top, width - margin, top + photo_h))
    _centred_text(
        draw, (margin, top + photo_h, width - margin, top + photo_h + label_h), "You now", 40, DIM_INK
    )
    top += photo_h + label_h + gap
    for position, frame in enumerate(aged):
        row, column = divmod(position, columns)
        in_row = min(columns, len(aged) - row * columns)
        row_left = margin + (inner - (in_row * cell_w + (in_row - 1) * gap)) // 2
        left = row_left + column * (cell_w + gap)
        cell_top = top + row * (cell_h + label_h + gap // 2)
        _paste_contained(page, frame, (left, cell_top, left + cell_w, cell_top + cell_h))
        band = (left, cell_top + cell_h, left + cell_w, cell_top + cell_h + label_h)
        _centred_text(draw, band, frame_label(frame.age), 44, INK)
    footer_top = height - margin - footer_h
    if options.logo is not None:
        logo = options.logo.convert("RGBA")
        logo.thumbnail((inner // 2, footer_h - 50), Image.Resampling.LANCZOS)
        page.paste(logo, ((width - logo.width) // 2, footer_top), logo)
        footer_top += footer_h - 50
    footer = f"{options.footer} · {result.engine} engine" if options.footer else f"{result.engine} engine"
    _centred_text(draw, (margin, footer_top, width - margin, height - margin), footer, 30, DIM_INK)
    return page


def _paste_contained(page: Image.Image, frame: AgedFrame, box: tuple[int, int, int, int]) -> None:
    size = (box[2] - box[0], box[3] - box[1])
    if size[0] > 0 and size[1] > 0:
        page.paste(_contain(frame.image, size, PAPER), box[:2])


def print_pdf_bytes(page: Image.Image) -> bytes:
    """The print layout as a one-page PDF at its physical size (for staff who check the layout)."""
    buffer = io.BytesIO()
    page.convert("RGB").save(buffer, format="PDF", resolution=PRINT_DPI)
    return buffer.getvalue()


__all__ = [
    "ANIMATION_LONG_SIDE",
    "PRINT_SIZE_PX",
    "PrintOptions",
    "animation_cards",
    "encode_gif",
    "encode_mp4",
    "render_gif",
    "render_mp4",
    "render_print",
    "video_frame_count",
]
