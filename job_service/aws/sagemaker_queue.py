"""The inference queue on a SageMaker async endpoint: the photo's S3 location in, SNS notifications out."""

from __future__ import annotations

from booth_core.ages import format_custom_attributes
from job_service.model import Job


class SageMakerAsyncQueue:
    """`invoke_endpoint_async` with the photo's S3 location, the ages in CustomAttributes and the job id as
    InferenceId (it comes back in the SNS notification). The endpoint's own output path receives the strip."""

    def __init__(self, client, endpoint_name: str, bucket: str, request_ttl: int | None = None):
        self.client = client
        self.endpoint_name = endpoint_name
        self.bucket = bucket
        self.request_ttl = request_ttl

    def submit(self, job: Job, photo_key: str) -> None:
        arguments = {
            "EndpointName": self.endpoint_name,
            "InputLocation": f"s3://{self.bucket}/{photo_key}",
            "ContentType": job.content_type,
            "Accept": "application/x-npy",
            "CustomAttributes": format_custom_attributes(job.ages, layout="photo"),
            "InferenceId": job.job_id,
        }
        if self.request_ttl:
            # SageMaker accepts 60 s to 6 h for how long a request may wait in its queue.
            arguments["RequestTTLSeconds"] = max(60, min(int(self.request_ttl), 21600))
        self.client.invoke_endpoint_async(**arguments)
