"""The rendered CloudFormation template: cfn-lint (which knows every resource's real schema, unlike moto),
and every setting the issue asks for, asserted on the template, including the types moto cannot create."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from datetime import UTC, datetime

import pytest
from cfnlint.api import ManualArgs, lint

from cloud_setup import template
from cloud_setup.cli import build_parser, run
from cloud_setup.open_hours import OpenHours
from cloud_setup.report import Report
from cloud_setup.stack import StackOptions
from job_service.aws.settings import ENVIRONMENT

from .conftest import IMAGE_URI, MODEL_DATA_URL, REGION

HOURS = OpenHours.parse("09:00-18:00", "Europe/Paris")


def _render(**options) -> dict:
    return template.render(StackOptions(name="tt-booth", region=REGION, **options), IMAGE_URI, MODEL_DATA_URL)


@pytest.fixture(scope="module")
def rendered() -> dict:
    return _render(open_hours=HOURS, max_instances=2)


def _of_type(t: dict, kind: str) -> dict:
    return {k: v["Properties"] for k, v in t["Resources"].items() if v["Type"] == kind}


@pytest.mark.slow
@pytest.mark.parametrize(
    "options", [{}, {"open_hours": HOURS, "max_instances": 3, "min_instances": 1, "log_retention_days": 30}]
)
def test_cfn_lint_passes(options):
    text = template.to_json(_render(**options))
    matches = lint(text, config=ManualArgs(regions=[REGION, "us-east-1"]))
    assert matches == [], "\n".join(str(m) for m in matches)


def test_rendering_is_deterministic_and_fits_inline():
    first, second = _render(open_hours=HOURS), _render(open_hours=HOURS)
    assert template.to_json(first, compact=True) == template.to_json(second, compact=True)
    assert len(template.to_json(first, compact=True)) < template.MAX_INLINE_BYTES


def test_template_command_prints_the_template():
    out = io.StringIO()
    argv = [
        "template",
        "--name",
        "tt-print",
        "--region",
        REGION,
        "--open-hours",
        "08:00-20:00",
        "--timezone",
        "Europe/Berlin",
    ]
    with redirect_stdout(out):
        assert run(build_parser().parse_args(argv), Report(out=out)) == 0
    printed = json.loads(out.getvalue())
    [target] = _of_type(printed, "AWS::ApplicationAutoScaling::ScalableTarget").values()
    assert [a["Timezone"] for a in target["ScheduledActions"]] == ["Europe/Berlin"] * 2


def test_buckets_are_private_encrypted_tls_only_and_expire(rendered):
    buckets = _of_type(rendered, "AWS::S3::Bucket")
    assert set(buckets) == {"PhotosBucket", "FramesBucket"}
    for bucket in buckets.values():
        assert all(bucket["PublicAccessBlockConfiguration"].values())
        rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        [expiry] = bucket["LifecycleConfiguration"]["Rules"]
        assert expiry["ExpirationInDays"] == 1 and "Prefix" not in expiry  # every object, photos and frames
    policies = _of_type(rendered, "AWS::S3::BucketPolicy")
    assert {p["Bucket"]["Ref"] for p in policies.values()} == {"PhotosBucket", "FramesBucket"}
    for policy in policies.values():
        [deny] = policy["PolicyDocument"]["Statement"]
        assert deny["Effect"] == "Deny" and deny["Action"] == "s3:*"
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    [event] = buckets["PhotosBucket"]["NotificationConfiguration"]["LambdaConfigurations"]
    assert event["Function"] == {"Fn::GetAtt": ["UploadFunction", "Arn"]}
    assert event["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "uploads/"}]


def test_every_function_has_its_own_log_group_role_and_environment(rendered):
    functions = _of_type(rendered, "AWS::Lambda::Function")
    assert sorted(functions) == [
        "ApiFunction", "CompletionFunction", "ShareFunction", "SweeperFunction", "UploadFunction"
    ]  # fmt: skip
    groups = _of_type(rendered, "AWS::Logs::LogGroup")
    roles = set()
    for function in functions.values():
        group = groups[function["LoggingConfig"]["LogGroup"]["Ref"]]
        assert (
            group["LogGroupName"] == f"/aws/lambda/{function['FunctionName']}"
            and group["RetentionInDays"] == 7
        )
        assert (
            rendered["Resources"][function["LoggingConfig"]["LogGroup"]["Ref"]]["DeletionPolicy"] == "Delete"
        )
        assert function["Handler"].startswith("job_service.aws.handlers.")
        assert function["Code"] == {"S3Bucket": {"Ref": "ArtifactsBucket"}, "S3Key": {"Ref": "LambdaCodeKey"}}
        env = function["Environment"]["Variables"]
        assert set(env) <= set(ENVIRONMENT), set(env) - set(ENVIRONMENT)
        assert (
            env["TIME_TRAVELER_JOB_TIMEOUT_S"] == "900" and env["TIME_TRAVELER_START_INFERENCE"] == "s3-event"
        )
        assert (
            int(env["TIME_TRAVELER_URL_EXPIRES_S"]) <= 300
            and int(env["TIME_TRAVELER_UPLOAD_URL_EXPIRES_S"]) <= 120
        )
        roles.add(function["Role"]["Fn::GetAtt"][0])
    assert len(roles) == 5  # one role per function
    assert functions["CompletionFunction"]["MemorySize"] >= 1536  # the MP4 and GIF are encoded there
    assert functions["CompletionFunction"]["Timeout"] >= 60
    assert groups["EndpointLogGroup"]["LogGroupName"] == "/aws/sagemaker/Endpoints/tt-booth-endpoint"
    dlq = functions["CompletionFunction"]["DeadLetterConfig"]["TargetArn"]
    assert dlq == {"Fn::GetAtt": ["CompletionDeadLetterQueue", "Arn"]}
    assert rendered["Resources"]["CompletionDeadLetterQueue"]["Properties"]["SqsManagedSseEnabled"] is True


def _actions(rendered, role: str) -> dict[str, list]:
    [policy] = rendered["Resources"][role]["Properties"]["Policies"]
    return {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}


def test_roles_are_least_privilege(rendered):
    for role in _of_type(rendered, "AWS::IAM::Role"):
        for statement in _actions(rendered, role).values():
            assert not any(a == "*" or a.endswith(":*") for a in statement["Action"]), statement
            if "*" in statement["Resource"]:
                assert statement["Action"] == ["cloudwatch:PutMetricData", "ecr:GetAuthorizationToken"]
    api = [a for s in _actions(rendered, "ApiFunctionRole").values() for a in s["Action"]]
    assert not {
        "s3:DeleteObject",
        "s3:ListBucket",
        "dynamodb:Scan",
        "dynamodb:Query",
        "dynamodb:DeleteItem",
    } & set(api)
    assert "sagemaker:InvokeEndpointAsync" not in api  # the upload event starts the work
    assert "sagemaker:DescribeEndpoint" in api  # the warming-up stage
    upload = [a for s in _actions(rendered, "UploadFunctionRole").values() for a in s["Action"]]
    assert "sagemaker:InvokeEndpointAsync" in upload and "dynamodb:PutItem" not in upload
    sagemaker = _actions(rendered, "SageMakerRole")
    written = json.dumps(sagemaker["WriteResults"]["Resource"])
    assert "async-output/*" in written and "async-failures/*" in written and "results/" not in written
    assert "tt-model-artifacts/sam/model.tar.gz" in json.dumps(sagemaker["ReadModel"]["Resource"])
    assert "repository/time-traveler-model" in json.dumps(sagemaker["PullImage"]["Resource"])
    share = _actions(rendered, "ShareFunctionRole")  # the public route: reads the job and its share objects only
    assert {sid: st["Action"] for sid, st in share.items()} == {
        "Logs": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "SharePages": ["s3:GetObject"],
        "Jobs": ["dynamodb:GetItem"],
    }
    assert json.dumps(share["SharePages"]["Resource"]).endswith('/results/*/share/*"}]')
    completion = _actions(rendered, "CompletionFunctionRole")
    assert completion["ModelOutput"]["Action"] == ["s3:DeleteObject", "s3:GetObject"]  # reads, then deletes
    assert completion["DeadLetters"]["Action"] == ["sqs:SendMessage"]


def test_api_routes_key_quota_and_gateway_errors(rendered):
    methods = _of_type(rendered, "AWS::ApiGateway::Method")
    keyed = {k: m for k, m in methods.items() if m["ApiKeyRequired"]}
    assert {(m["HttpMethod"], m["ResourceId"]["Ref"]) for m in keyed.values()} == {
        ("GET", "HealthResource"), ("PUT", "UploadsJobIdResource"), ("POST", "UploadsJobIdPresignResource"),
        ("GET", "JobsJobIdResource"), ("GET", "ResultsJobIdFrameResource"),
    }  # fmt: skip
    assert all(m["Integration"]["Type"] == "AWS_PROXY" for m in methods.values())
    assert all("${ApiFunction.Arn}" in m["Integration"]["Uri"]["Fn::Sub"] for m in keyed.values())
    [deployment] = [k for k, v in rendered["Resources"].items() if v["Type"] == "AWS::ApiGateway::Deployment"]
    assert sorted(rendered["Resources"][deployment]["DependsOn"]) == sorted(methods)
    [plan] = _of_type(rendered, "AWS::ApiGateway::UsagePlan").values()
    assert plan["Quota"] == {"Limit": 20000, "Period": "DAY"} and plan["Throttle"]["RateLimit"] == 20.0
    assert plan["ApiStages"] == [{"ApiId": {"Ref": "RestApi"}, "Stage": {"Ref": "ApiStage"}}]
    [key] = _of_type(rendered, "AWS::ApiGateway::UsagePlanKey").values()
    assert key["KeyId"] == {"Ref": "BoothApiKey"}
    responses = {
        r["ResponseType"]: r for r in _of_type(rendered, "AWS::ApiGateway::GatewayResponse").values()
    }
    assert responses["INVALID_API_KEY"]["StatusCode"] == "403"
    assert (
        json.loads(responses["REQUEST_TOO_LARGE"]["ResponseTemplates"]["application/json"])["error"]["code"]
        == "TOO_LARGE"
    )


def test_the_share_route_is_public_throttled_and_served_by_its_own_function(rendered):
    resources = rendered["Resources"]
    public = {k: m for k, m in _of_type(rendered, "AWS::ApiGateway::Method").items() if not m["ApiKeyRequired"]}
    assert {(m["HttpMethod"], m["ResourceId"]["Ref"]) for m in public.values()} == {
        ("GET", "ShareJobIdTokenResource"), ("GET", "ShareJobIdTokenFileResource"),
    }  # fmt: skip
    assert resources["ShareJobIdTokenResource"]["Properties"]["PathPart"] == "{token}"
    for method in public.values():
        assert method["AuthorizationType"] == "NONE" and method["Integration"]["Type"] == "AWS_PROXY"
        assert "${ShareFunction.Arn}" in method["Integration"]["Uri"]["Fn::Sub"]
    functions = _of_type(rendered, "AWS::Lambda::Function")
    assert functions["ShareFunction"]["Handler"] == "job_service.aws.handlers.share_handler"
    # Stage throttling per public method (a usage plan throttles only requests that carry its key).
    [stage] = _of_type(rendered, "AWS::ApiGateway::Stage").values()
    settings = {s["ResourcePath"]: s for s in stage["MethodSettings"]}
    assert set(settings) == {"/~1share~1{job_id}~1{token}", "/~1share~1{job_id}~1{token}~1{file}"}
    for setting in settings.values():
        assert setting["HttpMethod"] == "GET"
        assert 0 < setting["ThrottlingRateLimit"] <= 10 and 0 < setting["ThrottlingBurstLimit"] <= 20
    permission = resources["ShareFunctionApiPermission"]["Properties"]
    assert permission["FunctionName"] == {"Ref": "ShareFunction"}
    assert permission["SourceArn"]["Fn::Sub"].endswith("${RestApi}/*/GET/share/*")


def test_endpoint_uses_the_gpu_ami_and_start_up_timeouts(rendered):
    [config] = _of_type(rendered, "AWS::SageMaker::EndpointConfig").values()
    [variant] = config["ProductionVariants"]
    assert variant["InferenceAmiVersion"] == "al2-ami-sagemaker-inference-gpu-3-1"  # NVIDIA 550, CUDA 12.4
    assert variant["ContainerStartupHealthCheckTimeoutInSeconds"] >= 300
    assert variant["ModelDataDownloadTimeoutInSeconds"] >= 600
    output = config["AsyncInferenceConfig"]["OutputConfig"]
    assert output["S3OutputPath"] == {"Fn::Sub": "s3://${FramesBucket}/async-output/"}
    assert output["NotificationConfig"] == {
        "SuccessTopic": {"Ref": "InferenceSuccessTopic"}, "ErrorTopic": {"Ref": "InferenceErrorTopic"}
    }  # fmt: skip
    subscriptions = _of_type(rendered, "AWS::SNS::Subscription").values()
    assert {s["TopicArn"]["Ref"] for s in subscriptions} == {"InferenceSuccessTopic", "InferenceErrorTopic"}


def test_scaling_wakes_from_zero_and_keeps_an_instance_in_opening_hours(rendered):
    [target] = _of_type(rendered, "AWS::ApplicationAutoScaling::ScalableTarget").values()
    assert (target["MinCapacity"], target["MaxCapacity"]) == (0, 2)
    actions = {a["ScheduledActionName"]: a for a in target["ScheduledActions"]}
    assert actions["open"]["Schedule"] == "cron(45 8 * * ? *)"  # 15 minutes before opening
    assert actions["open"]["ScalableTargetAction"] == {"MinCapacity": 1, "MaxCapacity": 2}
    assert actions["close"]["Schedule"] == "cron(0 18 * * ? *)"
    assert actions["close"]["ScalableTargetAction"] == {"MinCapacity": 0, "MaxCapacity": 2}
    assert {a["Timezone"] for a in actions.values()} == {"Europe/Paris"}
    policies = {
        p["PolicyType"]: p for p in _of_type(rendered, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
    }
    metric = policies["TargetTrackingScaling"]["TargetTrackingScalingPolicyConfiguration"][
        "CustomizedMetricSpecification"
    ]
    assert metric["MetricName"] == "ApproximateBacklogSizePerInstance"
    [alarm] = _of_type(rendered, "AWS::CloudWatch::Alarm").values()
    assert alarm["MetricName"] == "HasBacklogWithoutCapacity" and alarm["AlarmActions"] == [
        {"Ref": "WakeScalingPolicy"}
    ]
    assert HOURS.is_open(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))  # 09:00 in Paris
    assert not HOURS.is_open(datetime(2026, 12, 1, 17, 30, tzinfo=UTC))  # 18:30 in Paris


def test_job_timeout_stays_above_the_wake_up_time():
    assert StackOptions(name="tt-a", region=REGION).job_timeout == 900
    assert StackOptions(name="tt-a", region=REGION, min_instances=1).job_timeout == 300
    with pytest.raises(ValueError, match="wake"):
        StackOptions(name="tt-a", region=REGION, job_timeout_s=300)
    assert StackOptions(name="tt-a", region=REGION, min_instances=1, job_timeout_s=120).job_timeout == 120
    with pytest.raises(ValueError, match="GPU"):
        StackOptions(name="tt-a", region=REGION, instance_type="ml.c5.xlarge")


@pytest.mark.parametrize(
    "hours, zone",
    [("9-18", "UTC"), ("18:00-09:00", "UTC"), ("09:00-25:00", "UTC"), ("09:00-18:00", "Mars/Olympus")],
)
def test_bad_opening_hours_are_refused(hours, zone):
    with pytest.raises(ValueError):
        OpenHours.parse(hours, zone)


def test_model_source_must_be_ecr_and_s3():
    with pytest.raises(ValueError, match="ECR"):
        template.render(StackOptions(name="tt-a", region=REGION), "docker.io/me/model:1", MODEL_DATA_URL)
    with pytest.raises(ValueError, match="s3://"):
        template.render(
            StackOptions(name="tt-a", region=REGION), IMAGE_URI, "https://example.com/model.tar.gz"
        )
