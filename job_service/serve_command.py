"""`time-traveler serve`: the booth API on this machine (files, SQLite, the engine in-process)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from booth_core.ages import DEFAULT_AGES, parse_ages
from booth_core.errors import TimeTravelerError
from booth_core.limits import DEFAULT_RETENTION_HOURS, JOB_TIMEOUT_S
from inference_container.engine.registry import AUTO, engine_choices


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; others need --api-key)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    parser.add_argument("--api-key", default=None, help="require this x-api-key header on every request")
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


def run(args: argparse.Namespace) -> int:
    from job_service.local import InsecureBindError, start_local_server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        ages = parse_ages(args.ages)
    except ValueError as exc:
        raise TimeTravelerError(f"--ages: {exc}") from exc
    if args.workers < 1 or args.job_timeout <= 0 or args.retention_hours <= 0:
        raise TimeTravelerError("--workers, --job-timeout and --retention-hours must be positive")
    try:
        server = start_local_server(
            engine=args.engine,
            data_dir=args.data_dir,
            api_key=args.api_key,
            ages=ages,
            port=args.port,
            retention_hours=args.retention_hours,
            job_timeout=args.job_timeout,
            host=args.host,
            weights=args.weights,
            workers=args.workers,
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
