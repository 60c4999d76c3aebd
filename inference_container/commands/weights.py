"""`time-traveler weights download|check`: get the released SAM checkpoint and verify any file."""

from __future__ import annotations

import argparse

from inference_container.commands.messages import one_line_errors
from inference_container.weights import default_weights_path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="weights_command", metavar="ACTION", required=True)
    download = actions.add_parser(
        "download", help="download the released checkpoint (about 2.3 GB) into the cache"
    )
    download.add_argument("--dest", help=f"where to save it (default: {default_weights_path()})")
    download.add_argument(
        "--url",
        help="download from this URL (default: $TIME_TRAVELER_WEIGHTS_URL, else the SAM authors' Google Drive "
        "file, then the seed demo's copy)",
    )
    download.add_argument("--quiet", action="store_true", help="no progress bar")
    check = actions.add_parser("check", help="verify a checkpoint file and print its SHA-256")
    check.add_argument("path", metavar="PATH", help="the checkpoint file (.pt)")


def run(args: argparse.Namespace) -> int:
    with one_line_errors():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    if args.weights_command == "download":
        from inference_container.weights.download import download_weights

        path = download_weights(args.dest, args.url, progress=not args.quiet)
        print(f"Saved and verified: {path}")
        return 0
    from inference_container.weights.check import check_weights

    checked = check_weights(args.path)
    print(f"OK: {checked.path} is a valid SAM checkpoint ({checked.size / 1e9:.2f} GB)")
    details = {
        key: checked.summary[key] for key in ("keys", "params", "output_size") if key in checked.summary
    }
    if details:
        print(", ".join(f"{key} {value:,}" for key, value in details.items()))
    print(f"SHA-256: {checked.sha256}")
    return 0
