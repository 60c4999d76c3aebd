"""`python -m cloud_setup deploy|status|teardown|template --name NAME --region REGION [options]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError, WaiterError

from cloud_setup import commands, template
from cloud_setup.clients import Clients
from cloud_setup.open_hours import OpenHours
from cloud_setup.report import Report
from cloud_setup.stack import (
    DEFAULT_INSTANCE_TYPE,
    LOG_RETENTION_CHOICES,
    SCALE_TO_ZERO_JOB_TIMEOUT_S,
    WARM_JOB_TIMEOUT_S,
    StackOptions,
)

ACTIONS = ("deploy", "status", "teardown", "template")
#: What `template` shows for the image and weights when none are given (they are baked into the template).
EXAMPLE_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/time-traveler-model:latest"
EXAMPLE_MODEL = "s3://my-artifacts/time-traveler/model.tar.gz"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cloud_setup",
        description="Deploy, inspect, remove or print the Time Traveler AWS stack (one CloudFormation template).",
    )
    parser.add_argument("action", choices=ACTIONS)
    parser.add_argument(
        "--name", required=True, help="stack name (3-20 of a-z, 0-9, -); prefixes every resource"
    )
    parser.add_argument("--region", required=True, help="AWS region, e.g. eu-west-1")
    parser.add_argument("--endpoint-url", help="send every AWS call here (moto, LocalStack)")
    parser.add_argument(
        "--image-uri", help="model server image in ECR (printed by inference_container/build_and_push.sh)"
    )
    parser.add_argument("--model-data-url", help="s3:// URL of model.tar.gz (`time-traveler package-model`)")
    parser.add_argument(
        "--instance-type",
        default=DEFAULT_INSTANCE_TYPE,
        help=f"GPU instance (default {DEFAULT_INSTANCE_TYPE})",
    )
    parser.add_argument(
        "--min-instances",
        type=int,
        default=0,
        help="scaling floor outside opening hours: 0 scales to zero when idle (default 0)",
    )
    parser.add_argument("--max-instances", type=int, default=1, help="scaling ceiling (default 1)")
    parser.add_argument(
        "--open-hours", help="e.g. 09:00-18:00: at least one instance runs, daily, from 15 min before"
    )
    parser.add_argument("--timezone", default="UTC", help="IANA time zone of --open-hours, e.g. Europe/Paris")
    parser.add_argument(
        "--max-concurrent-invocations", type=int, default=2, help="photos per instance at once (default 2)"
    )
    parser.add_argument(
        "--retention-days",
        type=int,
        default=StackOptions.retention_days,
        help=f"days before photos, frames and jobs expire (default {StackOptions.retention_days})",
    )
    parser.add_argument(
        "--log-retention-days",
        type=int,
        default=7,
        choices=LOG_RETENTION_CHOICES,
        help="days the log groups keep logs (default 7)",
    )
    parser.add_argument(
        "--job-timeout",
        type=int,
        help="seconds before an unfinished job fails with TIMEOUT (default "
        f"{SCALE_TO_ZERO_JOB_TIMEOUT_S} with --min-instances 0, else {WARM_JOB_TIMEOUT_S}); written into the booth config",
    )
    parser.add_argument(
        "--daily-quota",
        type=int,
        default=20000,
        help="API requests per day for the booth key (default 20000)",
    )
    parser.add_argument(
        "--booth-config", type=Path, help="booth config TOML to write (default ./booth-NAME.toml)"
    )
    parser.add_argument(
        "--no-lambda-deps",
        action="store_true",
        help="do not pip-download the Lambda zip's third-party wheels (offline tests)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="deploy: create and print the change set, execute nothing"
    )
    parser.add_argument("--yes", action="store_true", help="teardown without asking")
    return parser


def options_from(args: argparse.Namespace) -> StackOptions:
    hours = OpenHours.parse(args.open_hours, args.timezone) if args.open_hours else None
    return StackOptions(
        name=args.name, region=args.region, endpoint_url=args.endpoint_url, image_uri=args.image_uri,
        model_data_url=args.model_data_url, instance_type=args.instance_type, min_instances=args.min_instances,
        max_instances=args.max_instances, max_concurrent_invocations=args.max_concurrent_invocations,
        retention_days=args.retention_days, log_retention_days=args.log_retention_days,
        job_timeout_s=args.job_timeout, open_hours=hours, daily_quota=args.daily_quota, booth_config=args.booth_config,
    )  # fmt: skip


def confirm_teardown(name: str) -> bool:
    if not sys.stdin.isatty():
        print("teardown needs --yes when not run interactively", file=sys.stderr)
        return False
    return input(f"Delete every resource of stack {name!r}? Type the stack name to confirm: ").strip() == name


def run(args: argparse.Namespace, report: Report | None = None) -> int:
    report = report or Report()
    options = options_from(args)
    if args.action == "template":
        body = commands.render_main(
            options, options.image_uri or EXAMPLE_IMAGE, options.model_data_url or EXAMPLE_MODEL
        )
        report.note(template.to_json(body))
        return 0
    clients = Clients(options.region, options.endpoint_url)
    where = f" via {options.endpoint_url}" if options.endpoint_url else ""
    if args.action == "deploy":
        report.note(
            f"Deploying stack {options.name} to {options.region}{where}"
            + (" (dry run)" if args.dry_run else "")
        )
        booth = commands.deploy(
            options, clients, report, dry_run=args.dry_run, vendor_deps=not args.no_lambda_deps
        )
        if booth:
            report.note(
                f"Done. API {booth['url']}; booth config {booth['booth_config']} "
                f"(job timeout {booth['job_timeout_seconds']:g} s)"
            )
        return 0
    if args.action == "status":
        return commands.status(options, clients, report)
    if not (args.yes or confirm_teardown(options.name)):
        return 1
    report.note(f"Tearing down stack {options.name} in {options.region}{where}")
    commands.teardown(options, clients, report)
    report.note("Done.")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError, WaiterError, RuntimeError) as exc:
        print(f"AWS error: {exc}", file=sys.stderr)
        return 3
