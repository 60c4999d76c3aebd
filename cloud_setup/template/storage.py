"""The photo and frame buckets (private, encrypted, TLS only, expiring) and the DynamoDB job table."""

from __future__ import annotations

from cloud_setup.stack import StackOptions
from cloud_setup.template.cfn import get_att, ref, sub
from job_service.aws.dynamo_table import TTL_ATTRIBUTE
from job_service.model import UPLOADS_PREFIX

BLOCK_ALL = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
ENCRYPTION = {
    "ServerSideEncryptionConfiguration": [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}
    ]
}


def bucket_name(options: StackOptions, purpose: str) -> dict:
    """`NAME-PURPOSE-ACCOUNT-REGION`: S3 names are global, so account and region make them unique."""
    return sub(f"{options.name}-{purpose}-${{AWS::AccountId}}-${{AWS::Region}}")


def bucket_arn(options: StackOptions, purpose: str, objects: str | None = None) -> dict:
    """The bucket's ARN (or its objects' under a prefix) built from its name, not a GetAtt: the photo
    bucket's upload event needs the upload function, whose role names the bucket, so a reference would loop."""
    suffix = "" if objects is None else f"/{objects}*"
    return sub(
        f"arn:${{AWS::Partition}}:s3:::{options.name}-{purpose}-${{AWS::AccountId}}-${{AWS::Region}}{suffix}"
    )


def lifecycle(days: int) -> dict:
    """Attendee photos, async outputs and frames are personal data: every object expires after `days`."""
    return {
        "Rules": [
            {
                "Id": "expire-attendee-data",
                "Status": "Enabled",
                "ExpirationInDays": days,
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
            }
        ]
    }


def private_bucket(name: dict, expire_days: int, **properties) -> dict:
    return {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Delete",
        "UpdateReplacePolicy": "Delete",
        "Properties": {
            "BucketName": name,
            "PublicAccessBlockConfiguration": BLOCK_ALL,
            "BucketEncryption": ENCRYPTION,
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "LifecycleConfiguration": lifecycle(expire_days),
            **properties,
        },
    }


def tls_only_policy(bucket_logical_id: str) -> dict:
    """Refuse every request that does not use TLS (presigned URLs included)."""
    return {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": ref(bucket_logical_id),
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "TlsOnly",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [
                            get_att(bucket_logical_id, "Arn"),
                            sub(f"${{{bucket_logical_id}.Arn}}/*"),
                        ],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            },
        },
    }


def resources(options: StackOptions) -> dict:
    photos = private_bucket(
        bucket_name(options, "photos"),
        options.retention_days,
        # An upload (through the API or a presigned POST) starts the work: the same job logic either way.
        NotificationConfiguration={
            "LambdaConfigurations": [
                {
                    "Event": "s3:ObjectCreated:*",
                    "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": UPLOADS_PREFIX}]}},
                    "Function": get_att("UploadFunction", "Arn"),
                }
            ]
        },
    )
    photos["DependsOn"] = ["UploadFunctionS3Permission"]
    return {
        "PhotosBucket": photos,
        "PhotosBucketPolicy": tls_only_policy("PhotosBucket"),
        "FramesBucket": private_bucket(bucket_name(options, "frames"), options.retention_days),
        "FramesBucketPolicy": tls_only_policy("FramesBucket"),
        "JobTable": {
            "Type": "AWS::DynamoDB::Table",
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": {
                "TableName": f"{options.name}-jobs",
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "job_id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "job_id", "KeyType": "HASH"}],
                "TimeToLiveSpecification": {"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
                "SSESpecification": {"SSEEnabled": True},
            },
        },
    }
