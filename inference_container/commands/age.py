"""`time-traveler age PHOTO -o STRIP.jpg`: age every face of one photo from the command line, show the timings.

`--layout photo` (default): frames are the whole photo with every face aged; `aligned`: the main face's
crops. `--frames-dir DIR` writes 0.png .. n.png; `--report REPORT.json` writes what ran and where the faces are.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from booth_core.ages import DEFAULT_AGES, parse_ages
from booth_core.errors import TimeTravelerError, WeightsError
from booth_core.sitter import SITTERS
from inference_container.commands.messages import one_line_errors
from inference_container.engine.registry import AUTO, engine_choices


def _ages(text: str) -> tuple[int, ...]:
    try:
        return parse_ages(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("photo", metavar="PHOTO", help="a JPEG or PNG photo with a face")
    parser.add_argument(
        "--ages",
        type=_ages,
        default=DEFAULT_AGES,
        help="comma-separated target ages 0-100 (default: 25,35,55,75)",
    )
    parser.add_argument(
        "--engine", choices=engine_choices(), default=AUTO, help="auto = the best engine that can run here"
    )
    parser.add_argument("--weights", help="SAM checkpoint (default: $TIME_TRAVELER_WEIGHTS, then the cache)")
    parser.add_argument(
        "--device", help="torch device for sam, e.g. cpu or cuda (default: cuda when present)"
    )
    parser.add_argument("--precision", default="auto", help="sam precision, e.g. auto, fp32, fp16, bf16")
    parser.add_argument("--layout", choices=("photo", "aligned"), default="photo",
                        help="photo: the whole photo with every face aged (default); aligned: the main face's crops")
    parser.add_argument("--sitter", choices=SITTERS, default=None,
                        help="who is in the photo, for the classic engine's age judgement (default: it judges)")
    parser.add_argument("-o", "--output", metavar="STRIP.jpg", help="where to write the strip")
    parser.add_argument("--frames-dir", metavar="DIR", help="also write each frame as DIR/0.png .. DIR/n.png")
    parser.add_argument("--report", metavar="REPORT.json", help="write engine, precision, ages, timings, faces")
    parser.add_argument("--gif", metavar="OUT.gif", help="also write a young-old-young animation")
    parser.add_argument("--frame-size", type=int, default=256, help="pixels per frame in the strip")


def _engine_name(args: argparse.Namespace) -> str:
    """Resolve `auto` and fail early, in words, when SAM weights are missing."""
    from inference_container.engine import resolve_engine_name
    from inference_container.weights import find_weights

    if args.weights and not Path(args.weights).is_file():
        raise WeightsError(f"No weights file at {args.weights}.")
    name = resolve_engine_name(args.engine, args.weights)
    if name == "sam" and find_weights(args.weights) is None:
        raise WeightsError(
            "No SAM weights found: run `time-traveler weights download` or pass --weights PATH."
        )
    return name


def _save(image, path: str) -> None:
    options = {"quality": 92} if Path(path).suffix.lower() in (".jpg", ".jpeg") else {}
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        image.save(path, **options)
    except (OSError, ValueError) as exc:
        raise TimeTravelerError(f"Could not write {path}: {exc}") from exc


def run(args: argparse.Namespace) -> int:
    with one_line_errors():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from booth_core.photo import load_photo
    from booth_core.render import render_strip
    from inference_container.engine import load_engine

    if args.frame_size < 32 or args.frame_size > 1024:
        raise TimeTravelerError("--frame-size must be between 32 and 1024.")
    if args.gif and Path(args.gif).suffix.lower() != ".gif":
        raise TimeTravelerError(f"--gif wants a .gif file name, not {args.gif}.")
    if not (args.output or args.frames_dir or args.gif or args.report):
        raise TimeTravelerError("Say where the result goes: -o STRIP.jpg, --frames-dir DIR, --gif or --report.")
    started = time.perf_counter()
    photo = load_photo(args.photo)
    name = _engine_name(args)
    if name == "sam":
        from inference_container.sam.memory import keep_freed_memory

        keep_freed_memory()  # this process exists for one photo: keep freed activation memory (sam/memory.py)
    try:
        engine = load_engine(name, weights=args.weights, device=args.device, precision=args.precision)
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("inference_container"):
            raise
        raise TimeTravelerError(
            f"The {name} engine needs {exc.name}: pip install 'time-traveler[model]'."
        ) from exc
    except ValueError as exc:
        raise TimeTravelerError(f"Could not start the {name} engine: {exc}") from exc
    loaded = time.perf_counter()
    result = engine.age(photo, args.ages, layout=args.layout, sitter=args.sitter)
    aged = time.perf_counter()
    if args.output:
        _save(render_strip(result, args.frame_size), args.output)
    if args.gif:
        _save_gif(result, args.gif)
    if args.frames_dir:
        for index, frame in enumerate(result.all_frames()):
            _save(frame.image, str(Path(args.frames_dir) / f"{index}.png"))
    finished = time.perf_counter()
    if args.report:
        _write_report(result, args.report, {"load_s": loaded - started, "write_s": finished - aged})

    where = ", ".join(str(p) for p in (args.output, args.frames_dir, args.report) if p)
    faces = f", {len(result.faces)} face{'s' if len(result.faces) != 1 else ''}" if result.faces else ""
    print(f"{result.engine} engine, ages {', '.join(map(str, result.ages))}{faces} -> {where or args.gif}")
    if args.gif:
        print(f"animation -> {args.gif}")
    if "apparent_age" in result.timings:
        print(f"apparent age of the sitter: {result.timings['apparent_age']:.0f}")
    print("timings: " + format_timings(loaded - started, result.timings, aged - loaded, finished - aged))
    return 0


def _write_report(result, path: str, extra_timings: dict[str, float]) -> None:
    """The run as JSON: engine, precision (sam), ages, layout, frame size, timings (s), faces (frame-0 pixels)."""
    report = {
        "engine": result.engine,
        "precision": result.precision,
        "ages": result.ages,
        "layout": result.layout,
        "frame_size": list(result.frame_size),
        "timings": {name: round(seconds, 4) for name, seconds in {**result.timings, **extra_timings}.items()},
        "faces": [face.summary() for face in result.faces],
    }
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(report, indent=2) + "\n")
    except OSError as exc:
        raise TimeTravelerError(f"Could not write {path}: {exc}") from exc


def _save_gif(result, path: str) -> None:
    """The same young-old-young animation an attendee takes home (one shared palette)."""
    from booth_core.media import render_gif

    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(render_gif(result))
    except OSError as exc:
        raise TimeTravelerError(f"Could not write {path}: {exc}") from exc


def format_timings(load: float, engine_steps: dict[str, float], age: float, write: float) -> str:
    """One line such as `load 2.10s, align 0.20s, inference 3.40s, write 0.05s, total 5.80s`.

    The middle steps are whatever the engine reports (a trailing `_s` dropped); `age` stands in for them
    when it reports none.
    """
    steps = {"load": load}
    for step, seconds in engine_steps.items():
        if not step.endswith("_s"):
            continue  # not a duration (the classic engine's apparent_age)
        name = step.removesuffix("_s")
        if name != "total":
            steps[name] = seconds
    if len(steps) == 1:
        steps["age"] = age
    steps["write"] = write
    steps["total"] = load + age + write
    return ", ".join(f"{step} {seconds:.2f}s" for step, seconds in steps.items())
