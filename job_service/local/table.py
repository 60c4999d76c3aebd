"""The job table in SQLite (WAL journal): one row per job, status changes as compare-and-set updates."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from job_service.model import UNFINISHED, Job, JobStatus

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    ages TEXT NOT NULL,
    content_type TEXT NOT NULL,
    expires_at REAL NOT NULL,
    frame_count INTEGER NOT NULL DEFAULT 0,
    engine TEXT,
    error_code TEXT,
    error_message TEXT
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status);
CREATE INDEX IF NOT EXISTS jobs_expires ON jobs (expires_at);
"""
_COLUMNS = (
    "job_id",
    "status",
    "created_at",
    "updated_at",
    "ages",
    "content_type",
    "expires_at",
    "frame_count",
    "engine",
    "error_code",
    "error_message",
)
_UPDATABLE = frozenset(_COLUMNS) - {"job_id", "created_at"}


class SqliteJobTable:
    """One connection shared by the server's threads behind a lock; WAL keeps a killed process's data intact."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @staticmethod
    def _to_row(job: Job) -> tuple:
        return (
            job.job_id,
            str(job.status),
            job.created_at,
            job.updated_at,
            json.dumps(list(job.ages)),
            job.content_type,
            job.expires_at,
            job.frame_count,
            job.engine,
            job.error_code,
            job.error_message,
        )

    @staticmethod
    def _from_row(row: tuple) -> Job:
        values = dict(zip(_COLUMNS, row, strict=True))
        values["status"] = JobStatus(values["status"])
        values["ages"] = tuple(json.loads(values["ages"]))
        return Job(**values)

    def _select(self, where: str, params: tuple) -> list[Job]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM jobs WHERE {where}", params
            ).fetchall()
        return [self._from_row(row) for row in rows]

    def create(self, job: Job) -> bool:
        placeholders = ", ".join("?" for _ in _COLUMNS)
        with self._lock:
            cursor = self._db.execute(
                f"INSERT OR IGNORE INTO jobs ({', '.join(_COLUMNS)}) VALUES ({placeholders})",
                self._to_row(job),
            )
        return cursor.rowcount == 1

    def get(self, job_id: str) -> Job | None:
        found = self._select("job_id = ?", (job_id,))
        return found[0] if found else None

    def update(self, job_id: str, expected: Iterable[JobStatus], **changes) -> Job | None:
        unknown = set(changes) - _UPDATABLE
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        statuses = [str(status) for status in expected]
        values = [str(v) if isinstance(v, JobStatus) else v for v in changes.values()]
        assignments = ", ".join(f"{name} = ?" for name in changes)
        marks = ", ".join("?" for _ in statuses)
        with self._lock:
            cursor = self._db.execute(
                f"UPDATE jobs SET {assignments} WHERE job_id = ? AND status IN ({marks})",
                (*values, job_id, *statuses),
            )
        return self.get(job_id) if cursor.rowcount == 1 else None

    def unfinished(self) -> list[Job]:
        statuses = tuple(str(status) for status in UNFINISHED)
        return self._select("status IN (?, ?) ORDER BY created_at", statuses)

    def expired(self, now: float) -> list[Job]:
        return self._select("expires_at <= ?", (now,))

    def delete(self, job_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM jobs WHERE job_id = ?", (job_id,))
