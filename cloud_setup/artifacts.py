"""The bootstrap stack `NAME-artifacts`: one private bucket the Lambda zip is uploaded to before the main
stack is deployed (CloudFormation can only take Lambda code from S3, and the main stack cannot hold the
bucket its own functions are made from)."""

from __future__ import annotations

from cloud_setup.stack import StackOptions
from cloud_setup.template.storage import bucket_name, private_bucket, tls_only_policy

#: Old zips are kept a while so that a rollback can return to the code it came from.
KEEP_CODE_DAYS = 30


def render(options: StackOptions) -> dict:
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Time Traveler Lambda code bucket of stack {options.name}",
        "Resources": {
            "ArtifactsBucket": private_bucket(bucket_name(options, "artifacts"), KEEP_CODE_DAYS),
            "ArtifactsBucketPolicy": tls_only_policy("ArtifactsBucket"),
        },
        "Outputs": {"ArtifactsBucketName": {"Value": {"Ref": "ArtifactsBucket"}}},
    }


def code_key(sha256_hex: str) -> str:
    """The zip's key, named after its contents: the same code is the same key, so a redeploy changes nothing."""
    return f"lambda/{sha256_hex}.zip"
