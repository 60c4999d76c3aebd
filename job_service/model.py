"""The job document of API.md: statuses, the stored record, and the error a request answers with."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from booth_core.errors import ERRORS, TimeTravelerError, http_status, message_for


class JobStatus(StrEnum):
    QUEUED = "QUEUED"
    PROCESSING = "PROCESSING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"


#: Statuses a job may still leave; everything else is final.
UNFINISHED = frozenset({JobStatus.QUEUED, JobStatus.PROCESSING})


class ApiError(TimeTravelerError):
    """A request that fails on its own (4xx, 5xx); `code` is a row of booth_core.errors.ERRORS."""

    def __init__(self, code: str, message: str | None = None, status: int | None = None):
        if code not in ERRORS:
            raise ValueError(f"{code!r} is not in the error table")
        self.code = code
        super().__init__(message or message_for(code))
        self.status = status or http_status(code, 400)


def iso_time(epoch_seconds: float) -> str:
    """`2026-11-24T18:00:07Z`: the document's timestamps, UTC, whole seconds."""
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Job:
    """One stored job. Times are epoch seconds; `frame_count` counts the original too (0 until SUCCESS)."""

    job_id: str
    status: JobStatus
    created_at: float
    updated_at: float
    ages: tuple[int, ...]
    content_type: str = "image/jpeg"
    expires_at: float = 0.0
    frame_count: int = 0
    engine: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    #: The age each frame shows, where the engine could not show every asked age; None: as asked.
    shown_ages: tuple[int, ...] | None = None
    #: What the attendee said is in the photo (booth_core.sitter), told to the engine; None: not asked.
    sitter: str | None = None

    def replace(self, **changes) -> Job:
        return dataclasses.replace(self, **changes)

    @property
    def finished(self) -> bool:
        return self.status not in UNFINISHED

    @property
    def labels(self) -> tuple[int, ...]:
        """The age each aged frame shows, in the order asked (the asked ages unless the engine said otherwise)."""
        return self.shown_ages or self.ages

    def frame_ages(self) -> list[int | None]:
        """Index 0 is the original (age None), then the age each frame shows, in the order asked."""
        return [None, *self.labels][: self.frame_count]

    def document(self, frame_url) -> dict:
        """API.md's job document; `frame_url(index)` gives each frame's URL."""
        frames = []
        if self.status == JobStatus.SUCCESS:
            frames = [
                {"index": index, "age": age, "url": frame_url(index)}
                for index, age in enumerate(self.frame_ages())
            ]
        error = None
        if self.status == JobStatus.FAILED:
            code = self.error_code or "INFERENCE_FAILED"
            error = {"code": code, "message": self.error_message or message_for(code)}
        document = {
            "job_id": self.job_id,
            "status": str(self.status),
            "created_at": iso_time(self.created_at),
            "updated_at": iso_time(self.updated_at),
            "ages": list(self.ages),
            "frames": frames,
            "engine": self.engine,
            "error": error,
        }
        if self.sitter is not None:  # optional (docs/job_service.md): only where the upload said
            document["sitter"] = self.sitter
        return document


#: Object store key prefixes: attendees' photos, and the frames made from them.
UPLOADS_PREFIX = "uploads/"
RESULTS_PREFIX = "results/"


def upload_key(job_id: str) -> str:
    """Where the attendee's photo lies in the object store."""
    return f"{UPLOADS_PREFIX}{job_id}"


def results_prefix(job_id: str) -> str:
    return f"{RESULTS_PREFIX}{job_id}/"


def frame_key(job_id: str, index: int) -> str:
    return f"{RESULTS_PREFIX}{job_id}/{index}.jpg"
