"""What one stack is: its options, and the name of every resource derived from them.

Every name comes from the stack NAME (plus account and region where AWS wants global uniqueness),
so deploy, status and teardown find the same resources without any local state file.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from booth_core.limits import DEFAULT_RETENTION_HOURS, JOB_TIMEOUT_S

#: Every resource carries this tag with the stack name; teardown deletes only what carries it.
STACK_TAG = "time-traveler:stack"
PROJECT_TAG = "project"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,18}[a-z0-9]$")
DEFAULT_INSTANCE_TYPE = "ml.g4dn.xlarge"
DEFAULT_STAGE = "v1"
VARIANT = "AllTraffic"


def check_stack_name(name: str) -> str:
    """3-20 chars of a-z, 0-9 and '-', so that every derived name is valid in every service."""
    if not NAME_PATTERN.match(name) or "--" in name:
        raise ValueError(
            f"stack name {name!r} must be 3-20 characters of a-z, 0-9 and '-', starting with a letter"
        )
    return name


def short_hash(value: object) -> str:
    """8 hex chars of a JSON value: names immutable SageMaker resources after their contents."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:8]


@dataclass(frozen=True)
class StackOptions:
    """The command line's choices; everything else is derived."""

    name: str
    region: str
    endpoint_url: str | None = None
    image_uri: str | None = None
    model_data_url: str | None = None
    instance_type: str = DEFAULT_INSTANCE_TYPE
    min_instances: int = 0
    max_instances: int = 1
    max_concurrent_invocations: int = 2
    retention_days: int = DEFAULT_RETENTION_HOURS // 24
    job_timeout_s: int = JOB_TIMEOUT_S
    booth_config: Path | None = None
    wait: bool = True

    def __post_init__(self):
        check_stack_name(self.name)
        if self.retention_days < 1:
            raise ValueError("retention must be at least one day")
        if not 1 <= self.max_instances <= 20:
            raise ValueError("max instances must be 1-20")
        if not 0 <= self.min_instances <= self.max_instances:
            raise ValueError("min instances must be 0 (scale to zero) up to max instances")


@dataclass(frozen=True)
class StackNames:
    """The physical name of every resource of one stack."""

    stack: str
    region: str
    account: str
    stage: str = DEFAULT_STAGE
    extra: dict = field(default_factory=dict)

    @property
    def input_bucket(self) -> str:
        return f"{self.stack}-photos-{self.account}-{self.region}"

    @property
    def output_bucket(self) -> str:
        return f"{self.stack}-frames-{self.account}-{self.region}"

    @property
    def table(self) -> str:
        return f"{self.stack}-jobs"

    @property
    def success_topic(self) -> str:
        return f"{self.stack}-inference-success"

    @property
    def error_topic(self) -> str:
        return f"{self.stack}-inference-error"

    def role(self, purpose: str) -> str:
        return f"{self.stack}-{purpose}"

    def function(self, purpose: str) -> str:
        return f"{self.stack}-{purpose}"

    @property
    def rest_api(self) -> str:
        return f"{self.stack}-api"

    @property
    def api_key(self) -> str:
        return f"{self.stack}-booth-key"

    @property
    def usage_plan(self) -> str:
        return f"{self.stack}-booth-plan"

    @property
    def model_prefix(self) -> str:
        return f"{self.stack}-model-"

    @property
    def endpoint_config_prefix(self) -> str:
        return f"{self.stack}-config-"

    @property
    def endpoint(self) -> str:
        return f"{self.stack}-endpoint"

    @property
    def scaling_resource_id(self) -> str:
        return f"endpoint/{self.endpoint}/variant/{VARIANT}"

    @property
    def target_tracking_policy(self) -> str:
        return f"{self.stack}-backlog-per-instance"

    @property
    def wake_policy(self) -> str:
        return f"{self.stack}-wake-from-zero"

    @property
    def wake_alarm(self) -> str:
        return f"{self.stack}-has-backlog-without-capacity"

    # ARNs
    def arn(self, service: str, resource: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"

    def bucket_arn(self, bucket: str) -> str:
        return f"arn:aws:s3:::{bucket}"

    @property
    def table_arn(self) -> str:
        return self.arn("dynamodb", f"table/{self.table}")

    @property
    def endpoint_arn(self) -> str:
        return self.arn("sagemaker", f"endpoint/{self.endpoint}")

    def topic_arn(self, topic: str) -> str:
        return self.arn("sns", topic)

    def function_arn(self, function: str) -> str:
        return self.arn("lambda", f"function:{function}")

    def log_group_arn(self, function: str) -> str:
        return self.arn("logs", f"log-group:/aws/lambda/{function}:*")


def stack_tags(stack: str) -> dict[str, str]:
    return {STACK_TAG: stack, PROJECT_TAG: "time-traveler"}


def tag_list(stack: str, key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    """Tags in the [{Key, Value}] shape most services use (SNS, IAM, SageMaker, CloudWatch, S3)."""
    return [{key: k, value: v} for k, v in stack_tags(stack).items()]


def has_stack_tag(tags, stack: str) -> bool:
    """True when a tag dict or [{Key, Value}] list carries this stack's tag."""
    if isinstance(tags, dict):
        return tags.get(STACK_TAG) == stack
    return any(
        (t.get("Key") or t.get("key")) == STACK_TAG and (t.get("Value") or t.get("value")) == stack
        for t in tags
    )
