"""Time the classic engine: one photo, four ages, 1024 px, on this machine's CPU.

    .venv/bin/python bench/bench_classic.py                 # timings (median of --repeats runs)
    .venv/bin/python bench/bench_classic.py --sample-strip assets/sample_strip_classic.jpg \\
        --contact-sheet assets/contact_sheet_classic.jpg    # also write the pictures

The first run of a process also loads dlib's landmark model; it is reported apart ("cold").
The test photos are the public-domain portraits scikit-image and matplotlib ship (no download).
CPU timings move with whatever else runs on the machine: repeat and read the median.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from PIL import Image, ImageDraw

from booth_core.ages import DEFAULT_AGES
from inference_container.classic import ClassicEngine

SHEET_AGES = (5, 15, 30, 45, 60, 75, 95)
STRIP_AGES = (10, 45, 80)


def portraits() -> dict[str, Image.Image]:
    import matplotlib.cbook
    from skimage import data

    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as handle:
        hopper = Image.open(handle).convert("RGB")
    return {"astronaut": Image.fromarray(data.astronaut()).convert("RGB"), "grace_hopper": hopper}


def group_photo(photos: dict[str, Image.Image]) -> Image.Image:
    """The two portraits side by side on grey: a two-person photo for the photo layout's sample strip."""
    group = Image.new("RGB", (1044, 600), (128, 128, 128))
    group.paste(photos["astronaut"], (0, 44))
    group.paste(photos["grace_hopper"], (532, 0))
    return group


def contact_sheet(engine: ClassicEngine, photos: dict[str, Image.Image], cell: int = 256) -> Image.Image:
    """Each portrait in a row: the aligned original, then SHEET_AGES, labelled."""
    from booth_core.render import frame_label

    label = 24
    sheet = Image.new("RGB", ((len(SHEET_AGES) + 1) * cell, len(photos) * (cell + label)), (20, 20, 26))
    draw = ImageDraw.Draw(sheet)
    for row, photo in enumerate(photos.values()):
        result = engine.age(photo, SHEET_AGES, layout="aligned")
        for col, frame in enumerate(result.all_frames()):
            top = row * (cell + label)
            sheet.paste(frame.image.resize((cell, cell), Image.Resampling.LANCZOS), (col * cell, top))
            draw.text((col * cell + 8, top + cell + 5), frame_label(frame.age), fill=(240, 240, 240))
    return sheet


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=1024, help="output size in pixels (default 1024)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per portrait (default 5)")
    parser.add_argument("--sample-strip", type=Path, help="write a labelled strip of both portraits as one photo")
    parser.add_argument("--contact-sheet", type=Path, help="write both portraits across ages 5-95 here")
    args = parser.parse_args()

    engine = ClassicEngine(output_size=args.size)
    photos = portraits()
    start = time.perf_counter()
    engine.age(photos["astronaut"], DEFAULT_AGES)
    print(f"cold (loads the landmark model): {time.perf_counter() - start:.2f} s")
    for name, photo in photos.items():
        totals, parts = [], []
        for _ in range(args.repeats):
            result = engine.age(photo, DEFAULT_AGES)
            totals.append(result.timings["total_s"])
            parts.append(result.timings)
        median = statistics.median(totals)
        split = {
            key: statistics.median(p[key] for p in parts) for key in ("align_s", "prepare_s", "render_s")
        }
        print(
            f"{name}: {len(DEFAULT_AGES)} ages at {args.size}px: median {median:.2f} s "
            f"(min {min(totals):.2f}, max {max(totals):.2f}); "
            + ", ".join(f"{key[:-2]} {value:.2f} s" for key, value in split.items())
        )
    if args.sample_strip:
        from booth_core.render import render_strip

        strip = render_strip(engine.age(group_photo(photos), STRIP_AGES), frame_size=256)
        strip.save(args.sample_strip, quality=90)
        print(f"wrote {args.sample_strip}")
    if args.contact_sheet:
        contact_sheet(engine, photos).save(args.contact_sheet, quality=88)
        print(f"wrote {args.contact_sheet}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
