"""`python -m photobooth` / `time-traveler-booth`: start the kiosk (or run the self-driving tour)."""

from __future__ import annotations

import argparse
import logging
import os
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
    parser.add_argument(
        "--install-autostart",
        nargs="?",
        const="auto",
        choices=("auto", "systemd", "xdg"),
        help="start the booth in kiosk mode at login, restarting it if it crashes, then exit "
        "(auto: a systemd user unit where systemd runs, else an XDG autostart entry)",
    )
    parser.add_argument("--verbose", action="store_true")
    return parser


NO_DISPLAY = "no display found; set DISPLAY or run with QT_QPA_PLATFORM=offscreen"


def choose_platform(tour: bool, environ=None, platform: str | None = None) -> str | None:
    """Pick Qt's platform before Qt starts; returns an error line when the booth cannot show a window.

    On Linux without DISPLAY and WAYLAND_DISPLAY, Qt would abort in its xcb plugin. The tour only takes
    screenshots, so it runs offscreen there; the kiosk itself needs a screen and says so in one line.
    """
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    if tour:
        environ["QT_QPA_PLATFORM"] = "offscreen"
        return None
    return NO_DISPLAY


def install_autostart_command(kind: str) -> int:
    import platformdirs

    from photobooth import kiosk

    kind = kiosk.default_kind() if kind == "auto" else kind
    path = kiosk.install_autostart(kind, Path(platformdirs.user_config_dir()), kiosk.booth_command())
    print(f"time-traveler-booth: autostart written to {path}")
    if kind == "systemd":
        print(f"time-traveler-booth: {kiosk.enable_systemd_unit()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # the local job service runs in a child process, also in the bundle
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(name)s: %(message)s"
    )
    if args.install_autostart:
        return install_autostart_command(args.install_autostart)
    problem = choose_platform(tour=args.tour is not None)
    if problem:
        print(f"time-traveler-booth: {problem}", file=sys.stderr)
        return 2
    from PySide6.QtWidgets import QApplication

    from photobooth.app import BoothWindow
    from photobooth.config import load_config

    config, problems = load_config(args.config)
    for problem in problems:
        logging.getLogger("photobooth").warning("settings: %s", problem)
    if args.camera is not None:
        config.booth.camera = args.camera
    if args.tour:
        from photobooth.tour_take_home import prepare_config

        prepare_config(config)  # the tour also saves the share page and the print PDF
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = BoothWindow(config, problems, countdown_tick_ms=400 if args.tour else 1000)
    if args.size:
        window.resize(*args.size)
    if args.fullscreen:
        from photobooth.kiosk import show_kiosk

        show_kiosk(window)
    elif args.size:
        window.show()
    else:
        window.showMaximized()
    window.start()
    if args.tour:
        from booth_core.demo_photo import DEMO_PORTRAIT
        from photobooth.tour import Tour

        # Without --camera, a machine with no webcam still gets a full tour, with the bundled portrait.
        fallback = DEMO_PORTRAIT if args.camera is None and DEMO_PORTRAIT.exists() else None
        tour = Tour(window, args.tour, fallback_camera=fallback)
        tour.start()
        app.exec()
        window.shutdown()
        return tour.exit_code
    code = app.exec()
    window.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
