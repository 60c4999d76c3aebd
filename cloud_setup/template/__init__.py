"""The whole stack as one CloudFormation template, rendered from the deploy options.

`render(options, image_uri, model_data_url)` returns the template as a dict; the Lambda code's S3
location stays a parameter, so the template can be printed without building anything.
"""

from __future__ import annotations

import json

from cloud_setup.stack import StackOptions
from cloud_setup.template import api, functions, inference, storage
from cloud_setup.template.cfn import get_att, ref

#: CloudFormation's limit for a template sent inline; larger ones go through S3.
MAX_INLINE_BYTES = 51_200


def render(options: StackOptions, image_uri: str, model_data_url: str) -> dict:
    resources = dependencies_first(
        {
            **storage.resources(options),
            **functions.resources(options),
            **api.resources(options),
            **inference.resources(options, image_uri, model_data_url),
        }
    )
    hours = options.open_hours.describe() if options.open_hours else "none"
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": (
            f"Time Traveler photobooth backend {options.name}: {options.instance_type} "
            f"{options.min_instances}..{options.max_instances}, open hours {hours}, "
            f"job timeout {options.job_timeout} s, retention {options.retention_days} d"
        ),
        "Parameters": {
            "ArtifactsBucket": {"Type": "String", "Description": "bucket holding the Lambda zip"},
            "LambdaCodeKey": {
                "Type": "String",
                "Description": "key of the Lambda zip (named after its SHA-256)",
            },
        },
        "Resources": resources,
        "Outputs": {
            "ApiUrl": {"Description": "the booth's backend URL", "Value": api.url_output()},
            "ApiKeyId": {
                "Description": "id of the booth's API key (its value: apigateway get-api-key)",
                "Value": ref("BoothApiKey"),
            },
            "EndpointName": {"Value": get_att("Endpoint", "EndpointName")},
            "PhotosBucketName": {"Value": ref("PhotosBucket")},
            "FramesBucketName": {"Value": ref("FramesBucket")},
            "JobTableName": {"Value": ref("JobTable")},
            "CompletionDeadLetterQueueUrl": {"Value": ref("CompletionDeadLetterQueue")},
            "CompletionDeadLetterQueueArn": {"Value": get_att("CompletionDeadLetterQueue", "Arn")},
            "ImageUri": {"Description": "the model server image (a redeploy keeps it)", "Value": image_uri},
            "ModelDataUrl": {
                "Description": "the model weights (a redeploy keeps them)",
                "Value": model_data_url,
            },
            "JobTimeoutSeconds": {"Value": str(options.job_timeout)},
        },
    }


def dependencies_first(resources: dict) -> dict:
    """The same resources, each after those it names in DependsOn (CloudFormation does not need it; it
    makes the text read in creation order, and tools that create in text order, moto's change sets, work)."""
    ordered: dict = {}

    def place(logical_id: str) -> None:
        if logical_id in ordered:
            return
        for dependency in resources[logical_id].get("DependsOn", []):
            place(dependency)
        ordered[logical_id] = resources[logical_id]

    for logical_id in resources:
        place(logical_id)
    return ordered


def to_json(template: dict, compact: bool = False) -> str:
    """Stable text: the same options give byte-identical templates (a redeploy then sees no change).
    Keys keep their built order (resources dependencies first), which is itself deterministic."""
    if compact:
        return json.dumps(template, separators=(",", ":"))
    return json.dumps(template, indent=2)
