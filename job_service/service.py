"""The job logic, written once: accept an upload, start inference, finish or fail a job, answer status,
sweep timeouts and expired jobs. Adapters (local or AWS) plug in through `job_service.ports`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from booth_core.ages import DEFAULT_AGES
from booth_core.errors import JOB_FAILURE_CODES, message_for
from booth_core.limits import DEFAULT_RETENTION_HOURS, JOB_TIMEOUT_S, MAX_UPLOAD_BYTES
from job_service import validation
from job_service.frames import decode_jpeg, encode_jpeg, strip_to_frames
from job_service.model import (
    UNFINISHED,
    ApiError,
    Job,
    JobStatus,
    frame_key,
    results_prefix,
    upload_key,
)
from job_service.ports import InferenceQueue, JobTable, ObjectStore
from job_service.share import Sharing

log = logging.getLogger("job_service")


@dataclass(frozen=True)
class ServiceSettings:
    """What a deployment chooses: default ages, how long a job may run, how long anything is kept."""

    default_ages: tuple[int, ...] = DEFAULT_AGES
    job_timeout: float = JOB_TIMEOUT_S
    retention_seconds: float = DEFAULT_RETENTION_HOURS * 3600.0
    engine_name: str | None = None


@dataclass(frozen=True)
class SweepReport:
    timed_out: list[str]
    deleted: list[str]


class JobService:
    """The one job logic. `start_on_upload` is True locally; on AWS the S3 upload event starts inference."""

    def __init__(
        self,
        store: ObjectStore,
        table: JobTable,
        queue: InferenceQueue,
        settings: ServiceSettings | None = None,
        *,
        start_on_upload: bool = True,
        clock: Callable[[], float] = time.time,
        sharing: Sharing | None = None,
    ):
        self.sharing = sharing  # None: no take-home link (the document's `share` stays null)
        self.store = store
        self.table = table
        self.queue = queue
        self.settings = settings or ServiceSettings()
        self.start_on_upload = start_on_upload
        self.clock = clock

    # --- requests -------------------------------------------------------------------------------
    def accept_upload(
        self, job_id: str, body: bytes, content_type: str | None, ages_header: str | None = None,
        sitter_header: str | None = None,
    ) -> tuple[Job, bool]:
        """Record a job and store its photo; `(job, True)` when new, `(existing job, False)` on a repeat.

        Only the request whose insert made the row writes the photo, so among concurrent repeats of one id
        the winner's bytes are kept. When that write fails (the disk is full), the row goes too: no job is
        left QUEUED without its photo, and the client's retry starts afresh.
        """
        validation.check_job_id(job_id)
        validation.check_size(len(body))
        kind = validation.check_content_type(content_type)
        ages = validation.check_ages_header(ages_header, self.settings.default_ages)
        sitter = validation.check_sitter_header(sitter_header)
        existing = self.get_job(job_id, missing_ok=True)
        if existing is not None:
            return existing, False
        validation.check_image_header(body)
        job = self._new_job(job_id, ages, kind, sitter)
        if not self.table.create(job):
            return self.get_job(job_id), False
        self._store_photo(job, body)
        log.info("job %s queued", job_id)
        return job, True

    def presign_upload(
        self, job_id: str, content_type: str | None, ages_header: str | None = None,
        sitter_header: str | None = None,
    ) -> tuple[Job, bool, dict | None]:
        """Record a job whose photo the client sends straight to the store (photos too large for the API's
        own body limit). Returns (job, created, upload form); the form is None when nothing is to be sent
        (the photo is already there, or the job moved on) or the store cannot presign at all.

        The store's object-created event then calls `accept_stored_upload`, which checks the photo as the
        API route does and starts the same inference."""
        validation.check_job_id(job_id)
        kind = validation.check_content_type(content_type)
        ages = validation.check_ages_header(ages_header, self.settings.default_ages)
        sitter = validation.check_sitter_header(sitter_header)
        presign = getattr(self.store, "presign_upload", None)
        if presign is None:
            raise ApiError("NOT_FOUND", "This server takes photos through PUT /uploads/{job_id} only.")
        existing = self.get_job(job_id, missing_ok=True)
        if existing is not None:
            waiting = existing.status == JobStatus.QUEUED and not self.store.exists(upload_key(job_id))
            form = (
                presign(upload_key(job_id), existing.content_type, MAX_UPLOAD_BYTES)
                if waiting
                else None
            )
            return existing, False, form
        job = self._new_job(job_id, ages, kind, sitter)
        if not self.table.create(job):
            return self.get_job(job_id), False, None
        log.info("job %s queued (presigned upload)", job_id)
        return job, True, presign(upload_key(job_id), kind, MAX_UPLOAD_BYTES)

    def accept_stored_upload(self, job_id: str) -> Job | None:
        """A photo arrived in the store (an S3 event): check it like an API upload, then start inference.

        A body that is too large or not a JPEG/PNG fails the job (TOO_LARGE, BAD_IMAGE) and is deleted at
        once. Returns the job handed to the queue, or None."""
        job = self.table.get(job_id)
        if job is None or job.status != JobStatus.QUEUED:
            return None
        body = self.store.get(upload_key(job_id))
        if body is None:
            return None
        try:
            validation.check_size(len(body))
            validation.check_image_header(body)
        except ApiError as error:
            self.store.delete_prefix(upload_key(job_id))
            self.fail_job(job_id, error.code, error.message)
            return None
        return self.start_inference(job_id)

    def _new_job(self, job_id: str, ages: tuple[int, ...], kind: str, sitter: str | None = None) -> Job:
        now = self.clock()
        return Job(
            job_id=job_id,
            status=JobStatus.QUEUED,
            created_at=now,
            updated_at=now,
            ages=ages,
            content_type=kind,
            expires_at=now + self.settings.retention_seconds,
            engine=self.settings.engine_name,
            sitter=sitter,
        )

    def _store_photo(self, job: Job, body: bytes) -> None:
        """Write the photo of a job this request just created; if that fails, the row goes too."""
        try:
            self.store.put(upload_key(job.job_id), body, job.content_type)
        except BaseException as exc:
            self.table.delete(job.job_id)
            log.warning("job %s refused: its photo could not be stored (%s)", job.job_id, type(exc).__name__)
            raise
        if self.start_on_upload:
            self.start_inference(job.job_id)

    def start_inference(self, job_id: str) -> Job | None:
        """Hand a QUEUED job to the inference queue once; None when it is not (or no longer) QUEUED."""
        job = self.table.get(job_id)
        if job is None or job.status != JobStatus.QUEUED or self._past_timeout(job):
            return None
        if not self.store.exists(upload_key(job_id)):
            return None
        if not self.queue_owns_processing:
            job = self.table.update(
                job_id, {JobStatus.QUEUED}, status=JobStatus.PROCESSING, updated_at=self.clock()
            )
            if job is None:
                return None
        try:
            self.queue.submit(job, upload_key(job_id))
        except Exception as exc:  # noqa: BLE001 - any queue failure fails the job, never leaves it hanging
            log.warning("job %s: inference could not start (%s)", job_id, type(exc).__name__)
            self.fail_job(job_id, "INFERENCE_FAILED")
            return None
        return job

    @property
    def queue_owns_processing(self) -> bool:
        """A local worker pool marks PROCESSING itself when a worker takes the job (it may wait its turn)."""
        return bool(getattr(self.queue, "marks_processing", False))

    def mark_processing(self, job_id: str) -> Job | None:
        """QUEUED -> PROCESSING, for a worker about to run the model; None when the job moved on."""
        job = self.table.get(job_id)
        if job is None or self._past_timeout(job):
            return None
        return self.table.update(
            job_id, {JobStatus.QUEUED}, status=JobStatus.PROCESSING, updated_at=self.clock()
        )

    def complete_job(self, job_id: str, strip: np.ndarray | bytes, engine: str | None = None) -> Job | None:
        """Split a model server's strip (API.md's wire format) into JPEG frames and complete the job with them.

        A strip that does not hold the original plus one frame per age fails the job.
        """
        job = self.table.get(job_id)
        if job is None or job.finished:
            return None
        try:
            frames = strip_to_frames(strip, 1 + len(job.ages))
        except ValueError:
            log.warning("job %s: the model's answer is not a strip of %d frames", job_id, 1 + len(job.ages))
            return self.fail_job(job_id, "INFERENCE_FAILED")
        return self.complete_frames(job_id, [encode_jpeg(frame) for frame in frames], engine, frames)

    def complete_frames(
        self,
        job_id: str,
        jpegs: list[bytes],
        engine: str | None = None,
        arrays: list[np.ndarray] | None = None,
        shown_ages: tuple[int, ...] | None = None,
    ) -> Job | None:
        """Store the frames as they came (the original, then one JPEG per age) and mark SUCCESS.

        `shown_ages`: the age each frame shows where the engine could not show every asked one (the
        classic engine far from a sitter's apparent age); the job document labels the frames with them.
        The wrong number of frames fails the job. A job that already ended (timed out meanwhile) keeps
        its state and the frames are removed again.
        """
        job = self.table.get(job_id)
        if job is None or job.finished:
            return None
        n_frames = 1 + len(job.ages)
        if len(jpegs) != n_frames:
            log.warning("job %s: the engine gave %d frames, not %d", job_id, len(jpegs), n_frames)
            return self.fail_job(job_id, "INFERENCE_FAILED")
        shown = tuple(shown_ages) if shown_ages is not None and tuple(shown_ages) != job.ages else None
        if shown is not None and len(shown) != len(job.ages):
            log.warning("job %s: the engine labelled %d frames, not %d", job_id, len(shown), len(job.ages))
            return self.fail_job(job_id, "INFERENCE_FAILED")
        job = job.replace(shown_ages=shown)
        for index, data in enumerate(jpegs):
            self.store.put(frame_key(job_id, index), data, "image/jpeg")
        if self.sharing is not None:  # the share page's GIF and MP4 are made from pixels
            frames = arrays if arrays is not None else [decode_jpeg(data) for data in jpegs]
            self.sharing.publish(self.store, job, frames, engine or self.settings.engine_name or "")
        done = self.table.update(
            job_id,
            UNFINISHED,
            status=JobStatus.SUCCESS,
            updated_at=self.clock(),
            frame_count=n_frames,
            engine=engine or self.settings.engine_name,
            shown_ages=shown,
        )
        if done is None:
            self.store.delete_prefix(results_prefix(job_id))
            return None
        log.info("job %s succeeded", job_id)
        return done

    def fail_job(self, job_id: str, code: str, message: str | None = None) -> Job | None:
        """Mark an unfinished job FAILED with a code of API.md; None when it had already ended."""
        if code not in JOB_FAILURE_CODES:
            code, message = "INFERENCE_FAILED", None
        failed = self.table.update(
            job_id,
            UNFINISHED,
            status=JobStatus.FAILED,
            updated_at=self.clock(),
            error_code=code,
            error_message=message or message_for(code),
        )
        if failed is not None:
            log.info("job %s failed: %s", job_id, code)
        return failed

    def get_job(self, job_id: str, *, missing_ok: bool = False) -> Job | None:
        """The job as it stands. A job past its timeout is failed here too, so no reader sees it stuck;
        an expired job is gone even before the store's own expiry removes it."""
        validation.check_job_id(job_id)
        job = self.table.get(job_id)
        if job is not None and self._expired(job):
            job = None
        if job is not None and self._past_timeout(job):
            job = self.fail_job(job_id, "TIMEOUT") or self.table.get(job_id)
        if job is None and not missing_ok:
            raise ApiError("NOT_FOUND", "No job with that id.")
        return job

    def shared_job(self, job_id: str) -> Job | None:
        """A `SUCCESS` job still within retention, else None; a read only (the public share routes write
        nothing, so their role on AWS needs no write permission)."""
        job = self.table.get(job_id) if validation.is_job_id(job_id) else None
        if job is None or job.status != JobStatus.SUCCESS or self._expired(job):
            return None
        return job

    def read_frame(self, job_id: str, index: int) -> bytes:
        job = self.get_job(job_id)
        if job.status != JobStatus.SUCCESS or not 0 <= index < job.frame_count:
            raise ApiError("NOT_FOUND", "No such frame.")
        data = self.store.get(frame_key(job_id, index))
        if data is None:
            raise ApiError("NOT_FOUND", "No such frame.")
        return data

    def frame_url(self, job_id: str, index: int, base_url: str) -> str:
        """A presigned URL where the store has one, else the API's own `results/` route."""
        return (
            self.store.url(frame_key(job_id, index)) or f"{base_url.rstrip('/')}/results/{job_id}/{index}.jpg"
        )

    def document(self, job: Job, base_url: str) -> dict:
        """API.md's job document, with the optional `stage` while unfinished and `share` once succeeded."""
        document = job.document(lambda index: self.frame_url(job.job_id, index, base_url))
        stage = self.stage(job)
        if stage is not None:
            document["stage"] = stage
        if self.sharing is not None and job.status == JobStatus.SUCCESS:
            document["share"] = self.sharing.field(job, base_url)
        return document

    def stage(self, job: Job) -> str | None:
        """What an unfinished job waits on, where the queue can tell: one of `booth_core.job_stage` (in line,
        warming up, being aged), from the queue's `stage(job)`; None otherwise. A queue without one never says."""
        ask = getattr(self.queue, "stage", None)
        if job.finished or ask is None:
            return None
        try:
            return ask(job)
        except Exception as exc:  # noqa: BLE001 - a status read must never fail a poll
            log.warning("inference queue stage unknown (%s)", type(exc).__name__)
            return None

    # --- housekeeping ---------------------------------------------------------------------------
    def _expired(self, job: Job) -> bool:
        """Past retention: gone for every reader, even before the sweep or the store's own expiry removes it."""
        return bool(job.expires_at) and job.expires_at <= self.clock()

    def _past_timeout(self, job: Job) -> bool:
        return job.status in UNFINISHED and self.clock() - job.created_at > self.settings.job_timeout

    def sweep(self) -> SweepReport:
        """Fail jobs past the job timeout (TIMEOUT) and delete jobs past retention with their photo and frames."""
        timed_out = [job.job_id for job in self.table.unfinished() if self._past_timeout(job)]
        timed_out = [job_id for job_id in timed_out if self.fail_job(job_id, "TIMEOUT") is not None]
        deleted = []
        for job in self.table.expired(self.clock()):
            self.delete_job(job.job_id)
            deleted.append(job.job_id)
        return SweepReport(timed_out, deleted)

    def delete_job(self, job_id: str) -> None:
        """Remove the photo, the frames and the record (photo first: personal data goes before bookkeeping)."""
        self.store.delete_prefix(upload_key(job_id))
        self.store.delete_prefix(results_prefix(job_id))
        self.table.delete(job_id)
        log.info("job %s deleted (retention)", job_id)

    def recover(self) -> list[str]:
        """After a crash: fail what outlived the timeout, hand the rest to the queue again. Returns re-queued ids."""
        requeued = []
        for job in self.table.unfinished():
            if self._past_timeout(job):
                self.fail_job(job.job_id, "TIMEOUT")
                continue
            if job.status == JobStatus.PROCESSING:
                job = self.table.update(job.job_id, {JobStatus.PROCESSING}, status=JobStatus.QUEUED)
                if job is None:
                    continue
            if not self.store.exists(upload_key(job.job_id)):
                self.table.delete(job.job_id)  # killed between the row and the photo: no client got a 202
                log.info("job %s dropped: its upload never completed", job.job_id)
                continue
            if self.start_inference(job.job_id) is not None:
                requeued.append(job.job_id)
        return requeued
