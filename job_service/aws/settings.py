"""What the Lambdas read from their environment, and the job service built from it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import inference_container
from booth_core.ages import DEFAULT_AGES, parse_ages
from booth_core.limits import DEFAULT_RETENTION_HOURS, JOB_TIMEOUT_S
from job_service.api import ApiConfig
from job_service.service import JobService, ServiceSettings

#: Retention on AWS is whole days (S3 lifecycle rules count days).
DEFAULT_RETENTION_DAYS = DEFAULT_RETENTION_HOURS / 24

#: Environment variables the deploy (cloud_setup.lambdas.environment) sets on every Lambda: name -> meaning.
ENVIRONMENT = {
    "TT_INPUT_BUCKET": "private bucket for photos, uploads/<job id> (required)",
    "TT_OUTPUT_BUCKET": "private bucket for frames, results/<job id>/<n>.jpg (default: the input bucket)",
    "TT_JOB_TABLE": "DynamoDB job table, partition key job_id (S), TTL on expires_at (required)",
    "TT_ENDPOINT_NAME": "SageMaker async endpoint (required where inference starts)",
    "TT_JOB_TIMEOUT_S": f"seconds before an unfinished job fails with TIMEOUT, default {JOB_TIMEOUT_S}",
    "TT_RETENTION_DAYS": f"days before a job's record expires (DynamoDB TTL), default {DEFAULT_RETENTION_DAYS:g}; the buckets' lifecycle matches",
    "TT_API_KEY": "optional x-api-key the handler checks itself (API Gateway's usage-plan key works without it)",
    "TT_DEFAULT_AGES": "optional, default 25,35,55,75",
    "TT_ENGINE_NAME": "the engine the endpoint serves, shown in /health and job documents, default sam",
    "TT_URL_EXPIRES_S": "lifetime of a presigned frame URL, default 3600",
    "TT_START_INFERENCE": "`upload` (default: the API Lambda invokes the endpoint) or `s3-event` (the upload Lambda does)",
    "AWS_REGION": "set by Lambda itself",
}


@dataclass(frozen=True)
class AwsSettings:
    bucket: str
    table: str
    results_bucket: str | None = None
    endpoint: str | None = None
    region: str | None = None
    api_key: str | None = None
    default_ages: tuple[int, ...] = DEFAULT_AGES
    job_timeout: float = JOB_TIMEOUT_S
    retention_days: float = DEFAULT_RETENTION_DAYS
    engine_name: str = "sam"
    url_expires: int = 3600
    start_on_upload: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AwsSettings:
        env = os.environ if env is None else env
        missing = [name for name in ("TT_INPUT_BUCKET", "TT_JOB_TABLE") if not env.get(name)]
        if missing:
            raise RuntimeError(f"missing environment variables: {', '.join(missing)}")
        start = env.get("TT_START_INFERENCE") or "upload"
        if start not in ("upload", "s3-event"):
            raise RuntimeError("TT_START_INFERENCE must be `upload` or `s3-event`")
        return cls(
            bucket=env["TT_INPUT_BUCKET"],
            table=env["TT_JOB_TABLE"],
            results_bucket=env.get("TT_OUTPUT_BUCKET") or None,
            endpoint=env.get("TT_ENDPOINT_NAME") or None,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            api_key=env.get("TT_API_KEY") or None,
            default_ages=parse_ages(env["TT_DEFAULT_AGES"]) if env.get("TT_DEFAULT_AGES") else DEFAULT_AGES,
            job_timeout=float(env.get("TT_JOB_TIMEOUT_S") or JOB_TIMEOUT_S),
            retention_days=float(env.get("TT_RETENTION_DAYS") or DEFAULT_RETENTION_DAYS),
            engine_name=env.get("TT_ENGINE_NAME") or "sam",
            url_expires=int(env.get("TT_URL_EXPIRES_S") or 3600),
            start_on_upload=start == "upload",
        )

    def service_settings(self) -> ServiceSettings:
        return ServiceSettings(
            default_ages=self.default_ages,
            job_timeout=self.job_timeout,
            retention_seconds=self.retention_days * 86400.0,
            engine_name=self.engine_name,
        )

    def api_config(self) -> ApiConfig:
        health = {"status": "ok", "engine": self.engine_name, "version": inference_container.__version__}
        return ApiConfig(api_key=self.api_key, health=lambda: dict(health))


def build_service(
    settings: AwsSettings,
    *,
    session=None,
    queue=None,
    clock: Callable[[], float] = time.time,
) -> JobService:
    """The job logic on S3, DynamoDB and the SageMaker endpoint."""
    import boto3
    from botocore.config import Config

    from job_service.aws.dynamo_table import DynamoJobTable
    from job_service.aws.s3_store import S3ObjectStore
    from job_service.aws.sagemaker_queue import SageMakerAsyncQueue

    session = session or boto3.session.Session(region_name=settings.region)
    # SigV4 presigned URLs: SigV2 is deprecated and refused for KMS-encrypted objects.
    s3 = session.client("s3", config=Config(signature_version="s3v4"))
    store = S3ObjectStore(s3, settings.bucket, settings.url_expires, settings.results_bucket)
    table = DynamoJobTable(session.resource("dynamodb").Table(settings.table))
    if queue is None:
        queue = SageMakerAsyncQueue(
            session.client("sagemaker-runtime"),
            settings.endpoint or "",
            settings.bucket,
            settings.job_timeout,
        )
    return JobService(
        store,
        table,
        queue,
        settings.service_settings(),
        start_on_upload=settings.start_on_upload,
        clock=clock,
    )
