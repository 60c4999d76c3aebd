"""The booth keeps its local job service alive: killed while idle or mid-job (as a crash would), it is
restarted within seconds and the next attendee's whole visit works, without restarting the app."""

from __future__ import annotations

import os
import signal

import pytest

from photobooth.app import BoothWindow
from photobooth.state import State
from photobooth.workers.network import BackendSpec
from photobooth.workers.supervisor import BackendSupervisor
from tests.app.service_log import StartedServices
from tests.app.test_flow import take_photo, wait_state


def gone(pid: int) -> bool:
    """The process no longer exists (ended and reaped), not merely forgotten by the booth."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def services():
    with StartedServices() as started:
        yield started


@pytest.fixture
def local_booth(qtbot, fast_config, services):
    fast_config.backend.url = ""  # the booth starts its own local service, in a child process
    fast_config.backend.engine = "classic"
    fast_config.backend.health_check_seconds = 0.3
    fast_config.backend.request_timeout_seconds = 10.0  # a shared CI machine can be slow to answer mid-job
    fast_config.backend.retries = 4
    fast_config.booth.idle_timeout_seconds = 0.5
    window = BoothWindow(fast_config, countdown_tick_ms=20)
    qtbot.addWidget(window)
    window.resize(960, 540)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: window.backend_up, timeout=60000)
    yield window
    window.shutdown()
    assert services.pids and all(gone(pid) for pid in services.pids), services.pids  # none outlives the booth


def kill_service(qtbot, window, services) -> None:
    pid = services.current
    restarts = window.backend_restarts
    reasons = []  # the restart's own reason (later health reports, e.g. "still loading", replace last_problem)
    window.keeper.supervisor.restarted.connect(reasons.append)
    os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: window.backend_restarts > restarts and window.backend_up, timeout=60000)
    assert services.current != pid and gone(pid)  # a new process, and the dead one reaped
    assert any("died" in reason for reason in reasons), reasons


def full_visit(qtbot, window) -> None:
    visit = take_photo(qtbot, window)
    qtbot.waitUntil(lambda: any(t.target in (State.RESULT, State.ERROR) for t in visit), timeout=60000)
    ended = next(t for t in visit if t.target in (State.RESULT, State.ERROR))
    assert ended.target is State.RESULT, ended.error
    wait_state(qtbot, window, State.ATTRACT, timeout=5000)


@pytest.mark.slow
def test_service_killed_idle_and_mid_job_is_restarted_and_attendees_carry_on(qtbot, local_booth, services):
    window = local_booth
    url = window.backend_url
    kill_service(qtbot, window, services)  # idle: nobody notices
    assert window.backend_url == url  # the same address again
    full_visit(qtbot, window)

    seen = []
    window.machine.add_listener(lambda transition: seen.append(transition.target))
    take_photo(qtbot, window)  # mid-job: the job ends (finished by the new service, or an apology)
    kill_service(qtbot, window, services)
    qtbot.waitUntil(lambda: State.RESULT in seen or State.ERROR in seen, timeout=60000)
    wait_state(qtbot, window, State.ATTRACT, timeout=10000)
    full_visit(qtbot, window)


@pytest.mark.slow
def test_a_service_that_stops_answering_is_replaced(qtbot, tmp_path, services):
    """SIGSTOP: the process is alive but silent (a hang); after `silent_limit` it is killed and restarted."""
    supervisor = BackendSupervisor(interval=0.2, silent_limit=1.0)
    health = []
    supervisor.health.connect(lambda up, reason, document: health.append((up, reason)))
    spec = BackendSpec(engine="classic", data_dir=str(tmp_path / "jobs"))
    supervisor.start(spec)
    try:
        first = services.current
        qtbot.waitUntil(lambda: health and health[-1][0], timeout=30000)
        with qtbot.waitSignal(supervisor.restarted, timeout=60000) as restarted:
            os.kill(first, signal.SIGSTOP)
        assert "stopped answering" in restarted.args[0]
        assert services.current != first
        assert gone(first)  # the hung one is gone, not left behind
        assert any(not up and "no answer" in reason for up, reason in health)
        qtbot.waitUntil(lambda: health[-1][0], timeout=30000)
    finally:
        supervisor.stop()
    assert all(gone(pid) for pid in services.pids), services.pids
