"""What the Lambdas read from their environment, and the job service built from it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from booth_core import __version__
from booth_core.ages import DEFAULT_AGES, parse_ages
from booth_core.environment import env_value, variable
from booth_core.limits import DEFAULT_RETENTION_HOURS, JOB_TIMEOUT_S
from job_service.api import ApiConfig
from job_service.service import JobService, ServiceSettings

#: Retention on AWS is whole days (S3 lifecycle rules count days).
DEFAULT_RETENTION_DAYS = DEFAULT_RETENTION_HOURS / 24
#: The booth fetches its frames right after SUCCESS; a presigned GET URL needs to live only that long.
FRAME_URL_EXPIRES_S = 300
#: A presigned upload form is used at once by the booth that asked for it.
UPLOAD_URL_EXPIRES_S = 120
#: One model run on a GPU takes seconds; this bounds a stuck one (SageMaker's InvocationTimeoutSeconds).
INVOCATION_TIMEOUT_S = 300

#: Environment variables the deploy (cloud_setup.template.functions.environment) sets on every Lambda: name -> meaning.
ENVIRONMENT = {
    variable("INPUT_BUCKET"): "private bucket for photos, uploads/<job id> (required)",
    variable(
        "OUTPUT_BUCKET"
    ): "private bucket for frames, results/<job id>/<n>.jpg (default: the input bucket)",
    variable("JOB_TABLE"): "DynamoDB job table, partition key job_id (S), TTL on expires_at (required)",
    variable("ENDPOINT_NAME"): "SageMaker async endpoint (required where inference starts)",
    variable(
        "JOB_TIMEOUT_S"
    ): f"seconds before an unfinished job fails with TIMEOUT, default {JOB_TIMEOUT_S}",
    variable(
        "RETENTION_DAYS"
    ): f"days before a job's record expires (DynamoDB TTL), default {DEFAULT_RETENTION_DAYS:g}; the buckets' lifecycle matches",
    variable(
        "API_KEY"
    ): "optional x-api-key the handler checks itself (API Gateway's usage-plan key works without it)",
    variable("DEFAULT_AGES"): "optional, default 25,35,55,75",
    variable(
        "ENGINE_NAME"
    ): "the engine the endpoint serves, shown in /health and job documents, default sam",
    variable(
        "URL_EXPIRES_S"
    ): f"lifetime of a presigned frame URL, default {FRAME_URL_EXPIRES_S} (the booth fetches frames at once)",
    variable(
        "UPLOAD_URL_EXPIRES_S"
    ): f"lifetime of a presigned upload form (POST /uploads/{{id}}/presign), default {UPLOAD_URL_EXPIRES_S}",
    variable(
        "MAX_PUT_BYTES"
    ): "largest photo PUT /uploads/{id} takes (larger: presign), default the contract's 10 MB",
    variable(
        "INVOCATION_TIMEOUT_S"
    ): f"SageMaker InvocationTimeoutSeconds: how long one model run may take, default {INVOCATION_TIMEOUT_S}",
    variable(
        "START_INFERENCE"
    ): "`upload` (default: the API Lambda invokes the endpoint) or `s3-event` (the upload Lambda does)",
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
    url_expires: int = FRAME_URL_EXPIRES_S
    upload_expires: int = UPLOAD_URL_EXPIRES_S
    max_put_bytes: int | None = None
    invocation_timeout: float = INVOCATION_TIMEOUT_S
    start_on_upload: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AwsSettings:
        env = os.environ if env is None else env

        def value(name: str) -> str | None:
            return env_value(name, env)

        missing = [variable(name) for name in ("INPUT_BUCKET", "JOB_TABLE") if not value(name)]
        if missing:
            raise RuntimeError(f"missing environment variables: {', '.join(missing)}")
        start = value("START_INFERENCE") or "upload"
        if start not in ("upload", "s3-event"):
            raise RuntimeError(f"{variable('START_INFERENCE')} must be `upload` or `s3-event`")
        return cls(
            bucket=value("INPUT_BUCKET"),
            table=value("JOB_TABLE"),
            results_bucket=value("OUTPUT_BUCKET") or None,
            endpoint=value("ENDPOINT_NAME") or None,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            api_key=value("API_KEY") or None,
            default_ages=parse_ages(value("DEFAULT_AGES")) if value("DEFAULT_AGES") else DEFAULT_AGES,
            job_timeout=float(value("JOB_TIMEOUT_S") or JOB_TIMEOUT_S),
            retention_days=float(value("RETENTION_DAYS") or DEFAULT_RETENTION_DAYS),
            engine_name=value("ENGINE_NAME") or "sam",
            url_expires=int(value("URL_EXPIRES_S") or FRAME_URL_EXPIRES_S),
            upload_expires=int(value("UPLOAD_URL_EXPIRES_S") or UPLOAD_URL_EXPIRES_S),
            max_put_bytes=int(value("MAX_PUT_BYTES")) if value("MAX_PUT_BYTES") else None,
            invocation_timeout=float(value("INVOCATION_TIMEOUT_S") or INVOCATION_TIMEOUT_S),
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
        health = {"status": "ok", "engine": self.engine_name, "version": __version__}
        if self.max_put_bytes is not None:
            health["max_put_bytes"] = self.max_put_bytes  # larger photos: POST /uploads/{id}/presign
        return ApiConfig(api_key=self.api_key, health=lambda: dict(health), max_put_bytes=self.max_put_bytes)


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
    from job_service.aws.share_route import SHARE_ROUTE
    from job_service.share import Sharing
    from job_service.share_tokens import TokenShareLinks

    session = session or boto3.session.Session(region_name=settings.region)
    # SigV4 presigned URLs: SigV2 is deprecated and refused for KMS-encrypted objects.
    s3 = session.client("s3", config=Config(signature_version="s3v4"))
    store = S3ObjectStore(
        s3,
        settings.bucket,
        settings.results_bucket,
        url_expires=settings.url_expires,
        upload_expires=settings.upload_expires,
    )
    table = DynamoJobTable(session.resource("dynamodb").Table(settings.table))
    if queue is None:
        queue = SageMakerAsyncQueue(
            session.client("sagemaker-runtime"),
            settings.endpoint or "",
            settings.bucket,
            request_ttl=settings.job_timeout,
            invocation_timeout=settings.invocation_timeout,
            sagemaker=session.client("sagemaker"),
        )
    return JobService(
        store,
        table,
        queue,
        settings.service_settings(),
        start_on_upload=settings.start_on_upload,
        clock=clock,
        # Links on the API's public share route, under the base URL the booth reached the API at.
        sharing=Sharing(TokenShareLinks(store, SHARE_ROUTE)),
    )
