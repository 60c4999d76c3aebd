"""The SageMaker async success and error topics (subscriptions to the completion Lambda live in lambdas)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from cloud_setup.context import StackContext, is_missing
from cloud_setup.report import ABSENT, CREATED, DELETED, UNCHANGED
from cloud_setup.stack import has_stack_tag, tag_list

KIND = "sns topic"


def topics(ctx: StackContext) -> dict[str, str]:
    """purpose -> topic name."""
    return {"success": ctx.names.success_topic, "error": ctx.names.error_topic}


def _attributes(sns, arn: str) -> dict | None:
    try:
        return sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    except ClientError as exc:
        if is_missing(exc):
            return None
        raise


def _owned(sns, arn: str, stack: str) -> bool:
    return has_stack_tag(sns.list_tags_for_resource(ResourceArn=arn).get("Tags", []), stack)


def ensure(ctx: StackContext) -> None:
    sns = ctx.clients.sns
    for purpose, topic in topics(ctx).items():
        arn = ctx.names.topic_arn(topic)
        existing = _attributes(sns, arn)
        if existing is not None and not _owned(sns, arn, ctx.stack):
            raise RuntimeError(
                f"topic {topic} exists but does not belong to stack {ctx.stack}; refusing to adopt it"
            )
        if existing is None:
            # Messages carry only job ids and S3 locations, no photo data.
            arn = sns.create_topic(Name=topic, Tags=tag_list(ctx.stack))["TopicArn"]
        ctx.outputs[f"{purpose}_topic_arn"] = arn
        ctx.report.record(CREATED if existing is None else UNCHANGED, KIND, topic)


def describe(ctx: StackContext) -> list[tuple[str, str, str]]:
    rows = []
    for topic in topics(ctx).values():
        attributes = _attributes(ctx.clients.sns, ctx.names.topic_arn(topic))
        if attributes is None:
            rows.append((KIND, topic, "absent"))
        else:
            subs = ctx.clients.sns.list_subscriptions_by_topic(TopicArn=ctx.names.topic_arn(topic))[
                "Subscriptions"
            ]
            endpoints = ", ".join(s["Endpoint"].rsplit(":", 1)[-1] for s in subs) or "no subscribers"
            rows.append((KIND, topic, f"present, -> {endpoints}"))
    return rows


def delete(ctx: StackContext) -> None:
    sns = ctx.clients.sns
    for topic in reversed(list(topics(ctx).values())):
        arn = ctx.names.topic_arn(topic)
        if _attributes(sns, arn) is None or not _owned(sns, arn, ctx.stack):
            ctx.report.record(ABSENT, KIND, topic)
            continue
        sns.delete_topic(TopicArn=arn)  # also removes its subscriptions
        ctx.report.record(DELETED, KIND, topic)
