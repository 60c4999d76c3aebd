"""Lambda event formats: API Gateway proxy events (REST v1 and HTTP API v2), S3 notifications,
and SNS messages carrying SageMaker async inference notifications."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from urllib.parse import unquote, unquote_plus

from booth_core.limits import MAX_UPLOAD_BYTES
from job_service.api import ApiRequest, ApiResponse


# --- API Gateway ---------------------------------------------------------------------------------
def api_request_from_event(event: dict) -> ApiRequest:
    """An API Gateway proxy event as the framework-free ApiRequest (binary bodies arrive base64-encoded)."""
    context = event.get("requestContext") or {}
    http = context.get("http") or {}
    method = event.get("httpMethod") or http.get("method") or "GET"
    path = event.get("path") or event.get("rawPath") or "/"
    stage = context.get("stage")
    if "rawPath" in event and "path" not in event and stage and stage != "$default":
        path = path.removeprefix(f"/{stage}") or "/"
    headers = {str(name).lower(): str(value) for name, value in (event.get("headers") or {}).items()}
    raw = event.get("body") or ""
    body = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode("utf-8")
    host = headers.get("host") or context.get("domainName")
    base_url = ""
    if host:
        # The default execute-api domain carries the stage in its path; a custom domain does not.
        on_default_domain = host.endswith(".amazonaws.com") and stage and stage != "$default"
        base_url = f"https://{host}/{stage}" if on_default_domain else f"https://{host}"
    too_large = len(body) > MAX_UPLOAD_BYTES
    return ApiRequest(
        method=method,
        path=unquote(path),
        headers=headers,
        body=b"" if too_large else body,
        base_url=base_url,
        too_large=too_large,
    )


def api_response_to_proxy(response: ApiResponse) -> dict:
    """The proxy integration's answer; JPEG frames go back base64-encoded."""
    headers = {"Content-Type": response.content_type, **response.headers}
    if response.content_type.startswith("application/json"):
        return {
            "statusCode": response.status,
            "headers": headers,
            "body": response.body.decode("utf-8"),
            "isBase64Encoded": False,
        }
    return {
        "statusCode": response.status,
        "headers": headers,
        "body": base64.b64encode(response.body).decode("ascii"),
        "isBase64Encoded": True,
    }


# --- S3 ------------------------------------------------------------------------------------------
def s3_event_objects(event: dict) -> list[tuple[str, str]]:
    """(bucket, key) of each ObjectCreated record; keys arrive URL-encoded (`+` for space) and are decoded."""
    objects = []
    for record in event.get("Records", []):
        if not str(record.get("eventName", "ObjectCreated")).startswith("ObjectCreated"):
            continue
        s3 = record.get("s3") or {}
        bucket = (s3.get("bucket") or {}).get("name", "")
        key = unquote_plus((s3.get("object") or {}).get("key", ""))
        if bucket and key:
            objects.append((bucket, key))
    return objects


# --- SNS / SageMaker async -----------------------------------------------------------------------
@dataclass(frozen=True)
class AsyncNotification:
    """One SageMaker async inference notification (the JSON inside the SNS message)."""

    succeeded: bool
    inference_id: str | None
    input_location: str | None
    output_location: str | None
    failure_location: str | None
    failure_reason: str | None


def parse_async_notification(message: str | dict) -> AsyncNotification:
    """Read SageMaker's notification: `invocationStatus` Completed or Failed, `inferenceId`,
    `requestParameters.inputLocation`, `responseParameters.outputLocation` / `failureLocation`."""
    data = json.loads(message) if isinstance(message, str) else message
    if not isinstance(data, dict) or "invocationStatus" not in data:
        raise ValueError("not a SageMaker async inference notification")
    request = data.get("requestParameters") or {}
    response = data.get("responseParameters") or {}
    return AsyncNotification(
        succeeded=str(data["invocationStatus"]).lower() == "completed",
        inference_id=data.get("inferenceId"),
        input_location=request.get("inputLocation"),
        output_location=response.get("outputLocation"),
        failure_location=response.get("failureLocation"),
        failure_reason=data.get("failureReason"),
    )


def sns_messages(event: dict) -> list[str]:
    """The `Message` strings of an SNS -> Lambda event."""
    return [record["Sns"]["Message"] for record in event.get("Records", []) if "Sns" in record]
