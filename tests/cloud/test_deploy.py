"""Deploy against a moto server over HTTP, then check every resource and setting the issue lists."""

from __future__ import annotations

import json
import stat
import tomllib

import pytest

from cloud_setup.stack import STACK_TAG

from .conftest import IMAGE_URI, MODEL_DATA_URL, REGION
from .helpers import cloud, names_in_account

STACK = "tt-booth"
ACCOUNT = "123456789012"
PHOTOS = f"{STACK}-photos-{ACCOUNT}-{REGION}"
FRAMES = f"{STACK}-frames-{ACCOUNT}-{REGION}"
ENDPOINT = f"{STACK}-endpoint"


@pytest.fixture(scope="module")
def deployed(moto_url, tmp_path_factory):
    booth = tmp_path_factory.mktemp("booth") / "booth.toml"
    booth.write_text("[kiosk]\nidle_seconds = 30\n")  # an existing booth config keeps its other settings
    code, report, output = cloud(
        "deploy", STACK, moto_url, "--image-uri", IMAGE_URI, "--model-data-url", MODEL_DATA_URL,
        "--booth-config", str(booth), "--max-instances", "2", "--max-concurrent-invocations", "3",
    )  # fmt: skip
    assert code == 0, output
    return {"report": report, "output": output, "booth": booth}


def _tags_of(aws, kind: str, name: str) -> dict:
    """Tags of one resource as a dict."""
    if kind == "bucket":
        return {t["Key"]: t["Value"] for t in aws("s3").get_bucket_tagging(Bucket=name)["TagSet"]}
    raise AssertionError(kind)


def test_dry_run_prints_the_plan_and_touches_nothing(moto_url, aws):
    before = sorted(names_in_account(aws))
    code, _, output = cloud("deploy", "tt-dry", moto_url, "--dry-run", "--image-uri", IMAGE_URI)
    assert code == 0
    assert "dry run" in output
    for expected in ("tt-dry-photos-", "tt-dry-jobs", "tt-dry-inference-success", "tt-dry-api", "PUT /uploads/{job_id}",
                     "ApproximateBacklogSizePerInstance", "HasBacklogWithoutCapacity", "tt-dry-endpoint"):  # fmt: skip
        assert expected in output, expected
    code, _, output = cloud("teardown", "tt-dry", moto_url, "--dry-run")
    assert code == 0 and "delete buckets" in output
    assert sorted(names_in_account(aws)) == before


def test_buckets_are_private_encrypted_and_expire(deployed, aws):
    s3 = aws("s3")
    for bucket in (PHOTOS, FRAMES):
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values()) and len(block) == 4
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        [lifecycle] = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
        assert lifecycle["Status"] == "Enabled" and lifecycle["Expiration"] == {"Days": 1}
        assert lifecycle["Filter"] == {"Prefix": ""}  # photos, async outputs, frames: all of it
        assert _tags_of(aws, "bucket", bucket)[STACK_TAG] == STACK


def test_job_table_is_on_demand_with_ttl(deployed, aws):
    ddb = aws("dynamodb")
    table = ddb.describe_table(TableName=f"{STACK}-jobs")["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [{"AttributeName": "job_id", "KeyType": "HASH"}]
    ttl = ddb.describe_time_to_live(TableName=f"{STACK}-jobs")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    tags = {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]}
    assert tags[STACK_TAG] == STACK


def test_topics_notify_the_completion_function(deployed, aws):
    completion_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{STACK}-completion"
    policy = json.loads(aws("lambda").get_policy(FunctionName=f"{STACK}-completion")["Policy"])
    for purpose in ("success", "error"):
        topic_arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:{STACK}-inference-{purpose}"
        subs = aws("sns").list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
        assert [(s["Protocol"], s["Endpoint"]) for s in subs] == [("lambda", completion_arn)]
        tags = {
            t["Key"]: t["Value"] for t in aws("sns").list_tags_for_resource(ResourceArn=topic_arn)["Tags"]
        }
        assert tags[STACK_TAG] == STACK
        [statement] = [s for s in policy["Statement"] if s["Sid"] == f"sns-{purpose}"]
        assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
        assert topic_arn in json.dumps(statement["Condition"])


def _role(aws, purpose: str) -> tuple[dict, dict]:
    name = f"{STACK}-{REGION}-{purpose}"
    role = aws("iam").get_role(RoleName=name)["Role"]
    document = aws("iam").get_role_policy(RoleName=name, PolicyName="time-traveler")["PolicyDocument"]
    return role, document if isinstance(document, dict) else json.loads(document)


def test_roles_are_least_privilege(deployed, aws):
    endpoint_arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/{ENDPOINT}"
    for purpose, service in (("api-lambda", "lambda"), ("completion-lambda", "lambda"),
                             ("sweeper-lambda", "lambda"), ("sagemaker", "sagemaker")):  # fmt: skip
        role, policy = _role(aws, purpose)
        trusted = role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]
        assert trusted == f"{service}.amazonaws.com"
        assert {t["Key"]: t["Value"] for t in role["Tags"]}[STACK_TAG] == STACK
        for statement in policy["Statement"]:
            assert not any(action.endswith(":*") or action == "*" for action in statement["Action"]), (
                statement
            )
            if "*" in statement["Resource"]:
                assert statement["Action"] == ["cloudwatch:PutMetricData", "ecr:GetAuthorizationToken"]
            else:
                assert all(STACK in arn or arn.endswith("model.tar.gz") or "time-traveler-model" in arn
                           or "/aws/sagemaker/" in arn for arn in statement["Resource"]), statement  # fmt: skip
    _, api = _role(aws, "api-lambda")
    invoke = [s for s in api["Statement"] if "sagemaker:InvokeEndpointAsync" in s["Action"]]
    assert invoke and invoke[0]["Resource"] == [endpoint_arn]
    _, completion = _role(aws, "completion-lambda")
    assert not any("sagemaker" in a for s in completion["Statement"] for a in s["Action"])
    _, sagemaker = _role(aws, "sagemaker")
    resources = {r for s in sagemaker["Statement"] for r in s["Resource"]}
    assert "arn:aws:s3:::tt-model-artifacts/sam/model.tar.gz" in resources
    assert f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/time-traveler-model" in resources
    assert {
        f"arn:aws:sns:{REGION}:{ACCOUNT}:{STACK}-inference-success",
        f"arn:aws:sns:{REGION}:{ACCOUNT}:{STACK}-inference-error",
    } <= resources


def test_lambda_functions_get_the_job_service_environment(deployed, aws):
    from job_service.aws.settings import ENVIRONMENT

    lam = aws("lambda")
    for purpose, handler in (
        ("api", "api_handler"),
        ("completion", "completion_handler"),
        ("sweeper", "sweeper_handler"),
    ):
        function = lam.get_function(FunctionName=f"{STACK}-{purpose}")
        config = function["Configuration"]
        assert config["Handler"] == f"cloud_setup.handlers.{handler}"
        assert config["Runtime"] == "python3.12"
        assert config["Role"].endswith(f"role/{STACK}-{REGION}-{purpose}-lambda")
        env = config["Environment"]["Variables"]
        assert set(env) <= set(ENVIRONMENT), set(env) - set(ENVIRONMENT)
        assert env["TIME_TRAVELER_INPUT_BUCKET"] == PHOTOS and env["TIME_TRAVELER_OUTPUT_BUCKET"] == FRAMES
        assert env["TIME_TRAVELER_JOB_TABLE"] == f"{STACK}-jobs" and env["TIME_TRAVELER_ENDPOINT_NAME"] == ENDPOINT
        assert function["Tags"][STACK_TAG] == STACK


def test_sweeper_runs_on_a_schedule(deployed, aws):
    events = aws("events")
    rule = events.describe_rule(Name=f"{STACK}-sweeper")
    assert rule["ScheduleExpression"] == "rate(5 minutes)" and rule["State"] == "ENABLED"
    [target] = events.list_targets_by_rule(Rule=f"{STACK}-sweeper")["Targets"]
    assert target["Arn"].endswith(f"function:{STACK}-sweeper")


def test_rest_api_has_the_routes_behind_a_key(deployed, aws):
    apigw = aws("apigateway")
    [api] = [a for a in apigw.get_rest_apis()["items"] if a["name"] == f"{STACK}-api"]
    assert {"image/jpeg", "image/png", "*/*"} <= set(api["binaryMediaTypes"])
    assert api["tags"][STACK_TAG] == STACK
    api_function = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{STACK}-api"
    resources = {r["path"]: r for r in apigw.get_resources(restApiId=api["id"])["items"]}
    for path, method in (("/health", "GET"), ("/uploads/{job_id}", "PUT"), ("/jobs/{job_id}", "GET"),
                         ("/results/{job_id}/{frame}", "GET")):  # fmt: skip
        details = apigw.get_method(restApiId=api["id"], resourceId=resources[path]["id"], httpMethod=method)
        assert details["apiKeyRequired"] is True, path
        integration = details["methodIntegration"]
        assert integration["type"] == "AWS_PROXY" and api_function in integration["uri"]
    stage = apigw.get_stage(restApiId=api["id"], stageName="v1")
    assert stage["deploymentId"]
    responses = {r["responseType"]: r for r in apigw.get_gateway_responses(restApiId=api["id"])["items"]}
    assert responses["INVALID_API_KEY"]["statusCode"] == "403"
    assert "FORBIDDEN" in responses["INVALID_API_KEY"]["responseTemplates"]["application/json"]
    [plan] = [p for p in apigw.get_usage_plans()["items"] if p["name"] == f"{STACK}-booth-plan"]
    assert plan["apiStages"] == [{"apiId": api["id"], "stage": "v1"}]
    assert plan["throttle"] == {"rateLimit": 20.0, "burstLimit": 40}
    [key] = [k for k in apigw.get_api_keys(includeValues=True)["items"] if k["name"] == f"{STACK}-booth-key"]
    assert key["enabled"] and [
        k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]
    ] == [key["id"]]
    policy = json.loads(aws("lambda").get_policy(FunctionName=f"{STACK}-api")["Policy"])
    [permission] = [s for s in policy["Statement"] if s["Sid"] == "apigateway-invoke"]
    assert f"{api['id']}/*" in json.dumps(permission["Condition"])


def test_async_endpoint_config(deployed, aws):
    sm = aws("sagemaker")
    endpoint = sm.describe_endpoint(EndpointName=ENDPOINT)
    assert endpoint["EndpointStatus"] == "InService"
    config = sm.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    [variant] = config["ProductionVariants"]
    assert variant["InstanceType"] == "ml.g4dn.xlarge" and variant["InitialInstanceCount"] == 1
    output = config["AsyncInferenceConfig"]["OutputConfig"]
    assert output["S3OutputPath"] == f"s3://{FRAMES}/async-output/"
    assert output["S3FailurePath"] == f"s3://{FRAMES}/async-failures/"
    assert output["NotificationConfig"] == {
        "SuccessTopic": f"arn:aws:sns:{REGION}:{ACCOUNT}:{STACK}-inference-success",
        "ErrorTopic": f"arn:aws:sns:{REGION}:{ACCOUNT}:{STACK}-inference-error",
    }
    assert config["AsyncInferenceConfig"]["ClientConfig"] == {"MaxConcurrentInvocationsPerInstance": 3}
    model = sm.describe_model(ModelName=variant["ModelName"])
    assert model["PrimaryContainer"]["Image"] == IMAGE_URI
    assert model["PrimaryContainer"]["ModelDataUrl"] == MODEL_DATA_URL
    assert model["ExecutionRoleArn"].endswith(f"role/{STACK}-{REGION}-sagemaker")
    for arn in (endpoint["EndpointArn"], config["EndpointConfigArn"], model["ModelArn"]):
        assert {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}[STACK_TAG] == STACK


def test_autoscaling_to_zero_and_waking(deployed, aws):
    aas = aws("application-autoscaling")
    resource = f"endpoint/{ENDPOINT}/variant/AllTraffic"
    [target] = aas.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=[resource])[
        "ScalableTargets"
    ]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (0, 2)
    assert target["ScalableDimension"] == "sagemaker:variant:DesiredInstanceCount"
    policies = {
        p["PolicyName"]: p
        for p in aas.describe_scaling_policies(ServiceNamespace="sagemaker", ResourceId=resource)[
            "ScalingPolicies"
        ]
    }
    tracking = policies[f"{STACK}-backlog-per-instance"]["TargetTrackingScalingPolicyConfiguration"]
    metric = tracking["CustomizedMetricSpecification"]
    assert metric["MetricName"] == "ApproximateBacklogSizePerInstance"
    assert metric["Dimensions"] == [{"Name": "EndpointName", "Value": ENDPOINT}]
    wake = policies[f"{STACK}-wake-from-zero"]
    assert wake["PolicyType"] == "StepScaling"
    assert wake["StepScalingPolicyConfiguration"]["StepAdjustments"][0]["ScalingAdjustment"] == 1
    [alarm] = aws("cloudwatch").describe_alarms(AlarmNames=[f"{STACK}-has-backlog-without-capacity"])[
        "MetricAlarms"
    ]
    assert alarm["MetricName"] == "HasBacklogWithoutCapacity" and alarm["Namespace"] == "AWS/SageMaker"
    assert alarm["Dimensions"] == [{"Name": "EndpointName", "Value": ENDPOINT}]
    assert alarm["AlarmActions"] == [wake["PolicyARN"]]
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold" and alarm["Threshold"] == 1.0


def test_booth_config_has_the_api_url_and_key(deployed, aws):
    booth = deployed["booth"]
    config = tomllib.loads(booth.read_text())
    apigw = aws("apigateway")
    [api] = [a for a in apigw.get_rest_apis()["items"] if a["name"] == f"{STACK}-api"]
    [key] = [k for k in apigw.get_api_keys(includeValues=True)["items"] if k["name"] == f"{STACK}-booth-key"]
    assert config["backend"] == {
        "url": f"https://{api['id']}.execute-api.{REGION}.amazonaws.com/v1",
        "api_key": key["value"],
    }
    assert config["kiosk"] == {"idle_seconds": 30}
    assert stat.S_IMODE(booth.stat().st_mode) == 0o600


def test_second_deploy_changes_nothing(deployed, moto_url, aws):
    before = sorted(names_in_account(aws))
    # No image or model options: a re-run keeps what the endpoint serves.
    code, report, output = cloud("deploy", STACK, moto_url, "--booth-config", str(deployed["booth"]),
                                 "--max-instances", "2", "--max-concurrent-invocations", "3")  # fmt: skip
    assert code == 0, output
    assert report.changed() == [], output
    assert len(report.changes) == len(deployed["report"].changes)
    assert sorted(names_in_account(aws)) == before


def test_status_lists_every_resource(deployed, moto_url):
    code, _, output = cloud("status", STACK, moto_url)
    assert code == 0, output
    assert "all resources present" in output
    for expected in (PHOTOS, FRAMES, f"{STACK}-jobs", "InService", "0..2 instances", "ENABLED, rate(5 minutes)",
                     f"-> {STACK}-completion", "StepScaling", "TargetTrackingScaling"):  # fmt: skip
        assert expected in output, expected
