"""What every ensure/describe/delete function receives."""

from __future__ import annotations

from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from cloud_setup.clients import Clients
from cloud_setup.report import Report
from cloud_setup.stack import StackNames, StackOptions


@dataclass
class StackContext:
    """One run's clients, options, derived names, progress report, and the values steps pass on
    (role ARNs, function ARNs, topic ARNs, the API URL and key) in `outputs`."""

    clients: Clients
    options: StackOptions
    names: StackNames
    report: Report
    outputs: dict = field(default_factory=dict)

    @property
    def stack(self) -> str:
        return self.options.name


def error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def is_missing(exc: ClientError, *codes: str) -> bool:
    """True when the error says the resource does not exist (each service has its own words)."""
    known = {
        "NoSuchBucket", "404", "NotFound", "ResourceNotFoundException", "NoSuchEntity", "NotFoundException",
        "ValidationException", "ObjectNotFoundException", "ResourceNotFound",
    }  # fmt: skip
    return error_code(exc) in (known | set(codes))
