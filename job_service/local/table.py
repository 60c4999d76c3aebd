"""The job table in SQLite (WAL journal): one row per job, status changes as compare-and-set updates.

Every call takes a connection from a pool (one per call in flight, reused, never more than the
threads that ever read at once), so readers keep answering while a writer (or another process) holds
the write lock; writes wait at most `busy_timeout` and then raise UnavailableError. A file that
is not a readable database is moved aside at start and the table starts empty.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from booth_core.errors import StorageFullError, UnavailableError
from job_service.local.store import make_private_dir
from job_service.model import UNFINISHED, Job, JobStatus

log = logging.getLogger("job_service")

#: Seconds a write waits for another writer's lock before the request is answered UNAVAILABLE.
BUSY_TIMEOUT_S = 5.0
#: SQLite's primary result codes for "this is not (or no longer) a database".
_UNREADABLE = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}

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
    error_message TEXT,
    shown_ages TEXT,
    sitter TEXT
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
    "shown_ages",
    "sitter",
)
#: Columns added after the first release, with their SQL type: a table made before gains them on open.
_ADDED_COLUMNS = {"shown_ages": "TEXT", "sitter": "TEXT"}
#: Columns that hold a tuple of ints as JSON (None stays NULL).
_JSON_COLUMNS = frozenset({"ages", "shown_ages"})
_UPDATABLE = frozenset(_COLUMNS) - {"job_id", "created_at"}


def _to_json(ages: tuple[int, ...] | None) -> str | None:
    return None if ages is None else json.dumps(list(ages))


class SqliteJobTable:
    """A pool of connections (WAL lets them read side by side); writes go one at a time."""

    def __init__(self, path: str | Path, busy_timeout: float | None = None):
        self.path = Path(path)
        self.busy_timeout = BUSY_TIMEOUT_S if busy_timeout is None else busy_timeout
        make_private_dir(self.path.parent)
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._open_or_start_fresh()

    # --- opening ------------------------------------------------------------------------------
    def _open_or_start_fresh(self) -> None:
        if self.path.is_dir():
            self._move_aside("a directory is in its place")
        try:
            self._check_readable()
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorname", None) not in _UNREADABLE and "malformed" not in str(exc):
                raise
            self.close()
            self._move_aside(getattr(exc, "sqlite_errorname", None) or "malformed")
            self._check_readable()

    def _check_readable(self) -> None:
        if not self.path.exists():
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(self.path, 0o600)
        with self._connection() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            present = {row[1] for row in db.execute("PRAGMA table_info(jobs)")}
            for name, kind in _ADDED_COLUMNS.items():
                if name not in present:
                    db.execute(f"ALTER TABLE jobs ADD COLUMN {name} {kind}")
            verdict = db.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise sqlite3.DatabaseError(f"database disk image is malformed: {verdict}")

    def _move_aside(self, why: str) -> None:
        """Keep the unreadable file as `<name>.corrupt` (replacing an older one) and start with none."""
        for suffix in ("", "-wal", "-shm"):
            source = self.path.with_name(self.path.name + suffix)
            target = self.path.with_name(f"{self.path.name}.corrupt{suffix}")
            if target.is_dir():
                shutil.rmtree(target)
            if source.is_dir() and target.exists():
                target.unlink()
            if source.exists():
                os.replace(source, target)
        log.warning(
            "%s could not be read (%s): moved aside as %s.corrupt; starting with an empty job table",
            self.path.name,
            why,
            self.path.name,
        )

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """An idle connection of the pool, or a new one when all are in use; back to the pool after."""
        try:
            db = self._idle.get_nowait()
        except queue.Empty:
            db = sqlite3.connect(
                str(self.path), check_same_thread=False, isolation_level=None, timeout=self.busy_timeout
            )
            db.execute("PRAGMA synchronous=NORMAL")
            with self._connections_lock:
                self._connections.append(db)
        try:
            yield db
        finally:
            self._idle.put(db)

    def close(self) -> None:
        with self._connections_lock:
            for db in self._connections:
                db.close()
            self._connections.clear()
        self._idle = queue.SimpleQueue()

    # --- reading and writing ------------------------------------------------------------------
    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One writer at a time; UnavailableError past the busy timeout, StorageFullError when SQLite has no room."""
        if not self._write_lock.acquire(timeout=self.busy_timeout):
            raise UnavailableError()
        try:
            with self._connection() as db:
                yield db
        except sqlite3.OperationalError as exc:
            name = getattr(exc, "sqlite_errorname", "")
            if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED") or "locked" in str(exc):
                raise UnavailableError() from exc
            if name == "SQLITE_FULL":
                raise StorageFullError() from exc
            raise
        finally:
            self._write_lock.release()

    @staticmethod
    def _to_row(job: Job) -> tuple:
        return (
            job.job_id,
            str(job.status),
            job.created_at,
            job.updated_at,
            _to_json(job.ages),
            job.content_type,
            job.expires_at,
            job.frame_count,
            job.engine,
            job.error_code,
            job.error_message,
            _to_json(job.shown_ages),
            job.sitter,
        )

    @staticmethod
    def _from_row(row: tuple) -> Job:
        values = dict(zip(_COLUMNS, row, strict=True))
        values["status"] = JobStatus(values["status"])
        for name in _JSON_COLUMNS:
            values[name] = None if values[name] is None else tuple(json.loads(values[name]))
        return Job(**values)

    def _select(self, where: str, params: tuple) -> list[Job]:
        with self._connection() as db:
            rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM jobs WHERE {where}", params).fetchall()
        return [self._from_row(row) for row in rows]

    def create(self, job: Job) -> bool:
        placeholders = ", ".join("?" for _ in _COLUMNS)
        with self._writing() as db:
            cursor = db.execute(
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
        values = [
            str(v) if isinstance(v, JobStatus) else _to_json(v) if name in _JSON_COLUMNS else v
            for name, v in changes.items()
        ]
        assignments = ", ".join(f"{name} = ?" for name in changes)
        marks = ", ".join("?" for _ in statuses)
        with self._writing() as db:
            cursor = db.execute(
                f"UPDATE jobs SET {assignments} WHERE job_id = ? AND status IN ({marks})",
                (*values, job_id, *statuses),
            )
        return self.get(job_id) if cursor.rowcount == 1 else None

    def unfinished(self) -> list[Job]:
        statuses = tuple(str(status) for status in UNFINISHED)
        return self._select("status IN (?, ?) ORDER BY created_at", statuses)

    def expired(self, now: float) -> list[Job]:
        return self._select("expires_at <= ?", (now,))

    def job_ids(self) -> set[str]:
        with self._connection() as db:
            return {row[0] for row in db.execute("SELECT job_id FROM jobs").fetchall()}

    def delete(self, job_id: str) -> None:
        with self._writing() as db:
            db.execute("DELETE FROM jobs WHERE job_id = ?", (job_id,))
