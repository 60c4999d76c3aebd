"""Time the classic engine: one face, four ages, 1024 px, on this machine's CPU; draw its pictures.

    .venv/bin/python bench/bench_classic.py                 # timings (median of --repeats runs)
    .venv/bin/python bench/bench_classic.py --sample-strip assets/sample_strip_classic.jpg \\
        --contact-sheet assets/contact_sheet_classic.jpg    # also write the pictures

The first run of a process also loads dlib's landmark model and the donor faces; it is reported
apart ("cold"). The photos are the classic engine's test set and the variants made from it
(tests/classic/conftest.py; tests/data/portraits/README.md says where each portrait comes from:
packages, no download).
CPU timings move with whatever else runs on the machine: repeat and read the median; the load
average is printed beside them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from booth_core.ages import DEFAULT_AGES  # noqa: E402
from inference_container.classic import ClassicEngine  # noqa: E402
from inference_container.cpu import describe_cpu  # noqa: E402
from tests.classic.conftest import DERIVED, TEST_SET, load_derived, load_portrait, made_up_group  # noqa: E402

SHEET_AGES = (5, 15, 30, 45, 60, 75, 95)
STRIP_AGES = (10, 40, 60, 75, 90)
#: The target for one face and four ages at 1024 px on the 2-core CI machine, warm.
BUDGET_S = 3.0


def portraits() -> dict[str, Image.Image]:
    """The test set and the variants made from it (tests/classic/conftest.py), in its order."""
    photos = {name: load_portrait(name) for name in TEST_SET}
    photos.update({name: load_derived(name) for name in DERIVED})
    return photos


def group_photo(photos: dict[str, Image.Image]) -> Image.Image:
    """The astronaut and Obama side by side on grey: a two-person photo for the photo layout's strip (an
    adult woman and a greying man, neither in a hat, which the engine would grey like hair)."""
    return made_up_group([photos["astronaut"], photos["obama"]])


def contact_sheet(engine: ClassicEngine, photos: dict[str, Image.Image], cell: int = 192) -> Image.Image:
    """Each portrait in a row: the aligned original, then SHEET_AGES, labelled with the apparent age."""
    label = 22
    sheet = Image.new("RGB", ((len(SHEET_AGES) + 1) * cell, len(photos) * (cell + label)), (20, 20, 26))
    draw = ImageDraw.Draw(sheet)
    for row, (name, photo) in enumerate(photos.items()):
        result = engine.age(photo, SHEET_AGES, layout="aligned")
        top = row * (cell + label)
        for col, frame in enumerate(result.all_frames()):
            sheet.paste(frame.image.resize((cell, cell), Image.Resampling.LANCZOS), (col * cell, top))
            text = (
                f"{name} (looks {result.timings['apparent_age']:.0f})"
                if frame.age is None
                else f"Age {frame.age}"
            )
            draw.text((col * cell + 6, top + cell + 5), text, fill=(240, 240, 240))
    return sheet


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=1024, help="output size in pixels (default 1024)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per portrait (default 5)")
    parser.add_argument(
        "--only", default="astronaut,obama", help="portraits to time (default astronaut,obama)"
    )
    parser.add_argument("--sample-strip", type=Path, help="write a labelled photo-layout strip of two portraits as one photo")
    parser.add_argument("--contact-sheet", type=Path, help="write the whole set across ages 5-95 here")
    args = parser.parse_args()

    print(f"machine: {describe_cpu()}")
    engine = ClassicEngine(output_size=args.size)
    photos = portraits()
    start = time.perf_counter()
    engine.age(photos["astronaut"], DEFAULT_AGES)
    print(f"cold (loads the landmark model and donors): {time.perf_counter() - start:.2f} s")
    for name in args.only.split(","):
        photo = photos[name]
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
            f"({median / BUDGET_S:.2f} of the {BUDGET_S:.0f} s budget; min {min(totals):.2f}, max {max(totals):.2f}); "
            + ", ".join(f"{key[:-2]} {value:.2f} s" for key, value in split.items())
            + f"; apparent age {parts[-1]['apparent_age']:.0f}; load average {os.getloadavg()[0]:.1f}"
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
