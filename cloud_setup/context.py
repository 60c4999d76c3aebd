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
        "ObjectNotFoundException", "ResourceNotFound",
    }  # fmt: skip
    code = error_code(exc)
    if code == "ValidationException":
        # SageMaker says "Could not find model ..."; other validation errors are real errors.
        message = exc.response.get("Error", {}).get("Message", "").lower()
        return "could not find" in message or "does not exist" in message or "not found" in message
    return code in (known | set(codes))
