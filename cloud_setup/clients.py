"""boto3 clients for one stack: one region, optionally one endpoint URL (moto, LocalStack)."""

from __future__ import annotations

import functools

import boto3
from botocore.config import Config

#: Retries with backoff for throttling; adaptive mode also paces calls under rate limits.
RETRY_CONFIG = Config(retries={"max_attempts": 8, "mode": "adaptive"})


class Clients:
    """Lazily made, per-stack clients (no module-level state: tests run several stacks side by side)."""

    def __init__(self, region: str, endpoint_url: str | None = None, session: boto3.Session | None = None):
        self.region = region
        self.endpoint_url = endpoint_url
        self._session = session or boto3.Session(region_name=region)

    @functools.cache  # noqa: B019 - the cache lives and dies with this Clients object
    def client(self, service: str):
        return self._session.client(
            service, region_name=self.region, endpoint_url=self.endpoint_url, config=RETRY_CONFIG
        )

    def __getattr__(self, name: str):
        # clients.s3, clients.dynamodb, clients.application_autoscaling ...
        if name.startswith("_"):
            raise AttributeError(name)
        return self.client(name.replace("_", "-"))

    def account_id(self) -> str:
        return self.client("sts").get_caller_identity()["Account"]
