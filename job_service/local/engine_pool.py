"""The local inference queue: each worker slot supervises one engine process and feeds it one job at a time.

A slot starts its process, waits (off the GIL, on a pipe) until the engine has loaded, then takes jobs.
A job that outlives the job timeout, or that ends meanwhile (swept, read as TIMEOUT), gets its process
killed and the slot starts a fresh one, so the capacity comes back. A process that dies mid-job (a crash,
a `SystemExit` in the engine) fails that job with INFERENCE_FAILED and is restarted. `switch` hands new
jobs to another engine (the SAM upgrade); a job already running finishes on the engine it started with.
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path

from booth_core import job_stage
from job_service.local.engine_process import EngineProcess, EngineRecipe, Frames, Refused
from job_service.model import Job, upload_key
from job_service.service import JobService

log = logging.getLogger("job_service")

#: Below this much free space in the data dir, /health says the booth cannot take work.
#: TODO(core): booth_core.limits once a free-space limit lands there.
MIN_FREE_BYTES = 256 * 1024 * 1024
#: How often a worker waiting on its engine checks whether its job ended some other way, in seconds.
STATUS_CHECK_SECONDS = 1.0
ENGINE_STOPPED = "The picture machine stopped while making your pictures. Please try again."


class EnginePool:
    """`submit` only enqueues a job id; a slot marks the job PROCESSING when its engine takes it."""

    marks_processing = True

    def __init__(self, spec: EngineRecipe, workers: int = 1, data_dir: Path | None = None,
                 min_free_bytes: int = MIN_FREE_BYTES):
        if workers < 1:
            raise ValueError("at least one worker is needed")
        self.spec = spec
        self.generation = 0
        self.data_dir = data_dir
        self.min_free_bytes = min_free_bytes
        self._jobs: queue.Queue[str] = queue.Queue()
        self._slots = [_Slot(self, number) for number in range(workers)]
        self._lock = threading.Lock()
        self._handover: EngineProcess | None = None  # a warmed process for the first slot that switches
        self._stopping = threading.Event()
        self._service: JobService | None = None

    # --- the InferenceQueue port ----------------------------------------------------------------
    def submit(self, job, photo_key: str) -> None:
        if self._service is None or self._stopping.is_set():
            raise RuntimeError("the engine pool is not running")
        self._jobs.put(job.job_id)

    def start(self, service: JobService) -> None:
        self._service = service
        for slot in self._slots:
            slot.start()

    def stop(self) -> None:
        self._stopping.set()
        for slot in self._slots:
            slot.thread.join(10)
            slot.close()
        with self._lock:
            if self._handover is not None:
                self._handover.close()
                self._handover = None

    def pending(self) -> int:
        return self._jobs.qsize()

    # --- engine changes -------------------------------------------------------------------------
    @property
    def engine_name(self) -> str:
        return self.spec.name

    def switch(self, spec: EngineRecipe, warmed: EngineProcess | None = None) -> None:
        """New jobs go to `spec`'s engine; a ready `warmed` process of it is used by the first free slot."""
        with self._lock:
            if self._handover is not None:
                self._handover.close()
            self.spec, self._handover = spec, warmed
            self.generation += 1
        if self._service is not None:
            self._service.settings = replace(self._service.settings, engine_name=spec.name)
        log.info("new jobs go to the %s engine", spec.name)

    def _take_handover(self, generation: int) -> EngineProcess | None:
        with self._lock:
            if generation == self.generation and self._handover is not None:
                process, self._handover = self._handover, None
                return process
        return None

    def stage(self, job: Job) -> str | None:
        """The job document's optional `stage`, from what the slots and the line hold right now: `aging` while
        a slot's loaded engine has the job, `waiting` while it is in line behind other jobs with an engine
        loaded, `warming_up` while the engine it waits for is still loading. None otherwise (a failed
        engine, or the instant a slot takes it from the line)."""
        for slot in self._slots:
            if slot.job_id == job.job_id:
                return {"ready": job_stage.AGING, "loading": job_stage.WARMING_UP}.get(slot.state)
        if not self._in_line(job.job_id):
            return None
        states = {slot.state for slot in self._slots}
        if "ready" in states:
            return job_stage.WAITING
        return job_stage.WARMING_UP if "loading" in states else None

    def _in_line(self, job_id: str) -> bool:
        with self._jobs.mutex:  # queue.Queue's own lock over its deque
            return job_id in self._jobs.queue

    # --- /health --------------------------------------------------------------------------------
    def health(self) -> dict:
        """API.md's /health plus `ready`; 503 words (`status: unavailable`, `reason`) when no job could run."""
        states = [slot.describe() for slot in self._slots]
        ready = [state for state in states if state["state"] == "ready"]
        current = ready[0] if ready else states[0]
        document = {
            "status": "ok",
            "engine": self.spec.name,
            "version": current.get("version") or _package_version(),
            "ready": bool(ready),
            "workers": len(states),
            "busy": sum(state["busy"] for state in states),
            "queued": self.pending(),
        }
        reason = None
        if not ready:
            failed = [state for state in states if state["state"] == "failed"]
            if failed:
                reason = f"The {self.spec.name} engine could not be loaded: {failed[0]['error']}"
                document["error"] = failed[0]["error"]
            elif any(state["restarts"] for state in states):
                reason = f"The {self.spec.name} engine is restarting; no worker can take work yet."
            else:
                reason = f"The {self.spec.name} engine is still loading."
        free = self._free_bytes()
        if free is not None and free < self.min_free_bytes:
            reason = f"The disk is nearly full ({free // (1024 * 1024)} MB free)."
            document["ready"] = False
        if reason is not None:
            document.update(status="unavailable", reason=reason)
        return document

    def _free_bytes(self) -> int | None:
        if self.data_dir is None:
            return None
        try:
            return shutil.disk_usage(self.data_dir).free
        except OSError:
            return None


def _package_version() -> str:
    import inference_container

    return inference_container.__version__


class _Slot:
    """One worker thread and the engine process it supervises."""

    def __init__(self, pool: EnginePool, number: int):
        self.pool = pool
        self.number = number
        self.process: EngineProcess | None = None
        self.generation = -1
        self.busy = False
        self.job_id: str | None = None  # the job this slot has taken from the line, until it is recorded
        self.restarts = 0
        self.last_error: str | None = None
        self.thread = threading.Thread(target=self._work, name=f"inference-{number}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def close(self) -> None:
        if self.process is not None:
            self.process.close()
            self.process = None

    @property
    def state(self) -> str:
        """Its engine's state: loading (also before its process exists), ready, failed or dead."""
        process = self.process
        return "loading" if process is None else process.state

    def describe(self) -> dict:
        process = self.process
        if process is None:
            return {"state": "loading", "busy": self.busy, "restarts": self.restarts}
        return {"state": process.state, "version": process.version, "error": process.error,
                "busy": self.busy, "restarts": self.restarts}

    # --- the loop -------------------------------------------------------------------------------
    def _work(self) -> None:
        stopping = self.pool._stopping
        while not stopping.is_set():
            try:
                self._ensure_engine()
                try:
                    job_id = self.pool._jobs.get(timeout=0.2)
                except queue.Empty:
                    continue
                self.job_id = job_id
                try:
                    if self.generation != self.pool.generation:
                        self._ensure_engine()  # the engine changed while we waited: the job takes the new one
                    self.busy = True
                    self._run(job_id)
                finally:
                    self.busy, self.job_id = False, None
            except Exception as exc:  # noqa: BLE001 - a slot must survive anything one job does
                if repr(exc) != self.last_error:  # the traceback once; a repeat of it is one short line
                    log.exception("inference slot %d: %s", self.number, type(exc).__name__)
                else:
                    log.debug("inference slot %d: %s again", self.number, type(exc).__name__)
                self.last_error = repr(exc)
                stopping.wait(1.0)  # never a hot loop of the same failure

    def _ensure_engine(self) -> None:
        """A loaded (or permanently failed) engine of the pool's current generation, restarted when dead."""
        stopping = self.pool._stopping
        if self.process is not None and self.generation != self.pool.generation:
            self.process.close()
            self.process = None
        if self.process is not None and self.process.state == "dead":
            self.process.close()
            self.process = None
            self.restarts += 1
        if self.process is None:
            generation = self.pool.generation
            self.process = self.pool._take_handover(generation) or EngineProcess(self.pool.spec)
            self.generation = generation
        if self.process.state == "loading":
            ready = self.process.wait_ready(cancelled=stopping.is_set)
            if ready:
                log.info("engine %s ready in worker %d (%.1f s)", self.process.name, self.number,
                         self.process.load_seconds)
            elif self.process.state == "failed":
                log.error("engine %s failed to load: %s", self.pool.spec.name, self.process.error)

    def _run(self, job_id: str) -> None:
        service = self.pool._service
        job = service.mark_processing(job_id)
        if job is None:
            return  # timed out, deleted or taken already
        photo = service.store.get(upload_key(job_id))
        if photo is None:
            service.fail_job(job_id, "INFERENCE_FAILED", "The photo is no longer stored.")
            return
        process = self.process
        if process is None or process.state != "ready":
            service.fail_job(job_id, "INFERENCE_FAILED",
                             f"The {self.pool.spec.name} engine could not be loaded.")
            return
        remaining = service.settings.job_timeout - (service.clock() - job.created_at)
        ended = _ended_checker(service, job_id)
        stopping = self.pool._stopping
        # On shutdown the job is left PROCESSING: the next start re-queues it (JobService.recover).
        outcome = process.age(photo, job.ages, max(remaining, 0.0), lambda: stopping.is_set() or ended(),
                              sitter=job.sitter)
        if isinstance(outcome, Frames):
            service.complete_frames(job_id, outcome.jpegs, engine=outcome.engine, shown_ages=outcome.ages)
        elif isinstance(outcome, Refused):
            service.fail_job(job_id, outcome.code, outcome.message)
        elif outcome.why == "timeout":
            service.fail_job(job_id, "TIMEOUT")
        elif outcome.died:
            log.warning("job %s: %s; restarting the engine", job_id, outcome.why)
            service.fail_job(job_id, "INFERENCE_FAILED", ENGINE_STOPPED)
        # a "cancelled" job had ended already (swept, read as TIMEOUT): nothing to record


def _ended_checker(service: JobService, job_id: str):
    """A cheap `cancelled()` for EngineProcess.age: reads the job's row at most once a second."""
    next_check = [time.monotonic() + STATUS_CHECK_SECONDS]

    def ended() -> bool:
        if time.monotonic() < next_check[0]:
            return False
        next_check[0] = time.monotonic() + STATUS_CHECK_SECONDS
        job = service.table.get(job_id)
        return job is None or job.finished

    return ended
