"""The job document of API.md: statuses, the stored record, error codes and their HTTP statuses."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from booth_core.errors import TimeTravelerError


class JobStatus(StrEnum):
    QUEUED = "QUEUED"
    PROCESSING = "PROCESSING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"


#: Statuses a job may still leave; everything else is final.
UNFINISHED = frozenset({JobStatus.QUEUED, JobStatus.PROCESSING})

#: API.md's error table: code -> HTTP status where the request itself fails (None: the job fails instead).
ERROR_CODES: dict[str, int | None] = {
    "BAD_REQUEST": 400,
    "TOO_LARGE": 413,
    "BAD_IMAGE": 400,
    "NO_FACE": None,
    "INFERENCE_FAILED": None,
    "TIMEOUT": None,
    "NOT_FOUND": 404,
    "FORBIDDEN": 403,
    # TODO(core): from booth_core.errors' single table once it lands.
    "STORAGE_FULL": 507,
    "UNAVAILABLE": 503,
}

#: What a person reads when the cause has no better words of its own.
DEFAULT_MESSAGES = {
    "BAD_REQUEST": "The request was not understood.",
    "TOO_LARGE": "The photo is larger than 10 MB.",
    "BAD_IMAGE": "The photo could not be read. Please try again.",
    "NO_FACE": "We couldn't find a face in that photo. Look at the camera and try again.",
    "INFERENCE_FAILED": "Something went wrong while making your pictures. Please try again.",
    "TIMEOUT": "Making your pictures took too long. Please try again.",
    "NOT_FOUND": "No such job or picture.",
    "FORBIDDEN": "A valid API key is required.",
    "STORAGE_FULL": "The booth's disk is full, so the photo was not taken in. Please tell the staff.",
    "UNAVAILABLE": "The booth is busy for a moment. Please try again.",
}


class ApiError(TimeTravelerError):
    """A request that fails on its own (4xx); `code` is one of ERROR_CODES."""

    def __init__(self, code: str, message: str | None = None, status: int | None = None):
        super().__init__(message or DEFAULT_MESSAGES[code])
        self.code = code
        self.status = status or ERROR_CODES.get(code) or 400


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

    def replace(self, **changes) -> Job:
        return dataclasses.replace(self, **changes)

    @property
    def finished(self) -> bool:
        return self.status not in UNFINISHED

    def frame_ages(self) -> list[int | None]:
        """Index 0 is the aligned original (age None), then the ages in the order asked."""
        return [None, *self.ages][: self.frame_count]

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
            error = {"code": code, "message": self.error_message or DEFAULT_MESSAGES.get(code, "")}
        return {
            "job_id": self.job_id,
            "status": str(self.status),
            "created_at": iso_time(self.created_at),
            "updated_at": iso_time(self.updated_at),
            "ages": list(self.ages),
            "frames": frames,
            "engine": self.engine,
            "error": error,
        }


def upload_key(job_id: str) -> str:
    """Where the attendee's photo lies in the object store."""
    return f"uploads/{job_id}"


def results_prefix(job_id: str) -> str:
    return f"results/{job_id}/"


def frame_key(job_id: str, index: int) -> str:
    return f"results/{job_id}/{index}.jpg"
