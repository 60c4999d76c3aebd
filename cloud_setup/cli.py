"""`python -m cloud_setup deploy|status|teardown --name NAME --region REGION [options]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError, WaiterError

from cloud_setup import plan
from cloud_setup.clients import Clients
from cloud_setup.context import StackContext
from cloud_setup.report import UNCHANGED, Report
from cloud_setup.stack import DEFAULT_INSTANCE_TYPE, StackNames, StackOptions

ACTIONS = ("deploy", "status", "teardown")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cloud_setup", description="Deploy, inspect or remove a Time Traveler AWS stack."
    )
    parser.add_argument("action", choices=ACTIONS)
    parser.add_argument(
        "--name", required=True, help="stack name (3-20 of a-z, 0-9, -); prefixes and tags every resource"
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
        help=f"endpoint instance type (default {DEFAULT_INSTANCE_TYPE})",
    )
    parser.add_argument(
        "--min-instances",
        type=int,
        default=0,
        help="auto scaling floor: 0 scales to zero when idle (default 0)",
    )
    parser.add_argument("--max-instances", type=int, default=1, help="auto scaling ceiling (default 1)")
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
        "--job-timeout",
        type=int,
        default=StackOptions.job_timeout_s,
        help="seconds before an unfinished job fails with TIMEOUT",
    )
    parser.add_argument(
        "--booth-config", type=Path, help="booth config TOML to write (default ./booth-NAME.toml)"
    )
    parser.add_argument("--no-wait", action="store_true", help="do not wait for the endpoint to be InService")
    parser.add_argument("--no-lambda-deps", action="store_true",
                        help="do not pip-download the Lambda zip's third-party wheels (offline tests)")  # fmt: skip
    parser.add_argument("--dry-run", action="store_true", help="print the plan and touch nothing")
    parser.add_argument("--yes", action="store_true", help="teardown without asking")
    return parser


def options_from(args: argparse.Namespace) -> StackOptions:
    return StackOptions(
        name=args.name,
        region=args.region,
        endpoint_url=args.endpoint_url,
        image_uri=args.image_uri,
        model_data_url=args.model_data_url,
        instance_type=args.instance_type,
        min_instances=args.min_instances,
        max_instances=args.max_instances,
        max_concurrent_invocations=args.max_concurrent_invocations,
        retention_days=args.retention_days,
        job_timeout_s=args.job_timeout,
        booth_config=args.booth_config,
        wait=not args.no_wait,
    )


def make_context(
    options: StackOptions, report: Report, dry_run: bool, vendor_deps: bool = True
) -> StackContext:
    clients = Clients(options.region, options.endpoint_url)
    account = "<account-id>"
    if not dry_run:
        account = clients.account_id()
    else:
        try:  # read-only; a dry run works without credentials too
            account = clients.account_id()
        except (BotoCoreError, ClientError):
            pass
    from inference_container.weights import cache_dir

    outputs = {"vendor_lambda_deps": vendor_deps, "cache_dir": cache_dir()}
    return StackContext(clients, options, StackNames(options.name, options.region, account), report, outputs)


def confirm_teardown(name: str) -> bool:
    if not sys.stdin.isatty():
        print("teardown needs --yes when not run interactively", file=sys.stderr)
        return False
    return input(f"Delete every resource of stack {name!r}? Type the stack name to confirm: ").strip() == name


def run(args: argparse.Namespace, report: Report | None = None) -> int:
    report = report or Report()
    options = options_from(args)
    ctx = make_context(options, report, args.dry_run, vendor_deps=not args.no_lambda_deps)
    where = f" via {options.endpoint_url}" if options.endpoint_url else ""
    if args.dry_run and args.action != "status":
        report.note(
            f"Plan to {args.action} stack {options.name} in {options.region}{where} (dry run, nothing touched):"
        )
        for line in plan.describe_plan(ctx, args.action):
            report.note(line)
        return 0
    if args.action == "deploy":
        report.note(f"Deploying stack {options.name} to {options.region}{where}")
        plan.deploy(ctx)
        changed = [c for c in report.changes if c.action != UNCHANGED]
        report.note(
            f"Done: {len(changed)} change(s). API {ctx.outputs['api_url']}; booth config {ctx.outputs['booth_config']}"
        )
        return 0
    if args.action == "status":
        rows = plan.status(ctx)
        width = max(len(kind) for kind, _, _ in rows)
        report.note(f"Stack {options.name} in {options.region}{where}:")
        for kind, name, state in rows:
            report.note(f"  {kind:<{width}}  {name}  {state}")
        missing = [row for row in rows if row[2] == "absent"]
        report.note(
            "all resources present" if not missing else f"{len(missing)} of {len(rows)} resources absent"
        )
        return 0 if not missing else 1
    if not (args.yes or confirm_teardown(options.name)):
        return 1
    report.note(f"Tearing down stack {options.name} in {options.region}{where}")
    plan.teardown(ctx)
    report.note("Done.")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError, WaiterError) as exc:
        print(f"AWS error: {exc}", file=sys.stderr)
        return 3
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
