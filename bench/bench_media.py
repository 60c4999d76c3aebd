"""Time the take-home media on this machine: GIF (shared palette) against the old per-frame-palette GIF,
the MP4 and the print layout, for one result of four ages at the engine's 1024 px frames.

    .venv/bin/python bench/bench_media.py [--repeats 5]

Frames are the public-domain portraits scikit-image and matplotlib ship, tinted per age (the encoders
do not care what the faces look like; only sizes and colours matter). Everything runs in one process,
alternating the old and the new encoder; medians after one warm-up. The last line is the summary.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time

import numpy as np
from PIL import Image

from booth_core import media, render
from booth_core.result import AgedFrame, AgingResult

AGES = (25, 35, 55, 75)


def results() -> dict[str, AgingResult]:
    import matplotlib.cbook
    from skimage import data

    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as handle:
        hopper = Image.open(handle).convert("RGB")
    photos = {"astronaut": Image.fromarray(data.astronaut()).convert("RGB"), "grace_hopper": hopper}
    made = {}
    for name, photo in photos.items():
        big = photo.resize((1024, round(1024 * photo.height / photo.width)), Image.Resampling.LANCZOS)
        pixels = np.asarray(big, dtype=np.float32)
        frames = [
            AgedFrame(age, Image.fromarray((pixels * (0.5 + age / 150)).clip(0, 255).astype(np.uint8)))
            for age in AGES
        ]
        made[name] = AgingResult(big, frames, "classic")
    return made


def timed(call) -> tuple[float, object]:
    start = time.perf_counter()
    value = call()
    return time.perf_counter() - start, value


def old_gif(result: AgingResult) -> bytes:
    """The booth's GIF before: 256 px square cards, Pillow choosing a palette per frame."""
    buffer = io.BytesIO()
    render.render_gif(result, buffer, frame_size=256)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"cpus={os.cpu_count()}  repeats={args.repeats}  ages={AGES}")
    ratios = []
    for name, result in results().items():
        jobs = {
            "old_gif": lambda result=result: old_gif(result),
            "gif": lambda result=result: media.render_gif(result),
            "mp4": lambda result=result: media.render_mp4(result),
            "print": lambda result=result: media.print_pdf_bytes(media.render_print(result)),
        }
        runs = {"old_gif": [], "gif": [], "mp4": [], "print": []}
        sizes = {}
        for repeat in range(args.repeats + 1):
            measured = {key: timed(job) for key, job in jobs.items()}
            if repeat == 0:
                continue  # warm-up: fonts, codecs
            for key, (seconds, data) in measured.items():
                runs[key].append(seconds)
                sizes[key] = len(data)
        medians = {key: statistics.median(values) for key, values in runs.items()}
        old_px = Image.open(io.BytesIO(old_gif(result))).size
        new_px = Image.open(io.BytesIO(media.render_gif(result))).size
        pixel_ratio = (new_px[0] * new_px[1]) / (old_px[0] * old_px[1])
        ratios.append(medians["old_gif"] / medians["gif"] * pixel_ratio)
        print(
            f"\n{name}: old GIF {old_px[0]}x{old_px[1]}, new GIF {new_px[0]}x{new_px[1]} ({pixel_ratio:.2f}x the pixels)"
        )
        for key, seconds in medians.items():
            print(
                f"  {key:8s} median {seconds * 1000:7.1f} ms   fastest {min(runs[key]) * 1000:7.1f} ms   {sizes[key] / 1024:7.0f} KB"
            )
        print(
            f"  new GIF vs old: {medians['old_gif'] / medians['gif']:.2f}x the speed with {pixel_ratio:.2f}x the pixels"
        )
    print(f"\nsummary: gif_pixels_per_second_vs_old={statistics.mean(ratios):.2f}")


if __name__ == "__main__":
    main()
