"""`python -m photobooth` / `time-traveler-booth`: start the kiosk (or run the self-driving tour)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}") from None
    if width < 320 or height < 320:
        raise argparse.ArgumentTypeError("the window must be at least 320x320")
    return width, height


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="time-traveler-booth", description="The Time Traveler photobooth kiosk."
    )
    parser.add_argument("--camera", help="camera index, or a video or image file to use as the camera")
    parser.add_argument(
        "--fullscreen", action="store_true", help="kiosk mode: full screen, no frame, no cursor"
    )
    parser.add_argument(
        "--config", type=Path, help="the booth's TOML settings file (default: platform config folder)"
    )
    parser.add_argument("--size", type=parse_size, help="window size WIDTHxHEIGHT (handy for screenshots)")
    parser.add_argument(
        "--tour",
        type=Path,
        metavar="DIR",
        help="drive every screen by itself, save a PNG of each to DIR, then exit",
    )
    parser.add_argument("--verbose", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # the local job service runs in a child process, also in the bundle
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(name)s: %(message)s"
    )
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from photobooth.app import BoothWindow
    from photobooth.config import load_config

    config, problems = load_config(args.config)
    for problem in problems:
        logging.getLogger("photobooth").warning("settings: %s", problem)
    if args.camera is not None:
        config.booth.camera = args.camera
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = BoothWindow(config, problems, countdown_tick_ms=400 if args.tour else 1000)
    if args.size:
        window.resize(*args.size)
    if args.fullscreen:
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        QApplication.setOverrideCursor(Qt.CursorShape.BlankCursor)
        window.showFullScreen()
    elif args.size:
        window.show()
    else:
        window.showMaximized()
    window.start()
    if args.tour:
        from photobooth.tour import Tour

        tour = Tour(window, args.tour)
        tour.start()
        app.exec()
        window.shutdown()
        return tour.exit_code
    code = app.exec()
    window.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
