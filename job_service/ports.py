"""The three ports the job logic is written against; `local` and `aws` each implement all three."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from job_service.model import Job, JobStatus


class ObjectStore(Protocol):
    """Private bytes by key (`uploads/<id>`, `results/<id>/<n>.jpg`). Writes are atomic; a write that
    finds no room raises booth_core.errors.StorageFullError and leaves nothing behind."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes | None:
        """The bytes, or None when the key is absent."""

    def exists(self, key: str) -> bool: ...

    def delete_prefix(self, prefix: str) -> None:
        """Delete every key under `prefix` (which ends with `/`) or the one key equal to it."""

    def url(self, key: str) -> str | None:
        """A URL a client can GET directly (a presigned S3 URL), or None to serve it through the API."""


class JobTable(Protocol):
    """Job records by id. `update` is a compare-and-set on the status, so racing writers cannot undo a final state.
    A write that cannot get the table in time raises booth_core.errors.UnavailableError."""

    def create(self, job: Job) -> bool:
        """Insert unless the id exists; True when inserted."""

    def get(self, job_id: str) -> Job | None: ...

    def update(self, job_id: str, expected: Iterable[JobStatus], **changes) -> Job | None:
        """Apply `changes` only while the status is one of `expected`; the new record, or None."""

    def unfinished(self) -> list[Job]:
        """Jobs still QUEUED or PROCESSING."""

    def expired(self, now: float) -> list[Job]:
        """Jobs whose `expires_at` is at or before `now`."""

    def delete(self, job_id: str) -> None: ...


class InferenceQueue(Protocol):
    """Hands a stored photo to the model; the result comes back through `JobService.complete_job`/`fail_job`.

    Optionally `stage(job) -> str | None`: the job document's `stage` for an unfinished job
    (`booth_core.job_stage`), read on every `GET /jobs/{id}`, so it must be cheap."""

    def submit(self, job: Job, photo_key: str) -> None: ...
