"""Deploy, redeploy, status and teardown through change sets on a moto server over HTTP.

moto's CloudFormation creates the resource types it supports (buckets, table, topics, queue, roles,
functions, log groups, schedule, REST API and methods, SageMaker model, config and endpoint) and skips
the rest (bucket policies, subscriptions, API stage/key/plan, gateway responses, scaling, alarm), which
test_template.py asserts on the rendered template instead."""

from __future__ import annotations

import stat
import tomllib

import pytest

from .conftest import IMAGE_URI, MODEL_DATA_URL, REGION
from .helpers import cloud, names_in_account

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:Tried to parse")]  # a moto server each
STACK = "tt-booth"
ACCOUNT = "123456789012"
PHOTOS = f"{STACK}-photos-{ACCOUNT}-{REGION}"
FRAMES = f"{STACK}-frames-{ACCOUNT}-{REGION}"
OPTIONS = ("--open-hours", "09:00-18:00", "--timezone", "Europe/Paris", "--max-instances", "2")


@pytest.fixture(scope="module")
def deployed(moto_url, tmp_path_factory):
    booth = tmp_path_factory.mktemp("booth") / "booth.toml"
    booth.write_text('[booth]\nlanguage = "de"\n')  # an existing booth config keeps its other settings
    code, report, output = cloud(
        "deploy", STACK, moto_url, "--image-uri", IMAGE_URI, "--model-data-url", MODEL_DATA_URL,
        "--booth-config", str(booth), *OPTIONS,
    )  # fmt: skip
    assert code == 0, output
    return {"report": report, "output": output, "booth": booth}


def test_dry_run_prints_the_change_set_and_executes_nothing(moto_url, aws, tmp_path):
    before = sorted(names_in_account(aws))
    code, _, output = cloud("deploy", "tt-dry", moto_url, "--dry-run", "--image-uri", IMAGE_URI,
                            "--model-data-url", MODEL_DATA_URL, "--booth-config", str(tmp_path / "b.toml"))  # fmt: skip
    assert code == 0, output
    for expected in ("Change set tt-dry-", "AWS::SageMaker::Endpoint", "AWS::ApiGateway::UsagePlan",
                     "AWS::S3::BucketPolicy", "nothing executed"):  # fmt: skip
        assert expected in output, expected
    assert sorted(names_in_account(aws)) == before
    assert not (tmp_path / "b.toml").exists()


def test_the_stack_made_what_moto_can_make(deployed, aws):
    s3 = aws("s3")
    for bucket in (PHOTOS, FRAMES):  # moto applies a bucket's encryption only; the rest: test_template
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    table = aws("dynamodb").describe_table(TableName=f"{STACK}-jobs")["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [{"AttributeName": "job_id", "KeyType": "HASH"}]
    lam = aws("lambda")
    for purpose in ("api", "share", "upload", "completion", "sweeper"):
        config = lam.get_function_configuration(FunctionName=f"{STACK}-{purpose}")
        assert config["Handler"] == f"job_service.aws.handlers.{purpose}_handler"
        env = config["Environment"]["Variables"]
        assert env["TIME_TRAVELER_INPUT_BUCKET"] == PHOTOS and env["TIME_TRAVELER_OUTPUT_BUCKET"] == FRAMES
        assert env["TIME_TRAVELER_JOB_TIMEOUT_S"] == "900"
    assert any(
        url.endswith(f"/{STACK}-completion-dead-letters") for url in aws("sqs").list_queues()["QueueUrls"]
    )
    iam = aws("iam")
    [api_role] = [
        r["RoleName"]
        for r in iam.list_roles()["Roles"]
        if r["RoleName"].startswith(f"{STACK}-ApiFunctionRole")
    ]
    document = iam.get_role_policy(RoleName=api_role, PolicyName="time-traveler")["PolicyDocument"]
    text = str(document)  # moto keeps the policy as the template's text
    assert "s3:PutObject" in text and "s3:DeleteObject" not in text and "dynamodb:Scan" not in text
    groups = {
        g["logGroupName"]: g for g in aws("logs").describe_log_groups(logGroupNamePrefix="/aws/")["logGroups"]
    }
    assert groups[f"/aws/lambda/{STACK}-api"]["retentionInDays"] == 7
    assert groups[f"/aws/sagemaker/Endpoints/{STACK}-endpoint"]["retentionInDays"] == 7
    topics = {t["TopicArn"].rsplit(":", 1)[1] for t in aws("sns").list_topics()["Topics"]}
    assert {f"{STACK}-inference-success", f"{STACK}-inference-error"} <= topics
    assert aws("events").describe_rule(Name=f"{STACK}-sweeper")["ScheduleExpression"] == "rate(5 minutes)"
    apigw = aws("apigateway")
    [api] = [a for a in apigw.get_rest_apis()["items"] if a["name"] == f"{STACK}-api"]
    paths = {r["path"]: r for r in apigw.get_resources(restApiId=api["id"])["items"]}
    assert "/uploads/{job_id}/presign" in paths
    method = apigw.get_method(
        restApiId=api["id"], resourceId=paths["/uploads/{job_id}"]["id"], httpMethod="PUT"
    )
    assert method["apiKeyRequired"] is True and method["methodIntegration"]["type"] == "AWS_PROXY"
    share = apigw.get_method(
        restApiId=api["id"], resourceId=paths["/share/{job_id}/{token}"]["id"], httpMethod="GET"
    )
    assert share["apiKeyRequired"] is False and f"{STACK}-share" in share["methodIntegration"]["uri"]
    sm = aws("sagemaker")
    [endpoint] = [e for e in sm.list_endpoints()["Endpoints"]]
    config = sm.describe_endpoint_config(
        EndpointConfigName=sm.describe_endpoint(EndpointName=endpoint["EndpointName"])["EndpointConfigName"]
    )
    assert config["AsyncInferenceConfig"]["OutputConfig"]["S3OutputPath"] == f"s3://{FRAMES}/async-output/"


def test_booth_config_gets_url_and_job_timeout(deployed, aws):
    booth = deployed["booth"]
    config = tomllib.loads(booth.read_text())
    [api] = [a for a in aws("apigateway").get_rest_apis()["items"] if a["name"] == f"{STACK}-api"]
    assert config["backend"]["url"] == f"https://{api['id']}.execute-api.{REGION}.amazonaws.com/v1"
    assert config["backend"]["job_timeout_seconds"] == 900.0  # above the endpoint's wake-up time
    assert config["booth"] == {"language": "de"}
    assert stat.S_IMODE(booth.stat().st_mode) == 0o600


def test_second_deploy_changes_nothing(deployed, moto_url, aws):
    before = sorted(names_in_account(aws))
    # No image or model options: a redeploy keeps what the stack serves.
    code, report, output = cloud(
        "deploy", STACK, moto_url, "--booth-config", str(deployed["booth"]), *OPTIONS
    )
    assert code == 0, output
    assert report.changed() == [], output
    assert sorted(names_in_account(aws)) == before


def test_status_reads_the_stack_and_the_endpoint(deployed, moto_url):
    code, _, output = cloud("status", STACK, moto_url)
    assert code == 0, output
    for expected in ("CREATE_COMPLETE", PHOTOS, FRAMES, f"{STACK}-jobs", "InService", "1 instance(s) running",
                     IMAGE_URI, "job timeout          900 s"):  # fmt: skip
        assert expected in output, expected


def test_teardown_empties_the_buckets_and_deletes_both_stacks(moto_url, aws, tmp_path):
    stack = "tt-gone"
    aws("s3").create_bucket(
        Bucket="unrelated-photos", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    booth = tmp_path / "booth.toml"
    code, _, output = cloud("deploy", stack, moto_url, "--image-uri", IMAGE_URI, "--model-data-url", MODEL_DATA_URL,
                            "--booth-config", str(booth))  # fmt: skip
    assert code == 0, output
    photos = f"{stack}-photos-{ACCOUNT}-{REGION}"
    aws("s3").put_object(Bucket=photos, Key="uploads/3f0c0000-0000-4000-8000-000000000000", Body=b"photo")
    assert any(stack in name for name in names_in_account(aws))

    code, report, output = cloud("teardown", stack, moto_url, "--yes", "--booth-config", str(booth))
    assert code == 0, output
    # moto's CloudFormation has no delete for AWS::ApiGateway::RestApi (AWS deletes it with the stack).
    assert [name for name in names_in_account(aws) if stack in name] == [f"{stack}-api"]
    assert "unrelated-photos" in names_in_account(aws)
    assert not booth.exists()  # it held only this stack's [backend]
    assert [c.name for c in report.changes if c.action == "deleted" and c.kind == "cloudformation stack"] == [
        stack,
        f"{stack}-artifacts",
    ]
    code, _, output = cloud("status", stack, moto_url)
    assert code == 1 and "absent" in output
    code, report, _ = cloud("teardown", stack, moto_url, "--yes", "--booth-config", str(booth))
    assert code == 0 and {c.action for c in report.changes} == {"absent"}


def test_a_new_instance_type_detaches_scaling_first(moto_url, aws, tmp_path):
    """SageMaker refuses an instance-type change while scaling is attached, so deploy goes in two change
    sets. moto cannot execute the second (it mishandles replacing an endpoint config on update), so the
    change is checked as a dry run after the first deploy: both change sets are made and shown, none runs."""
    stack = "tt-resize"
    booth = str(tmp_path / "booth.toml")
    source = ("--image-uri", IMAGE_URI, "--model-data-url", MODEL_DATA_URL, "--booth-config", booth)
    assert cloud("deploy", stack, moto_url, *source)[0] == 0
    before = sorted(names_in_account(aws))
    code, _, output = cloud(
        "deploy", stack, moto_url, *source, "--instance-type", "ml.g5.xlarge", "--dry-run"
    )
    assert code == 0, output
    assert "instance type ml.g4dn.xlarge -> ml.g5.xlarge: detaching the endpoint's scaling first" in output
    detach, resize = output.split("Change set ")[-2:]
    assert "Remove" in detach and "AWS::ApplicationAutoScaling::ScalableTarget" in detach
    assert "AWS::SageMaker::EndpointConfig" in resize
    assert output.count("nothing executed") == 2 and sorted(names_in_account(aws)) == before
    assert cloud("teardown", stack, moto_url, "--yes", "--booth-config", booth)[0] == 0
