"""The SageMaker asynchronous endpoint running the model server, its role, its log group, and its scaling:
to zero when idle, back up when a photo waits, and one instance always on during opening hours.

GPU driver: SageMaker's default AMI for ml.g4dn/g5 runs NVIDIA 470 (CUDA 11.4), and the image is built on
pytorch/pytorch:2.5.1-cuda12.4, whose CUDA 12.4 runtime cannot start on that driver. The variant names
the inference AMI whose driver ships exactly CUDA 12.4 (NVIDIA 550), rather than rebuilding the image for
an 11.x CUDA that current PyTorch no longer publishes wheels for.
"""

from __future__ import annotations

import re

from cloud_setup.open_hours import scheduled_actions
from cloud_setup.stack import StackOptions
from cloud_setup.template.cfn import get_att, ref, role, statement, sub
from cloud_setup.template.functions import ASYNC_FAILURE_PREFIX, ASYNC_OUTPUT_PREFIX
from cloud_setup.template.storage import bucket_arn
from job_service.model import UPLOADS_PREFIX

VARIANT = "AllTraffic"
#: NVIDIA driver 550 / CUDA 12.4, for ml.g4dn, g5, g6, p4d, p5 ...: the CUDA the image is built on.
INFERENCE_AMI_VERSION = "al2-ami-sagemaker-inference-gpu-3-1"
#: Loading the 2.3 GB checkpoint onto the GPU and warming the model up, then /ping answers 200.
STARTUP_HEALTH_CHECK_TIMEOUT_S = 600
#: Copying and unpacking model.tar.gz (2.3 GB) from S3 onto the instance.
MODEL_DOWNLOAD_TIMEOUT_S = 900
#: Async endpoints are created with one instance; scaling then takes them to zero when idle.
INITIAL_INSTANCES = 1
#: Queued photos per instance that target tracking aims at; one photo takes seconds on a GPU.
BACKLOG_TARGET = 4.0
SCALE_IN_COOLDOWN_S = 600  # ten quiet minutes before an instance is given back
SCALE_OUT_COOLDOWN_S = 120
WAKE_COOLDOWN_S = 150
ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/(?P<repo>[^:@]+)[:@].+$"
)
S3_URL = re.compile(r"^s3://(?P<bucket>[a-z0-9.-]{3,63})/(?P<key>.+)$")


def check_model_source(image_uri: str, model_data_url: str) -> None:
    if not S3_URL.match(model_data_url or ""):
        raise ValueError(f"--model-data-url must be an s3://bucket/key URL, not {model_data_url!r}")
    if not ECR_IMAGE.match(image_uri or ""):
        raise ValueError(
            f"--image-uri must be an Amazon ECR image (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG), not {image_uri!r}"
        )


#: Logical ids of the scaling resources: SageMaker refuses an instance-type change while they are attached.
SCALING_RESOURCES = ("EndpointScalableTarget", "BacklogScalingPolicy", "WakeScalingPolicy", "WakeAlarm")


def instance_type_of(template: dict) -> str | None:
    """The endpoint's instance type in a rendered (or deployed) template."""
    config = template.get("Resources", {}).get("EndpointConfig", {}).get("Properties", {})
    variants = config.get("ProductionVariants") or [{}]
    return variants[0].get("InstanceType")


def without_scaling(template: dict) -> dict:
    """The same template minus the scaling resources (the first step of an instance-type change)."""
    resources = {k: v for k, v in template["Resources"].items() if k not in SCALING_RESOURCES}
    return {**template, "Resources": resources}


def endpoint_name(options: StackOptions) -> str:
    return f"{options.name}-endpoint"


def _sagemaker_permissions(options: StackOptions, image_uri: str, model_data_url: str) -> list[dict]:
    image, model = ECR_IMAGE.match(image_uri), S3_URL.match(model_data_url)
    return [
        statement("ReadPhotos", ["s3:GetObject"], [bucket_arn(options, "photos", UPLOADS_PREFIX)]),
        statement(
            "WriteResults",
            ["s3:PutObject"],
            [
                bucket_arn(options, "frames", ASYNC_OUTPUT_PREFIX),
                bucket_arn(options, "frames", ASYNC_FAILURE_PREFIX),
            ],
        ),
        statement("Notify", ["sns:Publish"], [ref("InferenceSuccessTopic"), ref("InferenceErrorTopic")]),
        statement(
            "Logs",
            # CreateLogGroup too: SageMaker asks for the group even though the stack made it.
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            [get_att("EndpointLogGroup", "Arn")],
        ),
        statement(
            "PullImage",
            ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
            [
                sub(
                    f"arn:${{AWS::Partition}}:ecr:{image['region']}:{image['account']}:repository/{image['repo']}"
                )
            ],
        ),
        statement(
            "ReadModel",
            ["s3:GetObject"],
            [sub(f"arn:${{AWS::Partition}}:s3:::{model['bucket']}/{model['key']}")],
        ),
        # The two actions AWS does not scope to a resource.
        statement("Unscoped", ["ecr:GetAuthorizationToken", "cloudwatch:PutMetricData"], ["*"]),
    ]


def resources(options: StackOptions, image_uri: str, model_data_url: str) -> dict:
    check_model_source(image_uri, model_data_url)
    endpoint = endpoint_name(options)
    scaling_id = sub(f"endpoint/${{Endpoint.EndpointName}}/variant/{VARIANT}")
    target = {
        "ServiceNamespace": "sagemaker",
        "ResourceId": scaling_id,
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "MinCapacity": options.min_instances,
        "MaxCapacity": options.max_instances,
    }
    if options.open_hours is not None:
        target["ScheduledActions"] = scheduled_actions(
            options.open_hours, options.min_instances, options.max_instances
        )
    return {
        "EndpointLogGroup": {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": {
                "LogGroupName": f"/aws/sagemaker/Endpoints/{endpoint}",
                "RetentionInDays": options.log_retention_days,
            },
        },
        "SageMakerRole": role(
            f"Time Traveler model endpoint of stack {options.name}",
            "sagemaker.amazonaws.com",
            _sagemaker_permissions(options, image_uri, model_data_url),
        ),
        # Model and endpoint config are immutable: CloudFormation replaces them when they change, moves the
        # endpoint over, and rolls the endpoint back to the old ones if the update fails.
        "Model": {
            "Type": "AWS::SageMaker::Model",
            "Properties": {
                "ExecutionRoleArn": get_att("SageMakerRole", "Arn"),
                "PrimaryContainer": {"Image": image_uri, "ModelDataUrl": model_data_url},
            },
        },
        "EndpointConfig": {
            "Type": "AWS::SageMaker::EndpointConfig",
            "Properties": {
                "ProductionVariants": [
                    {
                        "VariantName": VARIANT,
                        "ModelName": get_att("Model", "ModelName"),
                        "InitialInstanceCount": INITIAL_INSTANCES,
                        "InstanceType": options.instance_type,
                        "InferenceAmiVersion": INFERENCE_AMI_VERSION,
                        "ContainerStartupHealthCheckTimeoutInSeconds": STARTUP_HEALTH_CHECK_TIMEOUT_S,
                        "ModelDataDownloadTimeoutInSeconds": MODEL_DOWNLOAD_TIMEOUT_S,
                        "InitialVariantWeight": 1.0,
                    }
                ],
                "AsyncInferenceConfig": {
                    "OutputConfig": {
                        "S3OutputPath": sub(f"s3://${{FramesBucket}}/{ASYNC_OUTPUT_PREFIX}"),
                        "S3FailurePath": sub(f"s3://${{FramesBucket}}/{ASYNC_FAILURE_PREFIX}"),
                        "NotificationConfig": {
                            "SuccessTopic": ref("InferenceSuccessTopic"),
                            "ErrorTopic": ref("InferenceErrorTopic"),
                        },
                    },
                    "ClientConfig": {
                        "MaxConcurrentInvocationsPerInstance": options.max_concurrent_invocations
                    },
                },
            },
        },
        "Endpoint": {
            "Type": "AWS::SageMaker::Endpoint",
            "DependsOn": ["EndpointLogGroup"],
            "Properties": {
                "EndpointName": endpoint,
                "EndpointConfigName": get_att("EndpointConfig", "EndpointConfigName"),
            },
        },
        "EndpointScalableTarget": {
            "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
            "Properties": target,
        },
        # Target tracking scales 1..max on the queue, and in to 0 when it is empty ...
        "BacklogScalingPolicy": {
            "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
            "Properties": {
                "PolicyName": f"{options.name}-backlog-per-instance",
                "PolicyType": "TargetTrackingScaling",
                "ScalingTargetId": ref("EndpointScalableTarget"),
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": BACKLOG_TARGET,
                    "CustomizedMetricSpecification": {
                        "MetricName": "ApproximateBacklogSizePerInstance",
                        "Namespace": "AWS/SageMaker",
                        "Dimensions": [{"Name": "EndpointName", "Value": endpoint}],
                        "Statistic": "Average",
                    },
                    "ScaleInCooldown": SCALE_IN_COOLDOWN_S,
                    "ScaleOutCooldown": SCALE_OUT_COOLDOWN_S,
                },
            },
        },
        # ... but cannot leave 0 (its per-instance metric is undefined there): this step does.
        "WakeScalingPolicy": {
            "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
            "Properties": {
                "PolicyName": f"{options.name}-wake-from-zero",
                "PolicyType": "StepScaling",
                "ScalingTargetId": ref("EndpointScalableTarget"),
                "StepScalingPolicyConfiguration": {
                    "AdjustmentType": "ChangeInCapacity",
                    "MetricAggregationType": "Average",
                    "Cooldown": WAKE_COOLDOWN_S,
                    "StepAdjustments": [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}],
                },
            },
        },
        "WakeAlarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmName": f"{options.name}-has-backlog-without-capacity",
                "AlarmDescription": f"wake the Time Traveler endpoint of stack {options.name} from zero instances",
                "MetricName": "HasBacklogWithoutCapacity",
                "Namespace": "AWS/SageMaker",
                "Dimensions": [{"Name": "EndpointName", "Value": endpoint}],
                "Statistic": "Average",
                "Period": 60,
                "EvaluationPeriods": 1,
                "Threshold": 1.0,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "TreatMissingData": "missing",
                "AlarmActions": [ref("WakeScalingPolicy")],
            },
        },
    }
