"""What `deploy`, `status`, `teardown` and `template` do, as plain functions of the options and the clients."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from botocore.exceptions import ClientError

from cloud_setup import artifacts, booth_config, changeset, lambda_zip, template
from cloud_setup.clients import Clients
from cloud_setup.report import Report
from cloud_setup.stack import StackNames, StackOptions, stack_tags
from cloud_setup.template.api import STAGE
from cloud_setup.template.inference import VARIANT, instance_type_of, without_scaling


def names_for(options: StackOptions, clients: Clients) -> StackNames:
    return StackNames(options.name, options.region, clients.account_id())


def deployed_values(cfn, name: str) -> dict[str, str]:
    """The literal outputs of the deployed template (image, weights), read from the template itself."""
    if changeset.describe_stack(cfn, name) is None:
        return {}
    outputs = changeset.deployed_template(cfn, name).get("Outputs", {})
    return {key: value["Value"] for key, value in outputs.items() if isinstance(value.get("Value"), str)}


def model_source(options: StackOptions, deployed: dict[str, str]) -> tuple[str, str]:
    """Image and weights: the options, else what the stack serves now (so a redeploy needs neither)."""
    image = options.image_uri or deployed.get("ImageUri")
    data = options.model_data_url or deployed.get("ModelDataUrl")
    if not image or not data:
        raise ValueError(
            "the first deploy needs --image-uri (from inference_container/build_and_push.sh) and "
            "--model-data-url (an s3:// URL of model.tar.gz from `time-traveler package-model`)"
        )
    return image, data


def render_main(options: StackOptions, image_uri: str, model_data_url: str) -> dict:
    return template.render(options, image_uri, model_data_url)


def api_url(rest_api_id: str, region: str) -> str:
    """The stage URL (the template's ApiUrl output, rebuilt from the API's id)."""
    return f"https://{rest_api_id}.execute-api.{region}.amazonaws.com/{STAGE}"


def _deployment(stack: str, body: dict, parameters: dict, tags) -> changeset.Deployment:
    return changeset.Deployment(stack, body, template.to_json(body, compact=True), parameters, tags)


def _detach_scaling_for_new_instance_type(cfn, options, main, tags, report, dry_run) -> None:
    """SageMaker refuses to change a scaled variant's instance type: first deploy the running template
    without its scaling resources (CloudFormation deregisters them), then the new one brings them back."""
    if changeset.describe_stack(cfn, options.name) is None:
        return
    running = changeset.deployed_template(cfn, options.name)
    old, new = instance_type_of(running), instance_type_of(main)
    if old is None or old == new:
        return
    report.note(f"  instance type {old} -> {new}: detaching the endpoint's scaling first")
    stack = changeset.describe_stack(cfn, options.name)
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack.get("Parameters", [])}
    changeset.deploy(
        cfn, _deployment(options.name, without_scaling(running), parameters, tags), report, dry_run
    )


def build_lambda_zip(vendor_deps: bool, cache_dir: Path) -> bytes:
    vendor_dir = lambda_zip.vendor(lambda_zip.requirements(), cache_dir) if vendor_deps else None
    return lambda_zip.build_zip(lambda_zip.source_paths(), vendor_dir=vendor_dir)


def _upload_if_missing(s3, bucket: str, key: str, data: bytes, content_type: str) -> bool:
    """Objects are named after their contents, so one that exists is already right."""
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
            raise
    s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)
    return True


def deploy(
    options: StackOptions,
    clients: Clients,
    report: Report,
    *,
    dry_run: bool = False,
    vendor_deps: bool = True,
    cache_dir: Path | None = None,
) -> dict:
    """Bootstrap stack, Lambda zip, main stack, booth config; returns what the booth needs (url, key, timeout)."""
    cfn, names = clients.cloudformation, names_for(options, clients)
    tags = stack_tags(options.name)
    deployed = deployed_values(cfn, options.name)
    image, data = model_source(options, deployed)
    main = render_main(options, image, data)  # checks the options before anything is touched

    changeset.deploy(
        cfn, _deployment(names.artifacts_stack, artifacts.render(options), {}, tags), report, dry_run
    )
    package = build_lambda_zip(vendor_deps, cache_dir or Path.home() / ".cache" / "time-traveler")
    key = artifacts.code_key(hashlib.sha256(package).hexdigest())
    if not dry_run and _upload_if_missing(
        clients.s3, names.artifacts_bucket, key, package, "application/zip"
    ):
        report.record(
            "created", "lambda zip", f"s3://{names.artifacts_bucket}/{key}", f"{len(package) // 1024} KiB"
        )
    parameters = {"ArtifactsBucket": names.artifacts_bucket, "LambdaCodeKey": key}
    _detach_scaling_for_new_instance_type(cfn, options, main, tags, report, dry_run)
    deployment = _deployment(options.name, main, parameters, tags)
    if len(deployment.body) > template.MAX_INLINE_BYTES and not dry_run:
        template_key = f"templates/{hashlib.sha256(deployment.body.encode()).hexdigest()}.json"
        _upload_if_missing(
            clients.s3, names.artifacts_bucket, template_key, deployment.body.encode(), "application/json"
        )
        url = clients.s3.generate_presigned_url(
            "get_object", Params={"Bucket": names.artifacts_bucket, "Key": template_key}
        )
        deployment = dataclasses.replace(deployment, template_url=url)
    changeset.deploy(cfn, deployment, report, dry_run)
    if dry_run:
        return {}
    made = changeset.physical_ids(cfn, options.name)
    key_value = ""
    if "BoothApiKey" in made:
        key_value = clients.apigateway.get_api_key(apiKey=made["BoothApiKey"], includeValue=True)["value"]
    else:  # only an emulator that skips AWS::ApiGateway::ApiKey (moto) gets here
        report.note("  warning: the stack made no API key; the booth config gets none")
    booth = {
        "url": api_url(made["RestApi"], options.region),
        "api_key": key_value,
        "job_timeout_seconds": float(options.job_timeout),
    }
    path = options.booth_config or booth_config.default_path(options.name)
    changed = booth_config.write(path, **booth)
    report.record(
        "updated" if changed else "unchanged",
        "booth config",
        str(path),
        "[backend] url, api_key, job_timeout_seconds",
    )
    return {**booth, "booth_config": path}


def status(options: StackOptions, clients: Clients, report: Report) -> int:
    """The stack's state and outputs, the endpoint's instances and scaling; 0 when all is complete."""
    cfn = clients.cloudformation
    stack = changeset.describe_stack(cfn, options.name)
    if stack is None:
        report.note(f"stack {options.name}: absent")
        return 1
    state = stack["StackStatus"]
    report.note(
        f"stack {options.name}: {state}"
        + (f" ({stack['StackStatusReason']})" if stack.get("StackStatusReason") else "")
    )
    made = changeset.physical_ids(cfn, options.name)
    values = deployed_values(cfn, options.name)
    rows = {
        "api": api_url(made["RestApi"], options.region) if "RestApi" in made else None,
        "photos bucket": made.get("PhotosBucket"),
        "frames bucket": made.get("FramesBucket"),
        "job table": made.get("JobTable"),
        "image": values.get("ImageUri"),
        "model data": values.get("ModelDataUrl"),
        "job timeout": f"{values['JobTimeoutSeconds']} s" if "JobTimeoutSeconds" in values else None,
        "resources": f"{len(made)} made by the stack",
    }
    for label, value in rows.items():
        if value:
            report.note(f"  {label:<20} {value}")
    # The endpoint's physical id is its ARN.
    endpoint_name = made["Endpoint"].rpartition("endpoint/")[2] if "Endpoint" in made else None
    if endpoint_name:
        endpoint = clients.sagemaker.describe_endpoint(EndpointName=endpoint_name)
        running = sum(v.get("CurrentInstanceCount", 0) for v in endpoint.get("ProductionVariants", []))
        report.note(
            f"  endpoint             {endpoint['EndpointStatus']}, {running} instance(s) running"
            + (" (a photo now waits for an instance to wake)" if running == 0 else "")
        )
        if endpoint.get("FailureReason"):
            report.note(f"  endpoint failure     {endpoint['FailureReason']}")
        targets = clients.application_autoscaling.describe_scalable_targets(
            ServiceNamespace="sagemaker", ResourceIds=[f"endpoint/{endpoint_name}/variant/{VARIANT}"]
        )["ScalableTargets"]
        for target in targets:
            report.note(f"  scaling              {target['MinCapacity']}..{target['MaxCapacity']} instances")
        actions = clients.application_autoscaling.describe_scheduled_actions(
            ServiceNamespace="sagemaker", ResourceId=f"endpoint/{endpoint_name}/variant/{VARIANT}"
        ).get("ScheduledActions", [])
        for action in actions:
            floor = action.get("ScalableTargetAction", {}).get("MinCapacity")
            report.note(
                f"  schedule             {action['ScheduledActionName']}: {action['Schedule']} "
                f"{action.get('Timezone', 'UTC')} -> min {floor}"
            )
        healthy = endpoint["EndpointStatus"] == "InService"
    else:
        healthy = False
    return 0 if state.endswith("_COMPLETE") and "ROLLBACK" not in state and healthy else 1


def _empty_bucket(s3, bucket: str) -> int:
    """Delete every object version and delete marker (a bucket must be empty before its stack can delete it)."""
    count = 0
    try:
        pages = list(s3.get_paginator("list_object_versions").paginate(Bucket=bucket))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NoSuchBucket":
            return 0
        raise
    for page in pages:
        keys = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(keys), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys[start : start + 1000], "Quiet": True})
        count += len(keys)
    return count


def _stack_buckets(cfn, stack: str) -> list[str]:
    buckets = []
    for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack):
        buckets += [
            r["PhysicalResourceId"]
            for r in page["StackResourceSummaries"]
            if r["ResourceType"] == "AWS::S3::Bucket" and r.get("PhysicalResourceId")
        ]
    return buckets


def teardown(options: StackOptions, clients: Clients, report: Report) -> None:
    """Empty the buckets, delete the stack (log groups and all), then the bootstrap stack; drop the booth
    config's [backend] if it points at this stack."""
    cfn, names = clients.cloudformation, names_for(options, clients)
    for stack in (options.name, names.artifacts_stack):
        found = changeset.describe_stack(cfn, stack)
        if found is None:
            report.record("absent", "cloudformation stack", stack)
            continue
        made = changeset.physical_ids(cfn, stack)
        url = api_url(made["RestApi"], options.region) if "RestApi" in made else None
        for bucket in _stack_buckets(cfn, stack):
            removed = _empty_bucket(clients.s3, bucket)
            report.record("emptied", "s3 bucket", bucket, f"{removed} object(s)")
        changeset.delete(cfn, stack, report)
        path = options.booth_config or booth_config.default_path(options.name)
        if url and booth_config.remove_backend(path, url):
            report.record("deleted", "booth config", f"{path} [backend]")
