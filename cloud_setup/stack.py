"""What one stack is: the deploy options, checked, and the few names the commands need outside the template.

Every physical name comes from the stack NAME (plus account and region where AWS wants global
uniqueness), so deploy, status and teardown find the same stack without any local state file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from booth_core.limits import DEFAULT_RETENTION_HOURS, JOB_TIMEOUT_S
from cloud_setup.open_hours import OpenHours

#: Every resource carries these tags (CloudFormation also adds aws:cloudformation:stack-name).
STACK_TAG = "time-traveler:stack"
PROJECT_TAG = "project"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,18}[a-z0-9]$")
DEFAULT_INSTANCE_TYPE = "ml.g4dn.xlarge"
#: Waking an endpoint from zero instances: the alarm (1-2 min), an instance, pulling the ~7 GB image and
#: unpacking the 2.3 GB model. AWS quotes 6-12 minutes for images this size; this is the upper end.
WAKE_UP_S = 720
#: The job timeout when the endpoint may sit at zero: wake-up plus a few photos' worth of queue.
SCALE_TO_ZERO_JOB_TIMEOUT_S = 900
#: With an instance always running a photo takes seconds: the contract's default.
WARM_JOB_TIMEOUT_S = JOB_TIMEOUT_S
#: CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_CHOICES = (1, 3, 5, 7, 14, 30, 60, 90)


def check_stack_name(name: str) -> str:
    """3-20 chars of a-z, 0-9 and '-', so that every derived name is valid in every service."""
    if not NAME_PATTERN.match(name) or "--" in name:
        raise ValueError(
            f"stack name {name!r} must be 3-20 characters of a-z, 0-9 and '-', starting with a letter"
        )
    return name


@dataclass(frozen=True)
class StackOptions:
    """The command line's choices; the template is a function of these (plus the Lambda code's S3 key)."""

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
    log_retention_days: int = 7
    job_timeout_s: int | None = None
    open_hours: OpenHours | None = None
    daily_quota: int = 20000
    booth_config: Path | None = None

    def __post_init__(self):
        check_stack_name(self.name)
        if self.retention_days < 1:
            raise ValueError("retention must be at least one day")
        if self.log_retention_days not in LOG_RETENTION_CHOICES:
            raise ValueError(
                f"log retention must be one of {', '.join(map(str, LOG_RETENTION_CHOICES))} days"
            )
        if not 1 <= self.max_instances <= 20:
            raise ValueError("max instances must be 1-20")
        if not 0 <= self.min_instances <= self.max_instances:
            raise ValueError("min instances must be 0 (scale to zero) up to max instances")
        if not 1 <= self.max_concurrent_invocations <= 1000:
            raise ValueError("max concurrent invocations must be 1-1000")
        if self.daily_quota < 100:
            raise ValueError("the daily request quota must be at least 100 (a photo takes ~20 requests)")
        if not self.instance_type.startswith(("ml.g", "ml.p")):
            raise ValueError(
                f"{self.instance_type} has no NVIDIA GPU; the model image is built for CUDA (ml.g4dn, ml.g5, ml.g6 ...)"
            )
        if self.job_timeout_s is not None:
            if self.min_instances == 0 and self.job_timeout_s <= WAKE_UP_S:
                raise ValueError(
                    f"with --min-instances 0 the endpoint may need up to {WAKE_UP_S} s to wake, so the job "
                    f"timeout must be above that (default {SCALE_TO_ZERO_JOB_TIMEOUT_S}); or keep an instance "
                    "running with --min-instances 1 or --open-hours"
                )
            if not 60 <= self.job_timeout_s <= 21600:
                raise ValueError("the job timeout must be 60 s to 6 h (SageMaker's RequestTTL range)")

    @property
    def job_timeout(self) -> int:
        """Seconds before an unfinished job fails with TIMEOUT: above the wake-up time whenever min is 0."""
        if self.job_timeout_s is not None:
            return self.job_timeout_s
        return SCALE_TO_ZERO_JOB_TIMEOUT_S if self.min_instances == 0 else WARM_JOB_TIMEOUT_S


@dataclass(frozen=True)
class StackNames:
    """Names the commands use outside the template (the template derives the rest with Fn::Sub)."""

    stack: str
    region: str
    account: str

    @property
    def artifacts_stack(self) -> str:
        """The small bootstrap stack holding the bucket the Lambda code is uploaded to."""
        return f"{self.stack}-artifacts"

    @property
    def input_bucket(self) -> str:
        return f"{self.stack}-photos-{self.account}-{self.region}"

    @property
    def output_bucket(self) -> str:
        return f"{self.stack}-frames-{self.account}-{self.region}"

    @property
    def artifacts_bucket(self) -> str:
        return f"{self.stack}-artifacts-{self.account}-{self.region}"

    @property
    def endpoint(self) -> str:
        return f"{self.stack}-endpoint"


def stack_tags(stack: str) -> list[dict[str, str]]:
    """Stack-level tags: CloudFormation copies them onto every resource that takes tags."""
    return [{"Key": STACK_TAG, "Value": stack}, {"Key": PROJECT_TAG, "Value": "time-traveler"}]
