"""The AWS side beyond the contract: the real handlers module on moto, event parsing, the Lambda bundle."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import boto3
import numpy as np
import pytest
from moto import mock_aws

from booth_core import job_stage
from job_service.aws import events, functions
from job_service.lambda_bundle import LAMBDA_REQUIREMENTS, lambda_source_paths
from job_service.model import Job, JobStatus
from tests.job_service.conftest import new_id
from tests.job_service.deployments import (
    API_BASE,
    ENDPOINT,
    INPUT_BUCKET,
    OUTPUT_BUCKET,
    REGION,
    TABLE,
    AwsDeployment,
    api_gateway_event,
    create_aws_resources,
    run_model,
    s3_put_event,
    sagemaker_notification,
    sns_event,
)

pytestmark = pytest.mark.timeout(120)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def handler_env(monkeypatch):
    """The environment cloud_setup.template.functions gives the functions, on moto."""
    for name, value in {
        "TIME_TRAVELER_INPUT_BUCKET": INPUT_BUCKET,
        "TIME_TRAVELER_OUTPUT_BUCKET": OUTPUT_BUCKET,
        "TIME_TRAVELER_JOB_TABLE": TABLE,
        "TIME_TRAVELER_ENDPOINT_NAME": ENDPOINT,
        "TIME_TRAVELER_JOB_TIMEOUT_S": "300",
        "TIME_TRAVELER_RETENTION_DAYS": "1",
        "TIME_TRAVELER_API_KEY": "booth-key",
        "TIME_TRAVELER_ENGINE_NAME": "classic",
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    from job_service.aws import handlers

    with mock_aws():
        create_aws_resources(boto3.session.Session(region_name=REGION))
        handlers.reset()
        yield handlers
        handlers.reset()


def _call_api(handlers, method, path, body=b"", headers=None):
    answer = handlers.api_handler(
        api_gateway_event(method, path, body, {"x-api-key": "booth-key", **(headers or {})})
    )
    return answer["statusCode"], json.loads(answer["body"]) if not answer["isBase64Encoded"] else answer


@pytest.mark.slow
def test_handlers_run_a_job_end_to_end(handler_env, classic_engine, photo):
    handlers = handler_env
    job_id = new_id()
    status, document = _call_api(
        handlers, "PUT", f"/uploads/{job_id}", photo, {"content-type": "image/jpeg", "x-target-ages": "30,60"}
    )
    assert status == 202 and document["status"] == "QUEUED" and document["engine"] == "classic"

    # The API function handed the photo to the endpoint (TIME_TRAVELER_START_INFERENCE defaults to `upload`).
    table = boto3.resource("dynamodb", region_name=REGION).Table(TABLE)
    item = table.get_item(Key={"job_id": job_id})["Item"]
    assert item["status"] == "PROCESSING"
    assert int(item["expires_at"]) == pytest.approx(time.time() + 86400, abs=60)  # the DynamoDB TTL attribute
    # A late S3 event for the same photo starts nothing a second time.
    assert handlers.upload_handler(s3_put_event(INPUT_BUCKET, f"uploads/{job_id}", len(photo))) == {
        "started": 0
    }

    # Play the endpoint: moto's invoke_endpoint_async answers the same locations for the same input.
    runtime = boto3.client("sagemaker-runtime", region_name=REGION)
    request = {
        "EndpointName": ENDPOINT,
        "InputLocation": f"s3://{INPUT_BUCKET}/uploads/{job_id}",
        "ContentType": "image/jpeg",
        "CustomAttributes": "ages=30,60",
    }
    response = runtime.invoke_endpoint_async(**request)
    response["InferenceId"] = job_id
    ok, payload = run_model(classic_engine, photo, request)
    assert ok
    bucket, key = response["OutputLocation"].removeprefix("s3://").split("/", 1)
    boto3.client("s3", region_name=REGION).put_object(Bucket=bucket, Key=key, Body=payload)
    assert handlers.completion_handler(sns_event(sagemaker_notification(request, response, ok=True))) == {
        "updated": 1
    }

    status, document = _call_api(handlers, "GET", f"/jobs/{job_id}")
    assert status == 200 and document["status"] == "SUCCESS" and len(document["frames"]) == 3
    assert all("X-Amz-Signature" in frame["url"] for frame in document["frames"])
    assert f"{OUTPUT_BUCKET}" in document["frames"][0]["url"]
    answer = handlers.api_handler(
        api_gateway_event("GET", f"/results/{job_id}/2.jpg", b"", {"x-api-key": "booth-key"})
    )
    assert answer["isBase64Encoded"] and base64.b64decode(answer["body"])[:3] == b"\xff\xd8\xff"
    # The take-home link: the public route's own handler, with no API key although the API asks for one.
    share_path = document["share"]["url"].removeprefix(API_BASE)
    assert share_path.startswith(f"/share/{job_id}/")
    visit = handlers.share_handler(api_gateway_event("GET", share_path, b"", {}))
    assert visit["statusCode"] == 302 and f"/results/{job_id}/share/index.html?" in visit["headers"]["Location"]
    assert handlers.share_handler(api_gateway_event("GET", share_path + "x", b"", {}))["statusCode"] == 404
    assert handlers.sweeper_handler({}) == {"timed_out": 0, "deleted": 0}
    assert _call_api(handlers, "GET", "/health")[1]["engine"] == "classic"
    assert handlers.api_handler(api_gateway_event("GET", "/health", b"", {}))["statusCode"] == 403


def test_handlers_need_their_environment(monkeypatch):
    from job_service.aws import handlers

    monkeypatch.delenv("TIME_TRAVELER_INPUT_BUCKET", raising=False)
    handlers.reset()
    with pytest.raises(RuntimeError, match="TIME_TRAVELER_INPUT_BUCKET"):
        handlers.api_handler(api_gateway_event("GET", "/health", b"", {}))
    handlers.reset()


def test_old_tt_variables_still_work_with_one_deprecation_line(caplog, monkeypatch):
    from booth_core import environment
    from job_service.aws.settings import AwsSettings

    env = {"TT_INPUT_BUCKET": "old-photos", "TT_JOB_TABLE": "old-jobs", "TIME_TRAVELER_JOB_TIMEOUT_S": "60"}
    monkeypatch.setattr(environment, "_warned", set())  # as in a fresh process
    with caplog.at_level("WARNING", logger="time_traveler.environment"):
        first = AwsSettings.from_env(env)
        AwsSettings.from_env(env)
    assert (first.bucket, first.table, first.job_timeout) == ("old-photos", "old-jobs", 60.0)
    lines = [record.getMessage() for record in caplog.records if "TT_INPUT_BUCKET" in record.getMessage()]
    assert lines == [
        "environment variable TT_INPUT_BUCKET is deprecated; set TIME_TRAVELER_INPUT_BUCKET instead"
    ]
    new_wins = AwsSettings.from_env({**env, "TIME_TRAVELER_INPUT_BUCKET": "new-photos"})
    assert new_wins.bucket == "new-photos"


def test_s3_event_keys_are_url_decoded():
    event = s3_put_event("b", "uploads/a b=c", 1)
    assert event["Records"][0]["s3"]["object"]["key"] == "uploads%2Fa+b%3Dc"
    assert events.s3_event_objects(event) == [("b", "uploads/a b=c")]
    event["Records"][0]["eventName"] = "ObjectRemoved:Delete"
    assert events.s3_event_objects(event) == []


@pytest.mark.slow
def test_s3_events_for_other_objects_start_nothing(tmp_path, classic_engine, photo):
    deployment = AwsDeployment(tmp_path, classic_engine)
    try:
        job_id = new_id()
        for bucket, key in (
            (INPUT_BUCKET, "uploads/../etc"),
            (INPUT_BUCKET, "other/x"),
            ("elsewhere", f"uploads/{job_id}"),
        ):
            assert functions.handle_s3_event(deployment.service, s3_put_event(bucket, key, 1)) == []
        assert deployment.runtime.calls == []
    finally:
        deployment.close()


def test_http_api_v2_events_are_understood():
    body = b"\xff\xd8\xff binary"
    event = {
        "version": "2.0",
        "rawPath": "/prod/jobs/abc%2F..",
        "headers": {"X-Api-Key": "k", "content-type": "image/jpeg"},
        "requestContext": {
            "stage": "prod",
            "http": {"method": "PUT"},
            "domainName": "x.execute-api.eu-west-1.amazonaws.com",
        },
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }
    request = events.api_request_from_event(event)
    assert (request.method, request.path, request.body) == ("PUT", "/jobs/abc/..", body)
    assert (
        request.headers["x-api-key"] == "k"
        and request.base_url == "https://x.execute-api.eu-west-1.amazonaws.com/prod"
    )


def test_async_notifications_parse():
    request = {"EndpointName": "e", "InputLocation": "s3://b/uploads/x", "ContentType": "image/jpeg"}
    response = {"InferenceId": "id", "OutputLocation": "s3://o/out.npy", "FailureLocation": "s3://o/fail.out"}
    ok = events.parse_async_notification(json.dumps(sagemaker_notification(request, response, ok=True)))
    assert ok.succeeded and ok.output_location == "s3://o/out.npy" and ok.input_location == "s3://b/uploads/x"
    failed = events.parse_async_notification(sagemaker_notification(request, response, ok=False))
    assert (
        not failed.succeeded and failed.failure_location == "s3://o/fail.out" and failed.inference_id == "id"
    )
    with pytest.raises(ValueError):
        events.parse_async_notification('{"Type": "SubscriptionConfirmation"}')


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"error": {"code": "NO_FACE", "message": "No face here."}}', ("NO_FACE", "No face here.")),
        (b'{"code": "BAD_IMAGE", "message": "Broken."}', ("BAD_IMAGE", "Broken.")),
        (b'{"error": {"code": "SEGFAULT", "message": "x"}}', ("INFERENCE_FAILED", None)),
        (b'{"error": {"code": "NO_FACE", "message": "' + b"x" * 400 + b'"}}', ("NO_FACE", None)),
        (b"Traceback (most recent call last): ...", ("INFERENCE_FAILED", None)),
        (b"\xff\xfe", ("INFERENCE_FAILED", None)),
    ],
)
def test_failure_reports_become_codes(body, expected):
    assert functions.parse_failure(body) == expected


@pytest.mark.slow
def test_a_strip_of_the_wrong_shape_fails_the_job(tmp_path, classic_engine, photo):
    from booth_core import wire

    deployment = AwsDeployment(tmp_path, classic_engine)
    try:
        deployment.hold = True
        job_id = new_id()
        deployment.request(
            "PUT", f"/uploads/{job_id}", photo, {"Content-Type": "image/jpeg", "X-Target-Ages": "20,70"}
        )
        call = deployment.runtime.calls[0]
        bucket, key = call["response"]["OutputLocation"].removeprefix("s3://").split("/", 1)
        strip = wire.encode_npy(np.zeros((32, 32 * 5, 3), np.uint8))  # five frames for two ages
        deployment.s3.put_object(Bucket=bucket, Key=key, Body=strip)
        message = sagemaker_notification(call["request"], call["response"], ok=True)
        functions.handle_sns_event(deployment.service, deployment.s3, sns_event(message))
        document = deployment.request("GET", f"/jobs/{job_id}").json()
        assert document["status"] == "FAILED" and document["error"]["code"] == "INFERENCE_FAILED"
        assert deployment.s3.list_objects_v2(Bucket=OUTPUT_BUCKET).get("KeyCount") == 0
    finally:
        deployment.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("extra", "attributes", "sitter"),
    [({}, "ages=5,95;layout=photo", None),  # photo-layout frames
     ({"X-Sitter": "senior"}, "ages=5,95;layout=photo;sitter=senior", "senior")],  # the attendee's answer
)
def test_invocation_carries_location_ages_and_job_id(tmp_path, classic_engine, photo, extra, attributes, sitter):
    deployment = AwsDeployment(tmp_path, classic_engine)
    try:
        deployment.hold = True
        job_id = new_id()
        deployment.request(
            "PUT", f"/uploads/{job_id}", photo, {"Content-Type": "image/jpeg", "X-Target-Ages": "5,95", **extra}
        )
        (call,) = deployment.runtime.calls
        assert call["request"]["InputLocation"] == f"s3://{INPUT_BUCKET}/uploads/{job_id}"
        assert call["request"]["CustomAttributes"] == attributes
        assert call["request"]["InferenceId"] == job_id and call["request"]["ContentType"] == "image/jpeg"
        document = deployment.request("GET", f"/jobs/{job_id}").json()
        assert document["status"] == "PROCESSING" and document.get("sitter") == sitter
    finally:
        deployment.close()


@pytest.mark.slow
def test_lambda_bundle_is_complete_and_torch_free(tmp_path):
    """Copy exactly the listed files and import every handler with the repo off the path."""
    for relative in lambda_source_paths():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / relative, target)
    assert set(LAMBDA_REQUIREMENTS) == {"numpy", "pillow", "av"}  # av: the share page's MP4
    site_packages = sysconfig.get_paths()["purelib"]
    code = (
        f"import sys; sys.path[:] = [{str(tmp_path)!r}] + [p for p in sys.path if 'site-packages' not in p] + "
        f"[{site_packages!r}];"
        "import job_service.aws.handlers as h, job_service.aws.functions, job_service.aws.settings;"
        "assert all(callable(getattr(h, n)) for n in ('api_handler', 'share_handler', 'completion_handler', 'upload_handler', 'sweeper_handler'));"
        f"assert h.__file__.startswith({str(tmp_path)!r}), h.__file__;"
        "bad = [m for m in ('torch', 'PySide6', 'starlette', 'uvicorn', 'cv2') if m in sys.modules]; assert not bad, bad"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


class _Endpoint:
    """The control-plane answer DescribeEndpoint gives, with a count of calls (moto's endpoints never scale)."""

    def __init__(self, running: int):
        self.running, self.calls = running, 0

    def describe_endpoint(self, EndpointName):  # noqa: N803 - boto3's argument name
        self.calls += 1
        return {"EndpointStatus": "InService", "ProductionVariants": [{"CurrentInstanceCount": self.running}]}


@pytest.mark.slow
def test_stage_says_warming_up_while_no_instance_runs(tmp_path, classic_engine, photo):
    from job_service.aws.sagemaker_queue import STAGE_CACHE_S, SageMakerAsyncQueue

    now = [0.0]
    endpoint = _Endpoint(running=0)
    queue = SageMakerAsyncQueue(None, ENDPOINT, INPUT_BUCKET, sagemaker=endpoint, clock=lambda: now[0])
    job = Job(new_id(), JobStatus.PROCESSING, 0.0, 0.0, (40,))
    assert queue.stage(job) == job_stage.WARMING_UP and queue.stage(job) == job_stage.WARMING_UP
    assert endpoint.calls == 1  # polls within the cache window read it once
    endpoint.running = 1
    now[0] += STAGE_CACHE_S + 1
    assert queue.stage(job) is None and endpoint.calls == 2

    deployment = AwsDeployment(tmp_path, classic_engine)
    try:
        deployment.hold = True
        endpoint, now[0] = _Endpoint(running=0), 0.0
        deployment.service.queue.sagemaker, deployment.service.queue.clock = endpoint, lambda: now[0]
        job_id = new_id()
        deployment.request("PUT", f"/uploads/{job_id}", photo, {"Content-Type": "image/jpeg"})
        document = deployment.request("GET", f"/jobs/{job_id}").json()
        assert document["status"] == "PROCESSING" and document["stage"] == job_stage.WARMING_UP
        endpoint.running, now[0] = 1, STAGE_CACHE_S + 1  # an instance runs: SageMaker says no more than that
        assert "stage" not in deployment.request("GET", f"/jobs/{job_id}").json()
        deployment.service.fail_job(job_id, "NO_FACE")
        assert "stage" not in deployment.request("GET", f"/jobs/{job_id}").json()  # only while unfinished
    finally:
        deployment.close()


@pytest.mark.slow
def test_a_photo_arriving_by_presigned_upload_is_checked_like_a_put(tmp_path, classic_engine, photo):
    deployment = AwsDeployment(tmp_path, classic_engine)
    try:
        deployment.hold = True
        service, job_id = deployment.service, new_id()
        job, created, form = service.presign_upload(job_id, "image/png", "20,60")
        assert created and job.ages == (20, 60) and form["fields"]["key"] == f"uploads/{job_id}"
        assert form["max_bytes"] == 10 * 1024 * 1024 and form["fields"]["Content-Type"] == "image/png"
        # Not a PNG at all: the upload event fails the job and deletes the body at once.
        service.store.put(f"uploads/{job_id}", b"not a photo", "image/png")
        assert service.accept_stored_upload(job_id) is None
        failed = service.get_job(job_id)
        assert failed.status == "FAILED" and failed.error_code == "BAD_IMAGE"
        assert not service.store.exists(f"uploads/{job_id}")
        # A good one starts inference exactly once.
        good = new_id()
        service.presign_upload(good, "image/jpeg")
        service.store.put(f"uploads/{good}", photo, "image/jpeg")
        assert service.accept_stored_upload(good) is not None
        assert service.accept_stored_upload(good) is None
        assert len(deployment.runtime.calls) == 1
        assert service.presign_upload(good, "image/jpeg")[2] is None  # the photo is there: no new form
    finally:
        deployment.close()
