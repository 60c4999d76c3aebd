"""The order of the stack: deploy runs the steps forwards, teardown runs their deletes backwards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cloud_setup import (
    apigateway,
    autoscaling,
    booth_config,
    dynamodb,
    iam,
    lambdas,
    s3,
    sagemaker,
    schedule,
    sns,
)
from cloud_setup.context import StackContext
from cloud_setup.report import CREATED, DELETED, UNCHANGED

Action = Callable[[StackContext], None]


@dataclass(frozen=True)
class Step:
    title: str
    ensure: Action
    delete: Action | None
    describe: Callable[[StackContext], list] | None
    summary: Callable[[StackContext], str]


def _write_booth_config(ctx: StackContext) -> None:
    path = ctx.options.booth_config or booth_config.default_path(ctx.stack)
    changed = booth_config.write(path, ctx.outputs["api_url"], ctx.outputs["api_key"])
    ctx.outputs["booth_config"] = path
    ctx.report.record(CREATED if changed else UNCHANGED, "booth config", str(path), "[backend] url, api_key")


def _remove_booth_config(ctx: StackContext) -> None:
    path = ctx.options.booth_config or booth_config.default_path(ctx.stack)
    if booth_config.remove_backend(path, ctx.outputs.get("api_url")):
        ctx.report.record(DELETED, "booth config", f"{path} [backend]")


def _remember_api_url(ctx: StackContext) -> None:
    apigateway.describe(ctx)  # fills outputs["api_url"] so the booth config can be matched later


def steps() -> list[Step]:
    o = lambda ctx: ctx.options  # noqa: E731
    n = lambda ctx: ctx.names  # noqa: E731
    return [
        Step("model source", sagemaker.resolve_model_source, None, None,
             lambda c: f"image {o(c).image_uri or '(current)'}, model data {o(c).model_data_url or '(current)'}"),
        Step("buckets", s3.ensure, s3.delete, s3.describe,
             lambda c: f"s3 buckets {n(c).input_bucket}, {n(c).output_bucket}: public access blocked, "
                       f"AES256, everything expires after {o(c).retention_days} d"),
        Step("job table", dynamodb.ensure, dynamodb.delete, dynamodb.describe,
             lambda c: f"dynamodb table {n(c).table}: on demand, key job_id, TTL on expires_at"),
        Step("topics", sns.ensure, sns.delete, sns.describe,
             lambda c: f"sns topics {n(c).success_topic}, {n(c).error_topic}"),
        Step("roles", iam.ensure, iam.delete, iam.describe,
             lambda c: "iam roles " + ", ".join(iam.role_names(c).values()) + " (least privilege, inline policies)"),
        Step("functions", lambdas.ensure_functions, lambdas.delete_functions, lambdas.describe,
             lambda c: "lambda functions " + ", ".join(f"{n(c).function(f.purpose)} ({f.handler})" for f in lambdas.FUNCTIONS)),
        Step("subscriptions", lambdas.ensure_subscriptions, lambdas.delete_subscriptions, None,
             lambda c: f"subscribe {n(c).function('completion')} to both topics"),
        Step("sweeper schedule", schedule.ensure, schedule.delete, schedule.describe,
             lambda c: f"eventbridge rule {schedule.rule_name(c)} {schedule.RATE} -> {n(c).function('sweeper')}"),
        Step("rest api", apigateway.ensure, apigateway.delete, apigateway.describe,
             lambda c: f"api gateway {n(c).rest_api} stage {n(c).stage}: "
                       + ", ".join(f"{m} {p}" for p, m in apigateway.ROUTES)
                       + f"; binary {', '.join(apigateway.BINARY_MEDIA_TYPES)}; key {n(c).api_key}, plan {n(c).usage_plan}"),
        Step("model", sagemaker.ensure_model, sagemaker.delete_models, None,
             lambda c: f"sagemaker model {n(c).model_prefix}<hash>"),
        Step("endpoint config", sagemaker.ensure_endpoint_config, sagemaker.delete_endpoint_configs, None,
             lambda c: f"async endpoint config {n(c).endpoint_config_prefix}<hash>: {o(c).instance_type}, "
                       f"{o(c).max_concurrent_invocations} invocations per instance, output s3://{n(c).output_bucket}/"
                       f"{sagemaker.ASYNC_OUTPUT_PREFIX}, failures .../{sagemaker.ASYNC_FAILURE_PREFIX}, sns success/error"),
        Step("endpoint", sagemaker.ensure_endpoint, sagemaker.delete_endpoint, sagemaker.describe,
             lambda c: f"sagemaker endpoint {n(c).endpoint} (waits until InService)"),
        Step("autoscaling", autoscaling.ensure, autoscaling.delete, autoscaling.describe,
             lambda c: f"scale {n(c).scaling_resource_id} {o(c).min_instances}..{o(c).max_instances}: target tracking "
                       f"ApproximateBacklogSizePerInstance={autoscaling.BACKLOG_TARGET:g}, step +1 on alarm "
                       f"{n(c).wake_alarm} (HasBacklogWithoutCapacity)"),
        Step("booth config", _write_booth_config, _remove_booth_config, None,
             lambda c: f"write {o(c).booth_config or booth_config.default_path(c.stack)} with [backend] url and api_key"),
    ]  # fmt: skip


def deploy(ctx: StackContext) -> None:
    for step in steps():
        step.ensure(ctx)


def teardown(ctx: StackContext) -> None:
    _remember_api_url(ctx)
    for step in reversed(steps()):
        if step.delete is not None:
            step.delete(ctx)


def status(ctx: StackContext) -> list[tuple[str, str, str]]:
    rows = []
    for step in steps():
        if step.describe is not None:
            rows.extend(step.describe(ctx))
    return rows


def describe_plan(ctx: StackContext, action: str) -> list[str]:
    ordered = steps() if action == "deploy" else [s for s in reversed(steps()) if s.delete is not None]
    verb = "ensure" if action == "deploy" else "delete"
    return [f"{i:2d}. {verb} {step.title}: {step.summary(ctx)}" for i, step in enumerate(ordered, 1)]
