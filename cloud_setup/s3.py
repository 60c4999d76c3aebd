"""The photo (input) and frame (output) buckets: private, encrypted, emptied by lifecycle expiry."""

from __future__ import annotations

from botocore.exceptions import ClientError

from cloud_setup.context import StackContext, is_missing
from cloud_setup.report import ABSENT, CREATED, DELETED, UNCHANGED, UPDATED
from cloud_setup.stack import has_stack_tag, tag_list

KIND = "s3 bucket"
BLOCK_ALL = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
ENCRYPTION = {
    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]
}


def lifecycle(days: int) -> dict:
    """Attendee photos, async outputs and frames are personal data: everything expires after `days`."""
    return {
        "Rules": [
            {
                "ID": "expire-attendee-data",
                "Status": "Enabled",
                "Filter": {"Prefix": ""},
                "Expiration": {"Days": days},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
            }
        ]
    }


def bucket_names(ctx: StackContext) -> list[str]:
    return [ctx.names.input_bucket, ctx.names.output_bucket]


def _exists(s3, bucket: str) -> bool:
    try:
        s3.head_bucket(Bucket=bucket)
        return True
    except ClientError as exc:
        if is_missing(exc):
            return False
        raise


def _tags(s3, bucket: str) -> list[dict]:
    try:
        return s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    except ClientError as exc:
        if is_missing(exc, "NoSuchTagSet"):
            return []
        raise


def _settings(s3, bucket: str) -> dict:
    """The settings deploy manages, as they are now (None where unset)."""

    def read(call, key, missing):
        try:
            return call(Bucket=bucket)[key]
        except ClientError as exc:
            if is_missing(exc, missing):
                return None
            raise

    return {
        "public_access": read(
            s3.get_public_access_block,
            "PublicAccessBlockConfiguration",
            "NoSuchPublicAccessBlockConfiguration",
        ),
        "encryption": read(
            s3.get_bucket_encryption,
            "ServerSideEncryptionConfiguration",
            "ServerSideEncryptionConfigurationNotFoundError",
        ),
        "lifecycle": read(s3.get_bucket_lifecycle_configuration, "Rules", "NoSuchLifecycleConfiguration"),
    }


def _ensure_bucket(ctx: StackContext, bucket: str) -> None:
    s3 = ctx.clients.s3
    created = False
    if not _exists(s3, bucket):
        params = {"Bucket": bucket}
        if ctx.options.region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": ctx.options.region}
        s3.create_bucket(**params)
        s3.get_waiter("bucket_exists").wait(Bucket=bucket)
        created = True
    elif not has_stack_tag(_tags(s3, bucket), ctx.stack):
        raise RuntimeError(
            f"bucket {bucket} exists but does not belong to stack {ctx.stack}; refusing to adopt it"
        )

    current = _settings(s3, bucket)
    wanted_lifecycle = lifecycle(ctx.options.retention_days)
    fixes = []
    if current["public_access"] != BLOCK_ALL:
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=BLOCK_ALL)
        fixes.append("public access")
    rules = (current["encryption"] or {}).get("Rules", [])
    if not rules or rules[0].get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") not in (
        "AES256",
        "aws:kms",
    ):
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=ENCRYPTION)
        fixes.append("encryption")
    if not _lifecycle_matches(current["lifecycle"], wanted_lifecycle["Rules"]):
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=wanted_lifecycle)
        fixes.append("lifecycle")
    if not has_stack_tag(_tags(s3, bucket), ctx.stack):
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tag_list(ctx.stack)})
    detail = f"expire after {ctx.options.retention_days} d"
    if created:
        ctx.report.record(CREATED, KIND, bucket, detail)
    elif fixes:
        ctx.report.record(UPDATED, KIND, bucket, ", ".join(fixes))
    else:
        ctx.report.record(UNCHANGED, KIND, bucket)


def _lifecycle_matches(current, wanted) -> bool:
    if not current or len(current) != len(wanted):
        return False
    have, want = current[0], wanted[0]
    return (
        have.get("Status") == "Enabled"
        and have.get("Expiration", {}).get("Days") == want["Expiration"]["Days"]
        and have.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation") == 1
        and have.get("Filter", {}).get("Prefix", "") == ""
    )


def ensure(ctx: StackContext) -> None:
    for bucket in bucket_names(ctx):
        _ensure_bucket(ctx, bucket)
    ctx.outputs["input_bucket"] = ctx.names.input_bucket
    ctx.outputs["output_bucket"] = ctx.names.output_bucket


def describe(ctx: StackContext) -> list[tuple[str, str, str]]:
    rows = []
    for bucket in bucket_names(ctx):
        if _exists(ctx.clients.s3, bucket):
            settings = _settings(ctx.clients.s3, bucket)
            days = (settings["lifecycle"] or [{}])[0].get("Expiration", {}).get("Days")
            private = settings["public_access"] == BLOCK_ALL
            rows.append(
                (KIND, bucket, f"present, {'private' if private else 'NOT PRIVATE'}, expiry {days} d")
            )
        else:
            rows.append((KIND, bucket, "absent"))
    return rows


def delete(ctx: StackContext) -> None:
    s3 = ctx.clients.s3
    for bucket in reversed(bucket_names(ctx)):
        if not _exists(s3, bucket) or not has_stack_tag(_tags(s3, bucket), ctx.stack):
            ctx.report.record(ABSENT, KIND, bucket)
            continue
        _empty(s3, bucket)
        s3.delete_bucket(Bucket=bucket)
        s3.get_waiter("bucket_not_exists").wait(Bucket=bucket)
        ctx.report.record(DELETED, KIND, bucket)


def _empty(s3, bucket: str) -> None:
    """Delete every object version and delete marker (a bucket must be empty to go)."""
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket):
        keys = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(keys), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys[start : start + 1000], "Quiet": True})
