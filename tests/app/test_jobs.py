"""One job over HTTP (no Qt): success, each failure an attendee can meet, retries with backoff, cancel."""

from __future__ import annotations

import threading

import pytest

from booth_core.sitter import SITTER_HEADER
from photobooth.workers.jobs import (
    BoothClient,
    Frame,
    JobFailed,
    JobOutcome,
    RetryPolicy,
    is_phone_url,
    run_job,
)
from tests.app.fake_backend import FakeBackend, jpeg_bytes, refused_url

FAST = RetryPolicy(retries=2, first_wait=0.02, poll_first=0.01, poll_max=0.05, job_timeout=5)


def run(base_url, policy=FAST, api_key="", timeout=2.0, cancel=None, sitter=None):
    reports = []
    client = BoothClient(base_url, api_key, timeout)
    try:
        outcome = run_job(
            client,
            jpeg_bytes(),
            (25, 35),
            cancel or threading.Event(),
            lambda stage, details: reports.append(stage),
            policy,
            sitter=sitter,
        )
    finally:
        client.close()
    return outcome, reports


def test_success_downloads_every_frame_in_order():
    with FakeBackend("ok") as backend:
        outcome, reports = run(backend.base_url, api_key="secret")
    assert [frame.age for frame in outcome.frames] == [None, 25, 35]
    assert [frame.index for frame in outcome.frames] == [0, 1, 2]
    assert all(frame.image.size == (64, 64) for frame in outcome.frames)
    assert outcome.engine == "fake"
    assert reports[0] == "uploading" and reports[-1] == "downloading"
    method, path, headers = backend.requests[0]
    assert method == "PUT" and path == f"/uploads/{outcome.job_id}"
    assert headers["X-Target-Ages"] == "25,35" and headers["x-api-key"] == "secret"
    assert headers["Content-Type"] == "image/jpeg"
    assert SITTER_HEADER.lower() not in {name.lower() for name in headers}  # no answer: the engine judges
    assert all(request[2].get("x-api-key") == "secret" for request in backend.requests)


def test_the_attendees_answer_goes_with_every_upload_attempt():
    """A retried PUT is the same job, so it carries the same X-Sitter; only uploads carry it."""
    with FakeBackend("busy_once") as backend:
        run(backend.base_url, sitter="child")
    puts = [headers for method, _, headers in backend.requests if method == "PUT"]
    assert len(puts) == 2 and [headers[SITTER_HEADER] for headers in puts] == ["child", "child"]
    others = [headers for method, _, headers in backend.requests if method != "PUT"]
    assert others and all(SITTER_HEADER not in headers for headers in others)


def test_an_answer_that_is_not_a_sitter_is_refused_before_sending():
    with FakeBackend("ok") as backend:
        with pytest.raises(ValueError):
            run(backend.base_url, sitter="toddler")
    assert not [request for request in backend.requests if request[0] == "PUT"]


@pytest.mark.parametrize(
    ("mode", "code"),
    [("no_face", "NO_FACE"), ("corrupt_json", "BAD_ANSWER"), ("corrupt_frame", "BAD_ANSWER")],
)
def test_failures_end_with_a_code(mode, code):
    with FakeBackend(mode) as backend:
        with pytest.raises(JobFailed) as failure:
            run(backend.base_url)
    assert failure.value.code == code


def test_refused_connection_retries_then_gives_up():
    with pytest.raises(JobFailed) as failure:
        _, reports = run(refused_url())
    assert failure.value.code == "NETWORK"


def test_retries_are_reported_and_recovery_is_announced():
    with FakeBackend("busy_once") as backend:
        outcome, reports = run(backend.base_url)
    assert "retrying" in reports and "network_ok" in reports
    assert len(outcome.frames) == 3
    puts = [request for request in backend.requests if request[0] == "PUT"]
    assert len(puts) == 2 and puts[0][1] == puts[1][1]  # the retried upload is the same job id


def test_a_busy_server_ends_as_busy():
    with FakeBackend("busy") as backend:
        with pytest.raises(JobFailed) as failure:
            run(backend.base_url)
    assert failure.value.code == "BUSY"
    assert len(backend.requests) == FAST.retries + 1


def test_slow_answers_time_out_and_count_as_network_trouble():
    with FakeBackend("slow", delay=0.6) as backend:
        with pytest.raises(JobFailed) as failure:
            run(backend.base_url, timeout=0.2)
    assert failure.value.code == "NETWORK"


def test_a_job_that_never_finishes_times_out():
    with FakeBackend("processing") as backend:
        with pytest.raises(JobFailed) as failure:
            run(
                backend.base_url,
                policy=RetryPolicy(retries=1, poll_first=0.01, poll_max=0.02, job_timeout=0.3),
            )
    assert failure.value.code == "TIMEOUT"


def test_cancel_stops_waiting_at_once():
    cancel = threading.Event()
    cancel.set()
    with FakeBackend("processing") as backend:
        with pytest.raises(JobFailed) as failure:
            run(backend.base_url, cancel=cancel)
    assert failure.value.code == "CANCELLED"


class RecordedWaits(threading.Event):
    """A cancel event that never fires and returns from every wait at once, noting how long was asked."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout=None) -> bool:
        self.waits.append(timeout)
        return False


def test_backoff_doubles_up_to_a_cap_and_every_attempt_is_reported():
    cancel = RecordedWaits()
    reports = []
    client = BoothClient(refused_url(), timeout=1.0)
    with pytest.raises(JobFailed) as failure:
        run_job(
            client,
            jpeg_bytes(),
            (25,),
            cancel,
            lambda stage, details: reports.append((stage, details)),
            RetryPolicy(retries=5, first_wait=0.5, max_wait=3),
        )
    client.close()
    assert failure.value.code == "NETWORK"
    assert cancel.waits == [0.5, 1.0, 2.0, 3, 3]
    retries = [details for stage, details in reports if stage == "retrying"]
    assert [details["attempt"] for details in retries] == [1, 2, 3, 4, 5]
    assert all(details["total"] == 5 and details["code"] == "NETWORK" for details in retries)


def test_cancel_during_a_backoff_wait_ends_the_job():
    class CancelOnWait(threading.Event):
        def wait(self, timeout=None) -> bool:
            self.set()
            return True

    client = BoothClient(refused_url(), timeout=1.0)
    with pytest.raises(JobFailed) as failure:
        run_job(
            client,
            jpeg_bytes(),
            (25,),
            CancelOnWait(),
            lambda *a: None,
            FAST,
        )
    assert failure.value.code == "CANCELLED"


def test_share_url_comes_from_the_share_field_and_a_phone_can_open_it():
    def outcome(share):
        frame_url = "https://bucket.s3.amazonaws.com/x/1.jpg?sig=1"
        return JobOutcome("id", "sam", [Frame(0, None, frame_url, None), Frame(1, 75, frame_url, None)], 0, share)

    expires = "2026-12-02T18:00:00Z"
    assert outcome(None).share_url is None  # a frame URL is no take-home link
    page = "https://bucket.s3.amazonaws.com/results/x/share/index.html?X-Amz-Signature=1"
    assert outcome({"url": page, "expires_at": expires}).share_url == page
    assert outcome({"url": page, "expires_at": expires}).share_expires_at == expires
    venue = "http://192.168.8.2:8080/s/id/token"
    assert outcome({"url": venue}).share_url == venue  # the booth's own Wi-Fi
    assert outcome({"url": "http://127.0.0.1:8080/s/id/token"}).share_url is None
    assert outcome({"url": 5}).share_url is None and outcome({"url": venue}).share_expires_at is None
    assert not is_phone_url("ftp://example.com/a") and not is_phone_url("http://localhost/a")
