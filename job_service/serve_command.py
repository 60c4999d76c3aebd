"""`time-traveler serve`: the booth API on this machine (files, SQLite, the engine in-process)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
from collections.abc import Mapping
from pathlib import Path

from booth_core.ages import DEFAULT_AGES, parse_ages
from booth_core.environment import env_value, variable
from booth_core.errors import TimeTravelerError
from booth_core.limits import DEFAULT_RETENTION_HOURS, JOB_TIMEOUT_S
from inference_container.engine.registry import AUTO, engine_choices

#: Where the key may come from instead of the command line (which any account can read in `ps`).
API_KEY_ENV = variable("API_KEY")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; others need --api-key)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    parser.add_argument(
        "--api-key",
        default=None,
        help=f"require this x-api-key header on every request (visible in ps: prefer --api-key-file or ${API_KEY_ENV})",
    )
    parser.add_argument(
        "--api-key-file", type=Path, default=None, help="read the API key from this file (its first line)"
    )
    parser.add_argument(
        "--engine",
        default=AUTO,
        choices=engine_choices(),
        help="auto: the best engine this machine can run (SAM where torch and weights are present)",
    )
    parser.add_argument(
        "--weights", default=None, help="SAM checkpoint (default: $TIME_TRAVELER_WEIGHTS or the cache)"
    )
    parser.add_argument("--data-dir", default=None, help="where jobs, photos and frames are kept")
    parser.add_argument("--ages", default=",".join(map(str, DEFAULT_AGES)), help="default target ages")
    parser.add_argument(
        "--retention-hours",
        type=float,
        default=float(DEFAULT_RETENTION_HOURS),
        help="delete jobs, photos and frames after this",
    )
    parser.add_argument(
        "--job-timeout",
        type=float,
        default=float(JOB_TIMEOUT_S),
        help="seconds before an unfinished job fails",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="jobs run at once (each holds one engine call)"
    )
    parser.add_argument(
        "--share-host",
        default=None,
        help="serve attendees' share pages on this address (e.g. the venue Wi-Fi's; 0.0.0.0: all); off by default",
    )
    parser.add_argument("--share-port", type=int, default=8080, help="port of the share pages (default 8080)")
    parser.add_argument(
        "--share-url", default=None, help="the share server's URL as phones reach it (default: from --share-host)"
    )


def resolve_api_key(flag: str | None, key_file: Path | None, environ: Mapping[str, str]) -> str | None:
    """The key from --api-key-file, else --api-key, else $TIME_TRAVELER_API_KEY; None when none is set."""
    if flag and key_file:
        raise TimeTravelerError("give the API key once: --api-key or --api-key-file, not both")
    if key_file is not None:
        try:
            lines = key_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise TimeTravelerError(f"--api-key-file: cannot read it ({exc.strerror or exc})") from exc
        key = lines[0].strip() if lines else ""
        if not key:
            raise TimeTravelerError("--api-key-file: the file is empty")
        return key
    return flag or env_value("API_KEY", environ) or None


def run(args: argparse.Namespace) -> int:
    from job_service.local import InsecureBindError, start_local_server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        ages = parse_ages(args.ages)
    except ValueError as exc:
        raise TimeTravelerError(f"--ages: {exc}") from exc
    if args.workers < 1 or args.job_timeout <= 0 or args.retention_hours <= 0:
        raise TimeTravelerError("--workers, --job-timeout and --retention-hours must be positive")
    api_key = resolve_api_key(args.api_key, args.api_key_file, os.environ)
    try:
        server = start_local_server(
            engine=args.engine,
            data_dir=args.data_dir,
            api_key=api_key,
            ages=ages,
            port=args.port,
            retention_hours=args.retention_hours,
            job_timeout=args.job_timeout,
            host=args.host,
            weights=args.weights,
            workers=args.workers,
            share_host=args.share_host,
            share_port=args.share_port,
            share_url=args.share_url,
        )
    except InsecureBindError as exc:
        raise TimeTravelerError(str(exc)) from exc
    except (ValueError, OSError) as exc:
        raise TimeTravelerError(f"could not start the server: {exc}") from exc
    health = server.health()
    print(
        f"Time Traveler job service on {server.base_url} (engine: {health['engine']} {health['version']}, "
        f"data: {server.data_dir})",
        flush=True,
    )
    if server.share_server is not None:
        print(f"Share pages for phones on {server.share_server.base_url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
