"""The local inference queue: a bounded pool of worker threads running the engine in-process."""

from __future__ import annotations

import logging
import queue
import threading

from booth_core.errors import TimeTravelerError
from booth_core.photo import load_photo
from job_service.local.engine_holder import EngineHolder
from job_service.model import Job, upload_key
from job_service.service import JobService

log = logging.getLogger("job_service")
_STOP = object()


class WorkerPoolQueue:
    """`submit` only enqueues a job id; a free worker marks the job PROCESSING when it takes it."""

    marks_processing = True

    def __init__(self, engine: EngineHolder, workers: int = 1, engine_wait: float | None = None):
        if workers < 1:
            raise ValueError("at least one worker is needed")
        self.engine = engine
        self.workers = workers
        self.engine_wait = engine_wait
        self._jobs: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._service: JobService | None = None

    def submit(self, job: Job, photo_key: str) -> None:
        if not self._threads:
            raise RuntimeError("the worker pool is not running")
        self._jobs.put(job.job_id)

    def start(self, service: JobService) -> None:
        self._service = service
        for number in range(self.workers):
            thread = threading.Thread(target=self._work, name=f"inference-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        for _ in self._threads:
            self._jobs.put(_STOP)
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def pending(self) -> int:
        return self._jobs.qsize()

    def _work(self) -> None:
        while True:
            job_id = self._jobs.get()
            if job_id is _STOP:
                return
            try:
                run_job(self._service, self.engine, job_id, self.engine_wait)
            except Exception as exc:  # noqa: BLE001 - a worker must survive anything one job does
                log.exception("job %s: worker error %s", job_id, type(exc).__name__)


def run_job(
    service: JobService, engine_holder: EngineHolder, job_id: str, engine_wait: float | None = None
) -> None:
    """Run the engine on one job and record the outcome with the job logic."""
    job = service.mark_processing(job_id)
    if job is None:
        return  # timed out, deleted or taken already
    try:
        photo_bytes = service.store.get(upload_key(job_id))
        if photo_bytes is None:
            service.fail_job(job_id, "INFERENCE_FAILED", "The photo is no longer stored.")
            return
        engine = engine_holder.get(engine_wait)
        result = engine.age(load_photo(photo_bytes), ages=job.ages)
        service.complete_job(
            job_id, result.to_strip_array(), engine=getattr(engine, "name", engine_holder.name)
        )
    except TimeTravelerError as exc:
        service.fail_job(job_id, exc.code, exc.message)
    except Exception as exc:  # noqa: BLE001 - the model raised: the job fails, the worker lives on
        log.warning("job %s: engine raised %s", job_id, type(exc).__name__)
        service.fail_job(job_id, "INFERENCE_FAILED")
