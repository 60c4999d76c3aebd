"""Least-privilege roles: one per Lambda function and one for the SageMaker endpoint.

Each role has exactly one inline policy naming this stack's resources by ARN; nothing uses `*`
except the two ECR/CloudWatch actions AWS does not scope to a resource.
"""

from __future__ import annotations

import json
import re

from botocore.exceptions import ClientError

from cloud_setup.context import StackContext, is_missing
from cloud_setup.report import ABSENT, CREATED, DELETED, UNCHANGED, UPDATED
from cloud_setup.stack import has_stack_tag, tag_list

KIND = "iam role"
ROLE_PURPOSES = ("api-lambda", "completion-lambda", "sweeper-lambda", "sagemaker")
POLICY_NAME = "time-traveler"
ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/(?P<repo>[^:@]+)"
)
S3_URL = re.compile(r"^s3://(?P<bucket>[^/]+)/(?P<key>.+)$")


def trust(service: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }


def _statement(actions, resources, sid: str) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": sorted(resources)}


def _logs(ctx: StackContext, function: str) -> dict:
    names = ctx.names
    return _statement(
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        [names.log_group_arn(function)],
        "Logs",
    )


def role_names(ctx: StackContext) -> dict[str, str]:
    """purpose -> role name (IAM is global, so the region is part of the name)."""
    prefix = f"{ctx.names.region}"
    return {purpose: ctx.names.role(f"{prefix}-{purpose}") for purpose in ROLE_PURPOSES}


def policies(ctx: StackContext) -> dict[str, tuple[str, dict]]:
    """purpose -> (trusted service, inline policy document)."""
    n = ctx.names
    photos, frames = n.bucket_arn(n.input_bucket), n.bucket_arn(n.output_bucket)
    api = [
        _logs(ctx, n.function("api")),
        _statement(["s3:PutObject", "s3:GetObject", "s3:DeleteObject"], [f"{photos}/*"], "Photos"),
        _statement(["s3:GetObject", "s3:DeleteObject"], [f"{frames}/*"], "Frames"),
        _statement(["s3:ListBucket"], [photos, frames], "ListForCleanup"),
        _statement(
            [
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
                "dynamodb:Scan",
                "dynamodb:Query",
            ],
            [n.table_arn],
            "Jobs",
        ),
        _statement(["sagemaker:InvokeEndpointAsync"], [n.endpoint_arn], "Inference"),
    ]
    completion = [
        _logs(ctx, n.function("completion")),
        _statement(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], [f"{frames}/*"], "Frames"),
        _statement(["s3:GetObject", "s3:DeleteObject"], [f"{photos}/*"], "Photos"),
        _statement(["s3:ListBucket"], [photos, frames], "ListForCleanup"),
        _statement(
            ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:Scan"],
            [n.table_arn],
            "Jobs",
        ),
    ]
    sweeper = [
        _logs(ctx, n.function("sweeper")),
        _statement(["s3:DeleteObject"], [f"{photos}/*", f"{frames}/*"], "DeleteExpired"),
        _statement(["s3:ListBucket"], [photos, frames], "ListForCleanup"),
        _statement(
            ["dynamodb:Scan", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
            [n.table_arn],
            "Jobs",
        ),
    ]
    sagemaker = [
        _statement(["s3:GetObject"], [f"{photos}/*"], "ReadPhotos"),
        _statement(["s3:PutObject"], [f"{frames}/*"], "WriteResults"),
        _statement(["sns:Publish"], [n.topic_arn(n.success_topic), n.topic_arn(n.error_topic)], "Notify"),
        _statement(
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            [n.arn("logs", "log-group:/aws/sagemaker/Endpoints/*")],
            "Logs",
        ),
        # These two actions cannot be scoped to a resource.
        _statement(["ecr:GetAuthorizationToken", "cloudwatch:PutMetricData"], ["*"], "Unscoped"),
    ]
    image = ECR_IMAGE.match(ctx.outputs.get("image_uri") or "")
    if image:
        repository = f"arn:aws:ecr:{image['region']}:{image['account']}:repository/{image['repo']}"
        sagemaker.append(
            _statement(
                ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
                [repository],
                "PullImage",
            )
        )
    model = S3_URL.match(ctx.outputs.get("model_data_url") or "")
    if model:
        sagemaker.append(
            _statement(["s3:GetObject"], [f"arn:aws:s3:::{model['bucket']}/{model['key']}"], "ReadModel")
        )
    document = lambda statements: {"Version": "2012-10-17", "Statement": statements}  # noqa: E731
    return {
        "api-lambda": ("lambda.amazonaws.com", document(api)),
        "completion-lambda": ("lambda.amazonaws.com", document(completion)),
        "sweeper-lambda": ("lambda.amazonaws.com", document(sweeper)),
        "sagemaker": ("sagemaker.amazonaws.com", document(sagemaker)),
    }


def _get_role(iam, name: str) -> dict | None:
    try:
        return iam.get_role(RoleName=name)["Role"]
    except ClientError as exc:
        if is_missing(exc):
            return None
        raise


def _as_dict(document) -> dict:
    return json.loads(document) if isinstance(document, str) else document


def _inline_policy(iam, name: str) -> dict | None:
    try:
        return _as_dict(iam.get_role_policy(RoleName=name, PolicyName=POLICY_NAME)["PolicyDocument"])
    except ClientError as exc:
        if is_missing(exc):
            return None
        raise


def _owned(iam, name: str, stack: str) -> bool:
    return has_stack_tag(iam.list_role_tags(RoleName=name).get("Tags", []), stack)


def ensure(ctx: StackContext) -> None:
    iam = ctx.clients.iam
    names = role_names(ctx)
    for purpose, (service, policy) in policies(ctx).items():
        name = names[purpose]
        role = _get_role(iam, name)
        action = UNCHANGED
        if role is None:
            role = iam.create_role(
                RoleName=name,
                AssumeRolePolicyDocument=json.dumps(trust(service)),
                Description=f"Time Traveler {purpose} of stack {ctx.stack}",
                Tags=tag_list(ctx.stack),
            )["Role"]
            iam.get_waiter("role_exists").wait(RoleName=name)
            action = CREATED
        elif not _owned(iam, name, ctx.stack):
            raise RuntimeError(
                f"role {name} exists but does not belong to stack {ctx.stack}; refusing to adopt it"
            )
        elif _as_dict(role["AssumeRolePolicyDocument"]) != trust(service):
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust(service)))
            action = UPDATED
        if _inline_policy(iam, name) != policy:
            iam.put_role_policy(RoleName=name, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(policy))
            action = action if action == CREATED else UPDATED
        ctx.outputs[f"{purpose}_role_arn"] = role["Arn"]
        ctx.report.record(action, KIND, name, f"assumed by {service}")


def describe(ctx: StackContext) -> list[tuple[str, str, str]]:
    rows = []
    for name in role_names(ctx).values():
        role = _get_role(ctx.clients.iam, name)
        rows.append((KIND, name, "absent" if role is None else "present"))
    return rows


def delete(ctx: StackContext) -> None:
    iam = ctx.clients.iam
    for name in reversed(list(role_names(ctx).values())):
        if _get_role(iam, name) is None or not _owned(iam, name, ctx.stack):
            ctx.report.record(ABSENT, KIND, name)
            continue
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
        for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=name, PolicyArn=attached["PolicyArn"])
        iam.delete_role(RoleName=name)
        ctx.report.record(DELETED, KIND, name)
