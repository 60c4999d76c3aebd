"""The job service's five Lambda functions, each with its own log group and least-privilege role, plus
what invokes them: the API and its public share route (see api.py), the photo bucket's upload event, both
SageMaker topics, a schedule."""

from __future__ import annotations

from dataclasses import dataclass

from booth_core.environment import variable
from cloud_setup.stack import StackOptions
from cloud_setup.template.cfn import arn, get_att, ref, role, statement
from cloud_setup.template.storage import bucket_arn, bucket_name
from job_service.aws.settings import FRAME_URL_EXPIRES_S, INVOCATION_TIMEOUT_S, UPLOAD_URL_EXPIRES_S
from job_service.lambda_bundle import LAMBDA_RUNTIME
from job_service.model import RESULTS_PREFIX, UPLOADS_PREFIX
from job_service.share import share_key

HANDLER_MODULE = "job_service.aws.handlers"
SWEEP_RATE = "rate(5 minutes)"
#: Where SageMaker writes strips and failure bodies inside the frames bucket (inference.py names them too).
ASYNC_OUTPUT_PREFIX = "async-output/"
ASYNC_FAILURE_PREFIX = "async-failures/"
#: Photos go up to the API directly up to this size; larger ones take a presigned POST. Lambda takes 6 MB
#: of request payload, and API Gateway base64-encodes the photo (4/3), so 4 MB is what safely fits.
MAX_PUT_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class FunctionSpec:
    purpose: str  # the function name suffix and the logical id prefix
    handler: str
    timeout: int
    memory: int
    description: str


#: The completion function splits the strip and makes the JPEGs, GIF, MP4 and share page. Measured on one
#: core of the dev CPU for 12 ages at 2048x1536 (the largest a strip gets): 3.4 s and 610 MB peak (4 ages:
#: 1.5 s, 300 MB). 1536 MB gives it most of a vCPU and room for the S3 body beside that; 120 s, many times over.
FUNCTIONS = (
    FunctionSpec("api", "api_handler", 29, 512, "booth REST API (API Gateway proxy)"),
    FunctionSpec("share", "share_handler", 10, 512, "public share route: redirects to a job's share page"),
    FunctionSpec("upload", "upload_handler", 60, 512, "checks an uploaded photo and starts inference"),
    FunctionSpec("completion", "completion_handler", 120, 1536, "turns async inference results into frames"),
    FunctionSpec("sweeper", "sweeper_handler", 120, 512, "times out stuck jobs, deletes expired ones"),
)


def logical(purpose: str, kind: str = "Function") -> str:
    """`api` -> `ApiFunction`, `ApiFunctionRole`, `ApiFunctionLogGroup`."""
    return f"{purpose.capitalize()}{kind}"


def function_name(options: StackOptions, purpose: str) -> str:
    return f"{options.name}-{purpose}"


def environment(options: StackOptions) -> dict:
    """What the handlers read (job_service.aws.settings.ENVIRONMENT)."""
    return {
        variable("INPUT_BUCKET"): bucket_name(options, "photos"),
        variable("OUTPUT_BUCKET"): bucket_name(options, "frames"),
        variable("JOB_TABLE"): f"{options.name}-jobs",
        variable("ENDPOINT_NAME"): f"{options.name}-endpoint",
        variable("JOB_TIMEOUT_S"): str(options.job_timeout),
        variable("RETENTION_DAYS"): str(options.retention_days),
        variable("ENGINE_NAME"): "sam",
        variable("START_INFERENCE"): "s3-event",
        variable("URL_EXPIRES_S"): str(FRAME_URL_EXPIRES_S),
        variable("UPLOAD_URL_EXPIRES_S"): str(UPLOAD_URL_EXPIRES_S),
        variable("MAX_PUT_BYTES"): str(MAX_PUT_BYTES),
        variable("INVOCATION_TIMEOUT_S"): str(INVOCATION_TIMEOUT_S),
    }


def _list(options: StackOptions, purpose: str, prefix: str) -> dict:
    return statement(
        "ListOwnPrefix",
        ["s3:ListBucket"],
        [bucket_arn(options, purpose)],
        Condition={"StringLike": {"s3:prefix": [f"{prefix}*"]}},
    )


def permissions(options: StackOptions, purpose: str) -> list[dict]:
    """Exactly what each handler calls, on exactly this stack's resources."""
    table = [get_att("JobTable", "Arn")]
    endpoint = arn("sagemaker", f"endpoint/{options.name}-endpoint")
    logs = statement(
        "Logs", ["logs:CreateLogStream", "logs:PutLogEvents"], [get_att(logical(purpose, "LogGroup"), "Arn")]
    )
    photos, frames = (
        bucket_arn(options, "photos", UPLOADS_PREFIX),
        bucket_arn(options, "frames", RESULTS_PREFIX),
    )
    if purpose == "api":
        # PutObject also signs the presigned upload form; GetObject answers HeadObject.
        return [
            logs,
            statement("Photos", ["s3:PutObject", "s3:GetObject"], [photos]),
            statement("Frames", ["s3:GetObject"], [frames]),
            statement("Jobs", ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], table),
            statement("EndpointState", ["sagemaker:DescribeEndpoint"], [endpoint]),
        ]
    if purpose == "share":
        # Reads only: the job, its token, and the share objects it signs GETs for (never frames or photos).
        # Without s3:ListBucket a missing object reads as AccessDenied: the route answers 404 either way.
        return [
            logs,
            statement("SharePages", ["s3:GetObject"], [bucket_arn(options, "frames", share_key("*", ""))]),
            statement("Jobs", ["dynamodb:GetItem"], table),
        ]
    if purpose == "upload":
        return [
            logs,
            statement("Photos", ["s3:GetObject", "s3:DeleteObject"], [photos]),
            statement("Jobs", ["dynamodb:GetItem", "dynamodb:UpdateItem"], table),
            statement("Inference", ["sagemaker:InvokeEndpointAsync"], [endpoint]),
        ]
    if purpose == "completion":
        return [
            logs,
            statement(
                "ModelOutput",
                ["s3:GetObject", "s3:DeleteObject"],
                [
                    bucket_arn(options, "frames", ASYNC_OUTPUT_PREFIX),
                    bucket_arn(options, "frames", ASYNC_FAILURE_PREFIX),
                ],
            ),
            statement("Frames", ["s3:PutObject", "s3:DeleteObject"], [frames]),
            _list(options, "frames", RESULTS_PREFIX),
            statement("Jobs", ["dynamodb:GetItem", "dynamodb:UpdateItem"], table),
            statement("DeadLetters", ["sqs:SendMessage"], [get_att("CompletionDeadLetterQueue", "Arn")]),
        ]
    if purpose == "sweeper":
        return [
            logs,
            statement("DeleteExpired", ["s3:DeleteObject"], [photos, frames]),
            _list(options, "frames", RESULTS_PREFIX),
            statement(
                "Jobs",
                ["dynamodb:Scan", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
                table,
            ),
        ]
    raise ValueError(purpose)


def _function(options: StackOptions, spec: FunctionSpec) -> dict:
    properties = {
        "FunctionName": function_name(options, spec.purpose),
        "Description": f"Time Traveler {spec.description}",
        "Runtime": LAMBDA_RUNTIME,
        "Architectures": ["x86_64"],
        "Handler": f"{HANDLER_MODULE}.{spec.handler}",
        "Code": {"S3Bucket": ref("ArtifactsBucket"), "S3Key": ref("LambdaCodeKey")},
        "Role": get_att(logical(spec.purpose, "FunctionRole"), "Arn"),
        "Timeout": spec.timeout,
        "MemorySize": spec.memory,
        "Environment": {"Variables": environment(options)},
        "LoggingConfig": {"LogGroup": ref(logical(spec.purpose, "LogGroup")), "LogFormat": "Text"},
    }
    if spec.purpose == "completion":
        properties["DeadLetterConfig"] = {"TargetArn": get_att("CompletionDeadLetterQueue", "Arn")}
    return {"Type": "AWS::Lambda::Function", "Properties": properties}


def _permission(function: str, principal: str, source_arn, **extra) -> dict:
    return {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "FunctionName": ref(logical(function)),
            "Action": "lambda:InvokeFunction",
            "Principal": principal,
            "SourceArn": source_arn,
            **extra,
        },
    }


def resources(options: StackOptions) -> dict:
    out: dict = {}
    for spec in FUNCTIONS:
        out[logical(spec.purpose, "LogGroup")] = {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": {
                "LogGroupName": f"/aws/lambda/{function_name(options, spec.purpose)}",
                "RetentionInDays": options.log_retention_days,
            },
        }
        out[logical(spec.purpose, "FunctionRole")] = role(
            f"Time Traveler {spec.purpose} function of stack {options.name}",
            "lambda.amazonaws.com",
            permissions(options, spec.purpose),
        )
        out[logical(spec.purpose)] = _function(options, spec)

    # The upload event (the bucket's ARN by name, so that the bucket can depend on this permission).
    out["UploadFunctionS3Permission"] = _permission(
        "upload", "s3.amazonaws.com", bucket_arn(options, "photos"), SourceAccount=ref("AWS::AccountId")
    )
    # SageMaker's notifications, and where they go when the completion function keeps failing on one.
    out["CompletionDeadLetterQueue"] = {
        "Type": "AWS::SQS::Queue",
        "DeletionPolicy": "Delete",
        "UpdateReplacePolicy": "Delete",
        "Properties": {
            "QueueName": f"{options.name}-completion-dead-letters",
            "SqsManagedSseEnabled": True,
            "MessageRetentionPeriod": 4 * 86400,  # the notices hold job ids and S3 locations, no photo
        },
    }
    for purpose in ("success", "error"):
        topic = f"Inference{purpose.capitalize()}Topic"
        out[topic] = {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": f"{options.name}-inference-{purpose}"},
        }
        out[f"{topic}Subscription"] = {
            "Type": "AWS::SNS::Subscription",
            "Properties": {
                "TopicArn": ref(topic),
                "Protocol": "lambda",
                "Endpoint": get_att("CompletionFunction", "Arn"),
            },
        }
        out[f"{topic}Permission"] = _permission("completion", "sns.amazonaws.com", ref(topic))
    out["SweeperSchedule"] = {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "Name": f"{options.name}-sweeper",
            "Description": f"Time Traveler job sweeper of stack {options.name}",
            "ScheduleExpression": SWEEP_RATE,
            "State": "ENABLED",
            "Targets": [{"Id": "sweeper", "Arn": get_att("SweeperFunction", "Arn")}],
        },
    }
    out["SweeperSchedulePermission"] = _permission(
        "sweeper", "events.amazonaws.com", get_att("SweeperSchedule", "Arn")
    )
    return out
