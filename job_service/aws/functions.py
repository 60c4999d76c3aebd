"""What each Lambda does, as plain functions of a JobService and an event (the handlers only build adapters)."""

from __future__ import annotations

import json
import logging

from booth_core.errors import JOB_FAILURE_CODES
from job_service import api
from job_service.aws.events import (
    AsyncNotification,
    api_request_from_event,
    api_response_to_proxy,
    parse_async_notification,
    s3_event_objects,
    sns_messages,
)
from job_service.aws.s3_store import read_s3_url, split_s3_url
from job_service.aws.share_route import answer_share, not_found
from job_service.model import Job, upload_key
from job_service.service import JobService
from job_service.validation import is_job_id

log = logging.getLogger("job_service")
#: A model's own words longer than this are replaced by the default message for the code.
_MAX_MESSAGE = 300


def handle_api_event(service: JobService, config: api.ApiConfig, event: dict) -> dict:
    """API Gateway proxy event -> proxy response, through the same routes as the local server."""
    return api_response_to_proxy(api.handle(service, config, api_request_from_event(event)))


def handle_share_event(service: JobService, event: dict) -> dict:
    """The public share route's proxy event -> a 302 to the page (or a download), or the bare 404."""
    request = api_request_from_event(event)
    answer = answer_share(service, request.path) if request.method.upper() == "GET" else not_found()
    return api_response_to_proxy(answer)


def handle_s3_event(service: JobService, event: dict) -> list[str]:
    """Check each uploaded photo (`uploads/<job id>` in the service's bucket) and start its inference;
    returns the started ids. Photos come through the API route or a presigned POST alike."""
    started = []
    for bucket, key in s3_event_objects(event):
        job_id = key.removeprefix("uploads/")
        if (
            getattr(service.store, "bucket", bucket) != bucket
            or key != upload_key(job_id)
            or not is_job_id(job_id)
        ):
            log.warning("ignored an S3 event for an object that is not an upload")
            continue
        if service.accept_stored_upload(job_id) is not None:
            started.append(job_id)
    return started


def handle_sns_event(service: JobService, s3_client, event: dict) -> list[Job | None]:
    """Finish the job of each SageMaker async notification in an SNS event."""
    return [
        handle_notification(service, s3_client, parse_async_notification(message))
        for message in sns_messages(event)
    ]


def handle_notification(service: JobService, s3_client, note: AsyncNotification) -> Job | None:
    """Success: read the .npy at the output location, split and store the frames, SUCCESS.
    Failure: read the failure location for the model's error code, FAILED.
    Either way SageMaker's own copy (the full-resolution strip, or the failure body) is deleted once the
    job has its answer: the frames are all that is kept, until the retention period ends."""
    try:
        return _finish(service, s3_client, note)
    finally:
        for location in (note.output_location, note.failure_location):
            if location:
                _delete_model_output(s3_client, location)


def _delete_model_output(s3_client, location: str) -> None:
    try:
        bucket, key = split_s3_url(location)
        s3_client.delete_object(Bucket=bucket, Key=key)
    except Exception as exc:  # noqa: BLE001 - the bucket lifecycle still removes it; the job is done
        log.warning("model output not deleted (%s); it expires with the bucket lifecycle", type(exc).__name__)


def _finish(service: JobService, s3_client, note: AsyncNotification) -> Job | None:
    job_id = _job_id_of(note)
    if job_id is None:
        log.warning("a SageMaker notification names no job")
        return None
    if note.succeeded:
        if not note.output_location:
            return service.fail_job(job_id, "INFERENCE_FAILED")
        return service.complete_job(job_id, read_s3_url(s3_client, note.output_location))
    code, message = "INFERENCE_FAILED", None
    if note.failure_location:
        try:
            code, message = parse_failure(read_s3_url(s3_client, note.failure_location))
        except Exception as exc:  # noqa: BLE001 - an unreadable failure report still fails the job
            log.warning("job %s: failure report unreadable (%s)", job_id, type(exc).__name__)
    return service.fail_job(job_id, code, message)


def _job_id_of(note: AsyncNotification) -> str | None:
    if note.inference_id and is_job_id(note.inference_id):
        return note.inference_id
    if note.input_location:
        try:
            _, key = split_s3_url(note.input_location)
        except ValueError:
            return None
        job_id = key.removeprefix("uploads/")
        if is_job_id(job_id):
            return job_id
    return None


def parse_failure(body: bytes) -> tuple[str, str | None]:
    """The model server's error body `{"error": {"code", "message"}}` -> (code, message); anything else is
    INFERENCE_FAILED with the default words (a stack trace is no message for a person)."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "INFERENCE_FAILED", None
    error = document.get("error", document) if isinstance(document, dict) else None
    if not isinstance(error, dict) or error.get("code") not in JOB_FAILURE_CODES:
        return "INFERENCE_FAILED", None
    message = error.get("message")
    if not isinstance(message, str) or not message or len(message) > _MAX_MESSAGE:
        message = None
    return error["code"], message


def sweep(service: JobService) -> dict:
    """The scheduled sweeper: TIMEOUT for jobs past the job timeout, deletion of expired jobs."""
    report = service.sweep()
    return {"timed_out": len(report.timed_out), "deleted": len(report.deleted)}
