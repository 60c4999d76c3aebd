"""An EventBridge schedule that runs the sweeper Lambda: stuck jobs become TIMEOUT, expired ones go."""

from __future__ import annotations

from botocore.exceptions import ClientError

from cloud_setup.context import StackContext, is_missing
from cloud_setup.lambdas import ensure_permission
from cloud_setup.report import ABSENT, CREATED, DELETED, UNCHANGED, UPDATED
from cloud_setup.stack import has_stack_tag, tag_list

KIND = "eventbridge schedule"
RATE = "rate(5 minutes)"
TARGET_ID = "sweeper"


def rule_name(ctx: StackContext) -> str:
    return f"{ctx.stack}-sweeper"


def _rule(events, name: str) -> dict | None:
    try:
        return events.describe_rule(Name=name)
    except ClientError as exc:
        if is_missing(exc):
            return None
        raise


def ensure(ctx: StackContext) -> None:
    events, name = ctx.clients.events, rule_name(ctx)
    function_arn = ctx.outputs["sweeper_function_arn"]
    rule = _rule(events, name)
    action = UNCHANGED
    if rule is None:
        rule_arn = events.put_rule(
            Name=name, ScheduleExpression=RATE, State="ENABLED",
            Description=f"Time Traveler job sweeper of stack {ctx.stack}", Tags=tag_list(ctx.stack),
        )["RuleArn"]  # fmt: skip
        action = CREATED
    else:
        if not has_stack_tag(
            events.list_tags_for_resource(ResourceARN=rule["Arn"]).get("Tags", []), ctx.stack
        ):
            raise RuntimeError(f"rule {name} exists but does not belong to stack {ctx.stack}")
        rule_arn = rule["Arn"]
        if rule.get("ScheduleExpression") != RATE or rule.get("State") != "ENABLED":
            events.put_rule(Name=name, ScheduleExpression=RATE, State="ENABLED")
            action = UPDATED
    targets = events.list_targets_by_rule(Rule=name)["Targets"]
    if [t["Arn"] for t in targets] != [function_arn]:
        events.put_targets(Rule=name, Targets=[{"Id": TARGET_ID, "Arn": function_arn}])
        action = action if action == CREATED else UPDATED
    if ensure_permission(
        ctx, ctx.names.function("sweeper"), "events-sweeper", "events.amazonaws.com", rule_arn
    ):
        action = action if action == CREATED else UPDATED
    ctx.report.record(action, KIND, name, RATE)


def describe(ctx: StackContext) -> list[tuple[str, str, str]]:
    rule = _rule(ctx.clients.events, rule_name(ctx))
    return [
        (
            KIND,
            rule_name(ctx),
            "absent" if rule is None else f"{rule.get('State')}, {rule.get('ScheduleExpression')}",
        )
    ]


def delete(ctx: StackContext) -> None:
    events, name = ctx.clients.events, rule_name(ctx)
    rule = _rule(events, name)
    if rule is None or not has_stack_tag(
        events.list_tags_for_resource(ResourceARN=rule["Arn"]).get("Tags", []), ctx.stack
    ):
        ctx.report.record(ABSENT, KIND, name)
        return
    targets = [t["Id"] for t in events.list_targets_by_rule(Rule=name)["Targets"]]
    if targets:
        events.remove_targets(Rule=name, Ids=targets)
    events.delete_rule(Name=name)
    ctx.report.record(DELETED, KIND, name)
