"""The local job service as one object: store, table, worker pool, sweeper and uvicorn in a thread."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from booth_core.ages import DEFAULT_AGES
from booth_core.http_server import listen_socket, server_config
from booth_core.limits import DEFAULT_RETENTION_HOURS, JOB_TIMEOUT_S
from job_service import api
from job_service.local.app import create_app
from job_service.local.engine_pool import EnginePool
from job_service.local.engines import LocalEngines, local_engines
from job_service.local.share_server import (
    SHARE_PREFIX,
    ShareServer,
    advertised_base_url,
    create_share_app,
)
from job_service.local.store import FileObjectStore, make_private_dir
from job_service.local.table import SqliteJobTable
from job_service.local.upgrade import DEFAULT_SAM_BUDGET_S, SamUpgrade
from job_service.model import results_prefix, upload_key
from job_service.service import JobService, ServiceSettings
from job_service.share import Sharing
from job_service.share_tokens import TokenShareLinks
from job_service.validation import is_loopback

log = logging.getLogger("job_service")


class InsecureBindError(ValueError):
    """Raised for a non-loopback host without an API key."""


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("time-traveler", appauthor=False)) / "jobs"


@dataclass
class LocalServer:
    """A running local job service. Use `.base_url`; `.stop()` (or leave the `with` block) shuts it down."""

    service: JobService
    store: FileObjectStore
    table: SqliteJobTable
    queue: EnginePool
    engines: LocalEngines
    data_dir: Path
    host: str
    port: int
    _server: uvicorn.Server
    _thread: threading.Thread
    _sweeper: threading.Thread
    _stopping: threading.Event
    share_server: ShareServer | None = None  # the venue share server, when staff turned it on

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def health(self) -> dict:
        return self.engines.health()

    @property
    def upgrade(self) -> SamUpgrade | None:
        return self.engines.upgrade

    def wait_ready(self, timeout: float = 120.0) -> bool:
        """Block until an engine worker has loaded (True) or its engine failed to load (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.queue.health()
            if state["ready"] or "error" in state:
                return state["ready"]
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._server.should_exit = True
        self._thread.join(10)
        self._sweeper.join(10)
        if self.share_server is not None:
            self.share_server.stop()
        self.engines.stop()
        self.table.close()
        log.info("local job service stopped")

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_local_server(
    engine: str = "auto",
    data_dir: str | Path | None = None,
    api_key: str | None = None,
    ages=None,
    port: int = 0,
    retention_hours: float = DEFAULT_RETENTION_HOURS,
    job_timeout: float = JOB_TIMEOUT_S,
    engine_instance=None,
    *,
    host: str = "127.0.0.1",
    weights=None,
    workers: int = 1,
    engine_options: dict | None = None,
    sweep_interval: float | None = None,
    clock: Callable[[], float] = time.time,
    fetch_weights: bool = True,
    sam_budget_s: float = DEFAULT_SAM_BUDGET_S,
    upgrade_hooks: dict | None = None,
    share_host: str | None = None,
    share_port: int = 0,
    share_url: str | None = None,
    http_options: dict | None = None,
) -> LocalServer:
    """Start the local job service on `host:port` (port 0: a free one) and return at once.

    The engine loads in its own worker process (`/health` answers 503 until it is `ready`); jobs queued
    meanwhile wait for it. `engine_instance` must be picklable: it is sent to the worker process.
    `engine="auto"` starts on classic and upgrades itself to SAM in the background (job_service.local.upgrade):
    `fetch_weights=False` only uses weights already on disk; `sam_budget_s` is the time per photo SAM must meet.
    Jobs left unfinished by an earlier process on the same data dir are re-queued or failed.
    With `share_host`, the venue share server (job_service.local.share_server) listens there too and job
    documents carry `share` links to it (`share_url` overrides the base URL phones are told, e.g. a name).
    `http_options` go to `booth_core.http_server.server_config` (e.g. shorter read deadlines in tests).
    """
    if not is_loopback(host) and not api_key:
        raise InsecureBindError(
            f"Refusing to listen on {host} without an API key: anyone on the network could use the booth. "
            "Give a key with --api-key-file FILE or $TIME_TRAVELER_API_KEY (clients then send x-api-key), "
            "or bind 127.0.0.1."
        )
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    make_private_dir(data_dir)
    store = FileObjectStore(data_dir / "objects")
    store.remove_partial_writes()
    table = SqliteJobTable(data_dir / "jobs.sqlite3")
    _remove_orphans(store, table)
    engines = local_engines(
        engine, weights=weights, engine_options=engine_options, engine_instance=engine_instance,
        workers=workers, data_dir=data_dir, ages=tuple(ages) if ages else None,
        fetch_weights=fetch_weights, sam_budget_s=sam_budget_s, upgrade_hooks=upgrade_hooks,
    )
    queue = engines.pool
    settings = ServiceSettings(
        default_ages=tuple(ages) if ages else DEFAULT_AGES,
        job_timeout=float(job_timeout),
        retention_seconds=float(retention_hours) * 3600.0,
        engine_name=queue.engine_name,
    )
    share_sock = links = None
    if share_host:
        try:
            share_sock = listen_socket(share_host, share_port)
        except OSError as exc:  # a wrong address or a busy port costs the QR codes, not the booth
            log.warning("share server not started on %s:%s (%s); no share links", share_host, share_port, exc)
        else:
            share_base = share_url or advertised_base_url(share_host, share_sock.getsockname()[1])
            links = TokenShareLinks(store, SHARE_PREFIX, share_base)
    service = JobService(
        store,
        table,
        queue,
        settings,
        start_on_upload=True,
        clock=clock,
        sharing=Sharing(links) if links else None,
    )
    engines.start(service)
    requeued = service.recover()
    if requeued:
        log.info("re-queued %d unfinished jobs", len(requeued))

    upgrade_action = engines.upgrade.handle if engines.upgrade else None
    config = api.ApiConfig(api_key=api_key, health=engines.health, upgrade_action=upgrade_action)
    app = create_app(service, config)
    sock = listen_socket(host, port)
    uv_server = uvicorn.Server(
        server_config(app, log_level="warning", lifespan="off", **(http_options or {}))
    )
    thread = threading.Thread(target=uv_server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True)
    thread.start()
    stopping = threading.Event()
    interval = sweep_interval or max(0.5, min(30.0, job_timeout / 4))
    sweeper = threading.Thread(
        target=_sweep_loop, args=(service, stopping, interval), name="sweeper", daemon=True
    )
    sweeper.start()
    deadline = time.monotonic() + 10
    while not uv_server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not uv_server.started:
        stopping.set()
        engines.stop()
        raise RuntimeError(f"the local server did not start on {host}:{port}")
    server = LocalServer(
        service,
        store,
        table,
        queue,
        engines,
        data_dir,
        host,
        sock.getsockname()[1],
        uv_server,
        thread,
        sweeper,
        stopping,
    )
    if share_sock is not None:
        try:
            server.share_server = ShareServer(create_share_app(service, links), share_sock, links.base_url)
        except Exception:
            server.stop()
            raise
    log.info("local job service on %s (engine %s)", server.base_url, queue.engine_name)
    return server


def _remove_orphans(store: FileObjectStore, table: SqliteJobTable) -> None:
    """Delete photos and frames that no job row owns (a table moved aside, a crash mid-delete): personal
    data the sweeper could otherwise never find."""
    orphans = store.job_ids() - table.job_ids()
    for job_id in orphans:
        store.delete_prefix(upload_key(job_id))
        store.delete_prefix(results_prefix(job_id))
    if orphans:
        log.info("deleted the photos and frames of %d jobs without a record", len(orphans))


def _sweep_loop(service: JobService, stopping: threading.Event, interval: float) -> None:
    while not stopping.wait(interval):
        try:
            service.sweep()
        except Exception as exc:  # noqa: BLE001 - the sweeper must keep going
            log.warning("sweep failed: %s", type(exc).__name__)
