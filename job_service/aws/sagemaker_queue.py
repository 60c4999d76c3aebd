"""The inference queue on a SageMaker async endpoint: the photo's S3 location in, SNS notifications out."""

from __future__ import annotations

import time
from collections.abc import Callable

from booth_core import job_stage
from booth_core.ages import format_custom_attributes
from job_service.model import Job

#: SageMaker's ranges: RequestTTLSeconds 60 s - 6 h, InvocationTimeoutSeconds 1 s - 1 h.
REQUEST_TTL_RANGE = (60, 21600)
INVOCATION_TIMEOUT_RANGE = (1, 3600)
#: A booth polls about once a second; the endpoint's instance count is read at most this often per container.
STAGE_CACHE_S = 15.0


def _clamp(value: float, bounds: tuple[int, int]) -> int:
    return max(bounds[0], min(int(value), bounds[1]))


class SageMakerAsyncQueue:
    """`invoke_endpoint_async` with the photo's S3 location, the ages in CustomAttributes and the job id as
    InferenceId (it comes back in the SNS notification). The endpoint's own output path receives the strip.

    `request_ttl`: how long a request may wait in SageMaker's queue (the job timeout: a request older than
    that would only make frames for a job already failed). `invocation_timeout`: how long one model run may
    take. `sagemaker` (the control-plane client) lets `stage()` tell a job that the endpoint is waking up."""

    def __init__(
        self,
        client,
        endpoint_name: str,
        bucket: str,
        request_ttl: float | None = None,
        invocation_timeout: float | None = None,
        sagemaker=None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.client = client
        self.endpoint_name = endpoint_name
        self.bucket = bucket
        self.request_ttl = request_ttl
        self.invocation_timeout = invocation_timeout
        self.sagemaker = sagemaker
        self.clock = clock
        self._stage: tuple[float, str | None] | None = None

    def submit(self, job: Job, photo_key: str) -> None:
        arguments = {
            "EndpointName": self.endpoint_name,
            "InputLocation": f"s3://{self.bucket}/{photo_key}",
            "ContentType": job.content_type,
            "Accept": "application/x-npy",
            "CustomAttributes": format_custom_attributes(job.ages, layout="photo", sitter=job.sitter),
            "InferenceId": job.job_id,
        }
        if self.request_ttl:
            arguments["RequestTTLSeconds"] = _clamp(self.request_ttl, REQUEST_TTL_RANGE)
        if self.invocation_timeout:
            arguments["InvocationTimeoutSeconds"] = _clamp(self.invocation_timeout, INVOCATION_TIMEOUT_RANGE)
        self.client.invoke_endpoint_async(**arguments)

    def stage(self, job: Job) -> str | None:
        """`warming_up` while the endpoint runs no instance (scaled to zero, or starting), else None.

        The same for every job: SageMaker's queue says neither where a request stands nor when its model
        run starts, so `waiting` and `aging` are never said here."""
        if self.sagemaker is None:
            return None
        now = self.clock()
        if self._stage is not None and now - self._stage[0] < STAGE_CACHE_S:
            return self._stage[1]
        endpoint = self.sagemaker.describe_endpoint(EndpointName=self.endpoint_name)
        variants = endpoint.get("ProductionVariants") or []
        running = sum(int(v.get("CurrentInstanceCount") or 0) for v in variants)
        stage = job_stage.WARMING_UP if running == 0 else None
        self._stage = (now, stage)
        return stage
