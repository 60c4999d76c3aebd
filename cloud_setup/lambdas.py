"""The job service's Lambda functions, their invoke permissions, and the SNS subscriptions of the
completion function (SageMaker async success and error notifications)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from botocore.exceptions import ClientError

from booth_core.environment import variable
from cloud_setup import lambda_zip
from cloud_setup.context import StackContext, error_code, is_missing
from cloud_setup.iam import role_names
from cloud_setup.report import ABSENT, CREATED, DELETED, UNCHANGED, UPDATED
from cloud_setup.stack import has_stack_tag, stack_tags

KIND = "lambda function"
SUBSCRIPTION = "sns subscription"
HANDLER_MODULE = "cloud_setup.handlers"


@dataclass(frozen=True)
class FunctionSpec:
    purpose: str  # also the role purpose prefix and the function name suffix
    handler: str
    timeout: int
    memory: int
    description: str


FUNCTIONS = (
    FunctionSpec("api", f"{HANDLER_MODULE}.api_handler", 29, 512, "booth REST API (API Gateway proxy)"),
    FunctionSpec(
        "completion",
        f"{HANDLER_MODULE}.completion_handler",
        120,
        1536,
        "turns async inference results into frames",
    ),
    FunctionSpec(
        "sweeper", f"{HANDLER_MODULE}.sweeper_handler", 120, 512, "times out stuck jobs, deletes expired ones"
    ),
)


def environment(ctx: StackContext) -> dict[str, str]:
    """What the handlers read to find this stack's resources (job_service.aws.settings.ENVIRONMENT)."""
    n, o = ctx.names, ctx.options
    return {
        variable("INPUT_BUCKET"): n.input_bucket,
        variable("OUTPUT_BUCKET"): n.output_bucket,
        variable("JOB_TABLE"): n.table,
        variable("ENDPOINT_NAME"): n.endpoint,
        variable("JOB_TIMEOUT_S"): str(o.job_timeout_s),
        variable("RETENTION_DAYS"): str(o.retention_days),
        variable("ENGINE_NAME"): "sam",
    }


def function_config(ctx: StackContext, spec: FunctionSpec) -> dict:
    purpose_role = f"{spec.purpose}-lambda"
    return {
        "Runtime": lambda_zip.LAMBDA_RUNTIME,
        "Role": ctx.outputs.get(f"{purpose_role}_role_arn")
        or ctx.names.arn("iam", f"role/{role_names(ctx)[purpose_role]}", region=False),
        "Handler": spec.handler,
        "Timeout": spec.timeout,
        "MemorySize": spec.memory,
        "Description": f"Time Traveler {spec.description}",
        "Environment": {"Variables": environment(ctx)},
        "Architectures": ["x86_64"],
    }


def _get(lam, name: str) -> dict | None:
    try:
        return lam.get_function(FunctionName=name)
    except ClientError as exc:
        if is_missing(exc):
            return None
        raise


def _config_differs(current: dict, wanted: dict) -> bool:
    for key, value in wanted.items():
        if key == "Architectures":
            continue
        have = current.get(key)
        if key == "Environment":
            have = {"Variables": (have or {}).get("Variables", {})}
        if have != value:
            return True
    return False


def build_package(ctx: StackContext) -> bytes:
    """The zip, built once per run and shared by both functions (they differ only in handler)."""
    if "lambda_zip" not in ctx.outputs:
        vendor_dir = None
        if ctx.outputs.get("vendor_lambda_deps", True):
            vendor_dir = lambda_zip.vendor(lambda_zip.requirements(), ctx.outputs["cache_dir"])
        ctx.outputs["lambda_zip"] = lambda_zip.build_zip(lambda_zip.source_paths(), vendor_dir=vendor_dir)
    return ctx.outputs["lambda_zip"]


def _create(lam, name: str, config: dict, package: bytes, stack: str) -> dict:
    """Create; a just-made role can take seconds to become assumable, which Lambda reports as a
    validation error; IAM has no waiter for that, so that one error is retried with backoff."""
    for attempt in range(6):
        try:
            return lam.create_function(
                FunctionName=name, Code={"ZipFile": package}, Tags=stack_tags(stack), **config
            )
        except ClientError as exc:
            if (
                error_code(exc) != "InvalidParameterValueException"
                or "role" not in str(exc).lower()
                or attempt == 5
            ):
                raise
            _backoff(attempt)
    raise AssertionError("unreachable")


def _backoff(attempt: int) -> None:
    time.sleep(2 * (attempt + 1))  # IAM propagation has no waiter; this is the documented remedy


def ensure_functions(ctx: StackContext) -> None:
    lam = ctx.clients.client("lambda")
    package = build_package(ctx)
    digest = lambda_zip.code_sha256(package)
    for spec in FUNCTIONS:
        name = ctx.names.function(spec.purpose)
        config = function_config(ctx, spec)
        existing = _get(lam, name)
        if existing is None:
            arn = _create(lam, name, config, package, ctx.stack)["FunctionArn"]
            lam.get_waiter("function_active_v2").wait(FunctionName=name)
            action = CREATED
        else:
            if not has_stack_tag(existing.get("Tags", {}), ctx.stack):
                raise RuntimeError(f"function {name} exists but does not belong to stack {ctx.stack}")
            current = existing["Configuration"]
            arn = current["FunctionArn"]
            action = UNCHANGED
            if current.get("CodeSha256") != digest:
                lam.update_function_code(FunctionName=name, ZipFile=package)
                lam.get_waiter("function_updated_v2").wait(FunctionName=name)
                action = UPDATED
            if _config_differs(current, config):
                config.pop("Architectures")
                lam.update_function_configuration(FunctionName=name, **config)
                lam.get_waiter("function_updated_v2").wait(FunctionName=name)
                action = UPDATED
        ctx.outputs[f"{spec.purpose}_function_arn"] = arn
        ctx.report.record(action, KIND, name, f"{spec.handler}, {len(package) // 1024} KiB")


def ensure_permission(
    ctx: StackContext, function: str, statement_id: str, principal: str, source_arn: str
) -> bool:
    """Allow `principal` to invoke `function` from `source_arn`; True when it had to be added."""
    lam = ctx.clients.client("lambda")
    try:
        policy = json.loads(lam.get_policy(FunctionName=function)["Policy"])
        for statement in policy.get("Statement", []):
            if statement.get("Sid") == statement_id:
                if json.dumps(statement).find(source_arn) >= 0:
                    return False
                lam.remove_permission(FunctionName=function, StatementId=statement_id)
    except ClientError as exc:
        if not is_missing(exc):
            raise
    lam.add_permission(
        FunctionName=function,
        StatementId=statement_id,
        Action="lambda:InvokeFunction",
        Principal=principal,
        SourceArn=source_arn,
    )
    return True


def ensure_subscriptions(ctx: StackContext) -> None:
    """Both SageMaker notification topics invoke the completion function."""
    sns = ctx.clients.sns
    function = ctx.names.function("completion")
    function_arn = ctx.outputs["completion_function_arn"]
    for purpose in ("success", "error"):
        topic_arn = ctx.outputs[f"{purpose}_topic_arn"]
        added = ensure_permission(ctx, function, f"sns-{purpose}", "sns.amazonaws.com", topic_arn)
        subscribed = any(
            sub["Endpoint"] == function_arn and sub["Protocol"] == "lambda"
            for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn)
            for sub in page["Subscriptions"]
        )
        if not subscribed:
            sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=function_arn)
        action = UNCHANGED if subscribed and not added else (CREATED if not subscribed else UPDATED)
        ctx.report.record(action, SUBSCRIPTION, f"{topic_arn.rsplit(':', 1)[-1]} -> {function}")


def describe(ctx: StackContext) -> list[tuple[str, str, str]]:
    lam = ctx.clients.client("lambda")
    rows = []
    for spec in FUNCTIONS:
        name = ctx.names.function(spec.purpose)
        existing = _get(lam, name)
        if existing is None:
            rows.append((KIND, name, "absent"))
        else:
            config = existing["Configuration"]
            rows.append((KIND, name, f"{config.get('State', '?')}, {config['Runtime']}, {config['Handler']}"))
    return rows


def delete_functions(ctx: StackContext) -> None:
    lam = ctx.clients.client("lambda")
    for spec in reversed(FUNCTIONS):
        name = ctx.names.function(spec.purpose)
        existing = _get(lam, name)
        if existing is None or not has_stack_tag(existing.get("Tags", {}), ctx.stack):
            ctx.report.record(ABSENT, KIND, name)
            continue
        lam.delete_function(FunctionName=name)
        ctx.report.record(DELETED, KIND, name)


def delete_subscriptions(ctx: StackContext) -> None:
    """Unsubscribe the completion function from both topics (deleting the topics would also do it)."""
    sns = ctx.clients.sns
    function_arn = ctx.names.function_arn(ctx.names.function("completion"))
    for topic in (ctx.names.success_topic, ctx.names.error_topic):
        topic_arn = ctx.names.topic_arn(topic)
        try:
            pages = list(sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn))
        except ClientError as exc:
            if is_missing(exc):
                ctx.report.record(ABSENT, SUBSCRIPTION, topic)
                continue
            raise
        found = [s for page in pages for s in page["Subscriptions"] if s["Endpoint"] == function_arn]
        for sub in found:
            sns.unsubscribe(SubscriptionArn=sub["SubscriptionArn"])
        ctx.report.record(
            DELETED if found else ABSENT, SUBSCRIPTION, f"{topic} -> {function_arn.rsplit(':', 1)[-1]}"
        )
