"""The job table: on-demand, keyed by job_id, expired by DynamoDB TTL on `expires_at` (epoch seconds)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from cloud_setup.context import StackContext, is_missing
from cloud_setup.report import ABSENT, CREATED, DELETED, UNCHANGED, UPDATED
from cloud_setup.stack import has_stack_tag, tag_list

KIND = "dynamodb table"
KEY = "job_id"
TTL_ATTRIBUTE = "expires_at"


def _describe(ddb, table: str) -> dict | None:
    try:
        return ddb.describe_table(TableName=table)["Table"]
    except ClientError as exc:
        if is_missing(exc):
            return None
        raise


def _ttl_enabled(ddb, table: str) -> bool:
    ttl = ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    return (
        ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") and ttl.get("AttributeName") == TTL_ATTRIBUTE
    )


def _owned(ddb, description: dict, stack: str) -> bool:
    return has_stack_tag(
        ddb.list_tags_of_resource(ResourceArn=description["TableArn"]).get("Tags", []), stack
    )


def ensure(ctx: StackContext) -> None:
    ddb, table = ctx.clients.dynamodb, ctx.names.table
    description = _describe(ddb, table)
    action = UNCHANGED
    if description is None:
        ddb.create_table(
            TableName=table,
            AttributeDefinitions=[{"AttributeName": KEY, "AttributeType": "S"}],
            KeySchema=[{"AttributeName": KEY, "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            Tags=tag_list(ctx.stack),
        )
        ddb.get_waiter("table_exists").wait(TableName=table)
        description = _describe(ddb, table)
        action = CREATED
    elif not _owned(ddb, description, ctx.stack):
        raise RuntimeError(
            f"table {table} exists but does not belong to stack {ctx.stack}; refusing to adopt it"
        )
    if not _ttl_enabled(ddb, table):
        ddb.update_time_to_live(
            TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
        )
        action = action if action == CREATED else UPDATED
    ctx.outputs["table"] = table
    ctx.outputs["table_arn"] = description["TableArn"]
    ctx.report.record(action, KIND, table, f"on demand, TTL on {TTL_ATTRIBUTE}")


def describe(ctx: StackContext) -> list[tuple[str, str, str]]:
    ddb, table = ctx.clients.dynamodb, ctx.names.table
    description = _describe(ddb, table)
    if description is None:
        return [(KIND, table, "absent")]
    billing = description.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    ttl = "TTL on" if _ttl_enabled(ddb, table) else "TTL OFF"
    return [(KIND, table, f"{description['TableStatus']}, {billing}, {ttl}")]


def delete(ctx: StackContext) -> None:
    ddb, table = ctx.clients.dynamodb, ctx.names.table
    description = _describe(ddb, table)
    if description is None or not _owned(ddb, description, ctx.stack):
        ctx.report.record(ABSENT, KIND, table)
        return
    ddb.delete_table(TableName=table)
    ddb.get_waiter("table_not_exists").wait(TableName=table)
    ctx.report.record(DELETED, KIND, table)
