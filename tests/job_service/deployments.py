"""The two deployments the contract suite runs against, behind one small interface.

- `LocalDeployment`: the real local server over real HTTP (httpx).
- `AwsDeployment`: the AWS adapters on moto, driven through the Lambda functions with API Gateway proxy
  events; S3 upload events and SageMaker async SNS notifications are delivered in their real formats.
  The endpoint's work (the part SageMaker runs) is done by the model server's own `invoke` on the
  same engine, and its answer is written to the output or failure location moto's endpoint returned.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote_plus, urlparse

import httpx
from PIL import Image

REGION = "us-east-1"
INPUT_BUCKET = "tt-input"
OUTPUT_BUCKET = "tt-output"
TABLE = "tt-jobs"
ENDPOINT = "tt-endpoint"
#: Where the proxy events say API Gateway was reached: its default domain and stage, as the booth sees them.
API_HOST = "abc123.execute-api.us-east-1.amazonaws.com"
API_STAGE = "prod"
API_BASE = f"https://{API_HOST}/{API_STAGE}"


def stored_files(server) -> int:
    """Files a local server keeps under its object store (photos, frames, temporaries)."""
    return sum(1 for path in server.store.root.rglob("*") if path.is_file())


def job_rows(server) -> int:
    """Rows in a local server's job table, read from the SQLite file through the test's own connection."""
    with contextlib.closing(sqlite3.connect(server.table.path)) as db:
        return db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]


class FakeClock:
    """A settable clock, so timeouts and retention are tested without sleeping."""

    def __init__(self):
        self._now = time.time()
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


class GatedEngine:
    """A real engine that waits for `release()` before each call (to hold a job in flight).

    Its events are spawn-context multiprocessing events, so it works in the local service's engine
    process as well as in this one.
    """

    def __init__(self, engine):
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.engine = engine
        self.name = engine.name
        self.gate = context.Event()
        self.entered = context.Event()

    def age(self, photo, ages=None, sitter=None):
        self.entered.set()
        if not self.gate.wait(30):
            raise TimeoutError("gate never opened")
        return self.engine.age(photo, ages=ages, sitter=sitter)

    def release(self) -> None:
        self.gate.set()


class RaisingEngine:
    """An engine whose model fails (the INFERENCE_FAILED path)."""

    name = "broken"

    def age(self, photo, ages=None, sitter=None):
        raise RuntimeError("CUDA error: device-side assert triggered")


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def code(self) -> str | None:
        try:
            return self.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            return None


def jpeg_ok(data: bytes) -> tuple[int, int]:
    """Decode `data` as a JPEG; returns its size."""
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    image.load()
    return image.size


class LocalDeployment:
    kind = "local"

    def __init__(
        self, tmp_path: Path, engine, api_key=None, job_timeout=300, clock=None, share=False, **options
    ):
        from job_service.local import start_local_server

        if share:  # the venue share server, on loopback here
            options.setdefault("share_host", "127.0.0.1")
        self.data_dir = tmp_path / "local-data"
        self.clock = clock or FakeClock()
        self.api_key = api_key
        self.server = start_local_server(
            data_dir=self.data_dir,
            api_key=api_key,
            job_timeout=job_timeout,
            engine_instance=engine,
            clock=self.clock,
            sweep_interval=3600,
            **options,
        )
        self.server.wait_ready(120)  # the engine process has loaded (or failed to), as a booth would wait
        self.http = httpx.Client(base_url=self.server.base_url, timeout=30)

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> Reply:
        answer = self.http.request(method, path, content=body or None, headers=headers or {})
        return Reply(answer.status_code, dict(answer.headers), answer.content)

    def fetch(self, url: str, headers: dict | None = None) -> Reply:
        answer = self.http.get(url, headers=headers or {})  # absolute URLs (the share server) too
        return Reply(answer.status_code, dict(answer.headers), answer.content)

    def pump(self) -> None:
        """Local inference runs on its own worker threads."""

    def sweep(self):
        return self.server.service.sweep()

    def stored_objects(self) -> int:
        return stored_files(self.server)

    def job_count(self) -> int:
        return job_rows(self.server)

    def close(self) -> None:
        self.http.close()
        self.server.stop()


@dataclass
class RecordingRuntime:
    """Wraps the boto3 sagemaker-runtime client: the real adapter calls it, the test sees each invocation."""

    client: object
    calls: list = field(default_factory=list)

    def invoke_endpoint_async(self, **kwargs):
        answer = self.client.invoke_endpoint_async(**kwargs)
        self.calls.append({"request": kwargs, "response": answer, "done": False})
        return answer


def proxy_reply(answer: dict) -> Reply:
    """A Lambda proxy answer as the client gets it from API Gateway (base64 bodies decoded)."""
    raw = answer["body"] or ""
    data = base64.b64decode(raw) if answer.get("isBase64Encoded") else raw.encode("utf-8")
    return Reply(answer["statusCode"], {k.lower(): v for k, v in answer["headers"].items()}, data)


def sns_event(message: dict) -> dict:
    """An SNS -> Lambda event carrying `message`, as AWS delivers it."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"arn:aws:sns:{REGION}:123456789012:tt-success:1",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
                    "TopicArn": f"arn:aws:sns:{REGION}:123456789012:tt-success",
                    "Subject": None,
                    "Message": json.dumps(message),
                    "Timestamp": "2026-11-24T18:00:07.000Z",
                    "MessageAttributes": {},
                },
            }
        ]
    }


def sagemaker_notification(
    request: dict, response: dict, ok: bool, failure_reason: str | None = None
) -> dict:
    """A SageMaker async inference notification for one invocation (the format AWS documents)."""
    message = {
        "awsRegion": REGION,
        "eventTime": "2026-11-24T18:00:07.608Z",
        "receivedTime": "2026-11-24T18:00:00.455Z",
        "invocationStatus": "Completed" if ok else "Failed",
        "requestParameters": {
            "accept": request.get("Accept", "application/x-npy"),
            "contentType": request["ContentType"],
            "customAttributes": request.get("CustomAttributes", ""),
            "endpointName": request["EndpointName"],
            "inputLocation": request["InputLocation"],
        },
        "inferenceId": response["InferenceId"],
        "eventVersion": "1.0",
        "eventSource": "aws:sagemaker",
        "eventName": "InferenceResult",
    }
    if ok:
        message["responseParameters"] = {
            "contentType": "application/x-npy",
            "outputLocation": response["OutputLocation"],
        }
    else:
        message["failureReason"] = failure_reason or "ClientError: Received server error (500) from model."
        message["responseParameters"] = {
            "contentType": "application/json",
            "failureLocation": response["FailureLocation"],
        }
    return message


def api_gateway_event(method: str, path: str, body: bytes, headers: dict) -> dict:
    """A REST API (v1) proxy event; `*/*` binary media types make every body base64."""
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {"Host": API_HOST, **headers},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "requestContext": {
            "stage": API_STAGE,
            "httpMethod": method,
            "path": f"/{API_STAGE}{path}",
            "domainName": API_HOST,
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        },
        "body": base64.b64encode(body).decode("ascii") if body else None,
        "isBase64Encoded": bool(body),
    }


def s3_put_event(bucket: str, key: str, size: int) -> dict:
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": REGION,
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": quote_plus(key), "size": size},
                },
            }
        ]
    }


def create_aws_resources(session) -> None:
    s3 = session.client("s3")
    for bucket in (INPUT_BUCKET, OUTPUT_BUCKET):
        s3.create_bucket(Bucket=bucket)
    dynamodb = session.client("dynamodb")
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "job_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "job_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_time_to_live(
        TableName=TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )


def run_model(engine, photo: bytes, request: dict) -> tuple[bool, bytes]:
    """What the endpoint's container does with one invocation: the model server's own code."""
    from booth_core.errors import TimeTravelerError
    from inference_container.model_server.invocation import error_document, invoke

    try:
        return True, invoke(engine, photo, request["ContentType"], request.get("CustomAttributes"))
    except TimeTravelerError as exc:
        return False, json.dumps(error_document(exc.code, exc.message)).encode()
    except Exception:  # noqa: BLE001 - as the model server: a model bug is INFERENCE_FAILED
        return False, json.dumps(error_document("INFERENCE_FAILED", "Internal error.")).encode()


class AwsDeployment:
    """Call `close()` to stop moto. Inference starts on the S3 upload event, as on a stack deployed that way."""

    kind = "aws"

    def __init__(
        self, tmp_path: Path, engine, api_key=None, job_timeout=300, clock=None, share=True, **options
    ):
        """`share` is accepted for symmetry: on AWS the share page is always made."""
        import boto3
        from moto import mock_aws

        from job_service.aws.s3_store import split_s3_url
        from job_service.aws.sagemaker_queue import SageMakerAsyncQueue
        from job_service.aws.settings import AwsSettings, build_service

        self._split = split_s3_url
        self.mock = mock_aws()
        self.mock.start()
        self.engine = engine
        self.clock = clock or FakeClock()
        session = boto3.session.Session(region_name=REGION)
        create_aws_resources(session)
        self.s3 = session.client("s3")
        self.settings = AwsSettings(
            bucket=INPUT_BUCKET,
            results_bucket=OUTPUT_BUCKET,
            table=TABLE,
            endpoint=ENDPOINT,
            region=REGION,
            api_key=api_key,
            job_timeout=job_timeout,
            engine_name=getattr(engine, "name", "sam"),
            start_on_upload=False,
            **options,
        )
        self.runtime = RecordingRuntime(session.client("sagemaker-runtime"))
        queue = SageMakerAsyncQueue(self.runtime, ENDPOINT, INPUT_BUCKET, job_timeout)
        self.service = build_service(self.settings, session=session, queue=queue, clock=self.clock)
        self.hold = False  # True: the endpoint never answers (a stuck job)

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> Reply:
        from job_service.aws import functions

        if method == "GET" and path.startswith("/jobs/"):
            self.pump()  # the endpoint works between a client's polls
        event = api_gateway_event(method, path, body, dict(headers or {}))
        reply = proxy_reply(functions.handle_api_event(self.service, self.settings.api_config(), event))
        if method == "PUT" and reply.status == 202:
            key = f"uploads/{path.rsplit('/', 1)[-1]}"
            functions.handle_s3_event(self.service, s3_put_event(INPUT_BUCKET, key, len(body)))
        return reply

    def visit_share(self, url: str, method: str = "GET") -> Reply:
        """What the public share route answers a phone (no API key): the share function's proxy answer."""
        from job_service.aws import functions

        assert url.startswith(f"{API_BASE}/"), url
        event = api_gateway_event(method, url.removeprefix(API_BASE), b"", {})
        return proxy_reply(functions.handle_share_event(self.service, event))

    def fetch(self, url: str, headers: dict | None = None) -> Reply:
        """A share link goes through the share route and follows its redirect; what a client then GETs is a
        presigned S3 URL (its signature fields checked), fetched over moto's S3 HTTP interface."""
        import requests

        if url.startswith(f"{API_BASE}/"):
            visit = self.visit_share(url)
            if visit.status != 302:
                return visit
            url = visit.headers["location"]
        query = parse_qs(urlparse(url).query)
        assert "X-Amz-Signature" in query or "Signature" in query, url
        answer = requests.get(url, headers=headers or {}, timeout=30, allow_redirects=False)
        return Reply(answer.status_code, {k.lower(): v for k, v in answer.headers.items()}, answer.content)

    def pump(self) -> None:
        """Let the endpoint answer every pending invocation, then deliver its SNS notification."""
        from job_service.aws import functions

        if self.hold:
            return
        for call in self.runtime.calls:
            if call["done"]:
                continue
            call["done"] = True
            request, response = call["request"], call["response"]
            bucket, key = self._split(request["InputLocation"])
            photo = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            ok, payload = run_model(self.engine, photo, request)
            location = response["OutputLocation"] if ok else response["FailureLocation"]
            out_bucket, out_key = self._split(location)
            self.s3.put_object(Bucket=out_bucket, Key=out_key, Body=payload)
            message = sagemaker_notification(request, response, ok)
            functions.handle_sns_event(self.service, self.s3, sns_event(message))

    def sweep(self):
        from job_service.aws import functions

        return functions.sweep(self.service)

    def stored_objects(self) -> int:
        total = 0
        for bucket in (INPUT_BUCKET, OUTPUT_BUCKET):
            total += self.s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0)
        return total

    def job_count(self) -> int:
        return len(self.service.table.table.scan().get("Items", []))

    def close(self) -> None:
        self.mock.stop()


DEPLOYMENTS = {"local": LocalDeployment, "aws": AwsDeployment}
