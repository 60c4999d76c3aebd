"""The SageMaker model, asynchronous endpoint config and endpoint.

Models and endpoint configs are immutable in SageMaker, so they are named after a hash of their
contents: a changed image, instance type or setting makes new ones, the endpoint is updated to
them, and the superseded ones (of this stack only) are removed.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from cloud_setup import autoscaling
from cloud_setup.context import StackContext, is_missing
from cloud_setup.iam import ECR_IMAGE, S3_URL
from cloud_setup.report import ABSENT, CREATED, DELETED, UNCHANGED, UPDATED
from cloud_setup.stack import VARIANT, has_stack_tag, short_hash, tag_list

ASYNC_OUTPUT_PREFIX = "async-output/"
ASYNC_FAILURE_PREFIX = "async-failures/"
#: Async endpoints are created with one instance; auto scaling then takes them to zero when idle.
INITIAL_INSTANCES = 1


def _describe_endpoint(sm, name: str) -> dict | None:
    try:
        return sm.describe_endpoint(EndpointName=name)
    except ClientError as exc:
        if is_missing(exc):
            return None
        raise


def current_model(ctx: StackContext) -> dict | None:
    """The model the stack's endpoint serves now, if any."""
    sm = ctx.clients.sagemaker
    endpoint = _describe_endpoint(sm, ctx.names.endpoint)
    if endpoint is None:
        return None
    config = sm.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    return sm.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])


def resolve_model_source(ctx: StackContext) -> None:
    """Image and model data: the options, else what the endpoint already serves (so a re-run needs neither)."""
    image, data = ctx.options.image_uri, ctx.options.model_data_url
    if not (image and data):
        model = current_model(ctx)
        container = (model or {}).get("PrimaryContainer", {})
        image = image or container.get("Image")
        data = data or container.get("ModelDataUrl")
    if not image or not data:
        raise ValueError(
            "the first deploy needs --image-uri (from inference_container/build_and_push.sh) and "
            "--model-data-url (an s3:// URL of model.tar.gz from `time-traveler package-model`)"
        )
    if not S3_URL.match(data):
        raise ValueError(f"--model-data-url must be an s3://bucket/key URL, not {data}")
    if not ECR_IMAGE.match(image):
        raise ValueError(
            f"--image-uri must be an Amazon ECR image (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG), not {image}"
        )
    ctx.outputs["image_uri"], ctx.outputs["model_data_url"] = image, data


def model_spec(ctx: StackContext) -> tuple[str, dict]:
    container = {
        "Image": ctx.outputs["image_uri"],
        "ModelDataUrl": ctx.outputs["model_data_url"],
        "Environment": {},
    }
    role = ctx.outputs["sagemaker_role_arn"]
    return f"{ctx.names.model_prefix}{short_hash([container, role])}", {
        "PrimaryContainer": container,
        "ExecutionRoleArn": role,
    }


def endpoint_config_spec(ctx: StackContext, model_name: str) -> tuple[str, dict]:
    out = ctx.names.output_bucket
    spec = {
        "ProductionVariants": [
            {
                "VariantName": VARIANT,
                "ModelName": model_name,
                "InitialInstanceCount": INITIAL_INSTANCES,
                "InstanceType": ctx.options.instance_type,
            }
        ],
        "AsyncInferenceConfig": {
            "OutputConfig": {
                "S3OutputPath": f"s3://{out}/{ASYNC_OUTPUT_PREFIX}",
                "S3FailurePath": f"s3://{out}/{ASYNC_FAILURE_PREFIX}",
                "NotificationConfig": {
                    "SuccessTopic": ctx.outputs["success_topic_arn"],
                    "ErrorTopic": ctx.outputs["error_topic_arn"],
                },
            },
            "ClientConfig": {"MaxConcurrentInvocationsPerInstance": ctx.options.max_concurrent_invocations},
        },
    }
    return f"{ctx.names.endpoint_config_prefix}{short_hash(spec)}", spec


def _exists(call, **kwargs) -> bool:
    try:
        call(**kwargs)
        return True
    except ClientError as exc:
        if is_missing(exc):
            return False
        raise


def ensure_model(ctx: StackContext) -> None:
    sm = ctx.clients.sagemaker
    name, spec = model_spec(ctx)
    created = not _exists(sm.describe_model, ModelName=name)
    if created:
        sm.create_model(ModelName=name, Tags=tag_list(ctx.stack), **spec)
    ctx.outputs["model_name"] = name
    ctx.report.record(CREATED if created else UNCHANGED, "sagemaker model", name, ctx.outputs["image_uri"])


def ensure_endpoint_config(ctx: StackContext) -> None:
    sm = ctx.clients.sagemaker
    name, spec = endpoint_config_spec(ctx, ctx.outputs["model_name"])
    created = not _exists(sm.describe_endpoint_config, EndpointConfigName=name)
    if created:
        sm.create_endpoint_config(EndpointConfigName=name, Tags=tag_list(ctx.stack), **spec)
    ctx.outputs["endpoint_config_name"] = name
    detail = f"async, {ctx.options.instance_type}, {ctx.options.max_concurrent_invocations} per instance"
    ctx.report.record(CREATED if created else UNCHANGED, "sagemaker endpoint config", name, detail)


def _wait_in_service(ctx: StackContext) -> None:
    if ctx.options.wait:
        ctx.report.note(
            f"  waiting for endpoint {ctx.names.endpoint} to be InService (GPU endpoints take ~10 min)"
        )
        ctx.clients.sagemaker.get_waiter("endpoint_in_service").wait(
            EndpointName=ctx.names.endpoint, WaiterConfig={"Delay": 30, "MaxAttempts": 120}
        )


def ensure_endpoint(ctx: StackContext) -> None:
    sm, name = ctx.clients.sagemaker, ctx.names.endpoint
    config = ctx.outputs["endpoint_config_name"]
    endpoint = _describe_endpoint(sm, name)
    if endpoint is None:
        sm.create_endpoint(EndpointName=name, EndpointConfigName=config, Tags=tag_list(ctx.stack))
        _wait_in_service(ctx)
        action = CREATED
    else:
        if not has_stack_tag(sm.list_tags(ResourceArn=endpoint["EndpointArn"]).get("Tags", []), ctx.stack):
            raise RuntimeError(f"endpoint {name} exists but does not belong to stack {ctx.stack}")
        if endpoint["EndpointStatus"] in ("Creating", "Updating", "SystemUpdating"):
            _wait_in_service(ctx)
        action = UNCHANGED
        if endpoint["EndpointConfigName"] != config:
            # Scaling is re-registered by the autoscaling step that follows.
            autoscaling.delete(ctx, quiet=True)
            sm.update_endpoint(EndpointName=name, EndpointConfigName=config)
            _wait_in_service(ctx)
            action = UPDATED
    ctx.outputs["endpoint_name"] = name
    ctx.report.record(action, "sagemaker endpoint", name, f"config {config}")
    _remove_superseded(ctx)


def _stack_items(ctx: StackContext, lister: str, key: str, prefix: str) -> list[dict]:
    """Models or endpoint configs whose name starts with the stack prefix and that carry its tag."""
    sm = ctx.clients.sagemaker
    items = []
    for page in sm.get_paginator(lister).paginate(NameContains=prefix):
        for item in page[key]:
            name = item.get("ModelName") or item.get("EndpointConfigName")
            arn = item.get("ModelArn") or item.get("EndpointConfigArn")
            if name.startswith(prefix) and has_stack_tag(
                sm.list_tags(ResourceArn=arn).get("Tags", []), ctx.stack
            ):
                items.append({"name": name, "arn": arn})
    return items


def stack_models(ctx: StackContext) -> list[str]:
    return [m["name"] for m in _stack_items(ctx, "list_models", "Models", ctx.names.model_prefix)]


def stack_endpoint_configs(ctx: StackContext) -> list[str]:
    return [
        c["name"]
        for c in _stack_items(
            ctx, "list_endpoint_configs", "EndpointConfigs", ctx.names.endpoint_config_prefix
        )
    ]


def _remove_superseded(ctx: StackContext) -> None:
    sm = ctx.clients.sagemaker
    for config in stack_endpoint_configs(ctx):
        if config != ctx.outputs["endpoint_config_name"]:
            sm.delete_endpoint_config(EndpointConfigName=config)
            ctx.report.record(DELETED, "sagemaker endpoint config", config, "superseded")
    for model in stack_models(ctx):
        if model != ctx.outputs["model_name"]:
            sm.delete_model(ModelName=model)
            ctx.report.record(DELETED, "sagemaker model", model, "superseded")


def describe(ctx: StackContext) -> list[tuple[str, str, str]]:
    sm = ctx.clients.sagemaker
    rows = [("sagemaker model", name, "present") for name in stack_models(ctx)] or [
        ("sagemaker model", f"{ctx.names.model_prefix}*", "absent")
    ]
    rows += [("sagemaker endpoint config", name, "present") for name in stack_endpoint_configs(ctx)] or [
        ("sagemaker endpoint config", f"{ctx.names.endpoint_config_prefix}*", "absent")
    ]
    endpoint = _describe_endpoint(sm, ctx.names.endpoint)
    if endpoint is None:
        rows.append(("sagemaker endpoint", ctx.names.endpoint, "absent"))
    else:
        variant = (endpoint.get("ProductionVariants") or [{}])[0]
        instances = variant.get("CurrentInstanceCount", 0)
        rows.append(
            (
                "sagemaker endpoint",
                ctx.names.endpoint,
                f"{endpoint['EndpointStatus']}, {instances} instance(s) running",
            )
        )
    return rows


def delete_endpoint(ctx: StackContext) -> None:
    sm, name = ctx.clients.sagemaker, ctx.names.endpoint
    endpoint = _describe_endpoint(sm, name)
    if endpoint is None or not has_stack_tag(
        sm.list_tags(ResourceArn=endpoint["EndpointArn"]).get("Tags", []), ctx.stack
    ):
        ctx.report.record(ABSENT, "sagemaker endpoint", name)
        return
    sm.delete_endpoint(EndpointName=name)
    sm.get_waiter("endpoint_deleted").wait(EndpointName=name, WaiterConfig={"Delay": 15, "MaxAttempts": 80})
    ctx.report.record(DELETED, "sagemaker endpoint", name)


def delete_endpoint_configs(ctx: StackContext) -> None:
    names = stack_endpoint_configs(ctx)
    for name in names:
        ctx.clients.sagemaker.delete_endpoint_config(EndpointConfigName=name)
        ctx.report.record(DELETED, "sagemaker endpoint config", name)
    if not names:
        ctx.report.record(ABSENT, "sagemaker endpoint config", f"{ctx.names.endpoint_config_prefix}*")


def delete_models(ctx: StackContext) -> None:
    names = stack_models(ctx)
    for name in names:
        ctx.clients.sagemaker.delete_model(ModelName=name)
        ctx.report.record(DELETED, "sagemaker model", name)
    if not names:
        ctx.report.record(ABSENT, "sagemaker model", f"{ctx.names.model_prefix}*")
