"""One booth job over the REST contract (API.md), as plain functions: upload, poll, download, with retries.

No Qt here: `run_job` is called from the network worker's thread and tested on its own. Network errors
and overloaded servers are retried with exponential backoff (a repeated PUT with the same job id is the
same job, so retrying an upload is safe); everything else ends in `JobFailed` with an API error code.
"""

from __future__ import annotations

import io
import ipaddress
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
import tenacity
from PIL import Image, UnidentifiedImageError

from booth_core.limits import JOB_TIMEOUT_S
from booth_core.sitter import SITTER_HEADER, parse_sitter

#: HTTP statuses that mean "try again later" rather than "this request is wrong".
RETRYABLE_STATUS = {429, 500, 502, 503, 504}
BUSY_STATUS = {429, 503}


class JobFailed(Exception):
    """The job cannot finish; `code` is an API.md error code, or NETWORK / BUSY / CANCELLED."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


class _Retryable(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass
class RetryPolicy:
    """How hard to try before apologising; `scale` shortens every wait (tests use small values)."""

    retries: int = 4
    first_wait: float = 0.5
    max_wait: float = 8.0
    poll_first: float = 0.25
    poll_max: float = 2.0
    job_timeout: float = float(JOB_TIMEOUT_S)

    def wait(self) -> tenacity.wait.wait_base:
        """first_wait, doubling after each failure, never above max_wait."""
        return tenacity.wait_exponential(multiplier=self.first_wait, max=self.max_wait)


@dataclass
class Frame:
    index: int
    age: int | None
    url: str
    image: Image.Image
    display: object = None  # a QImage made off the UI thread by the network worker, if any


@dataclass
class JobOutcome:
    job_id: str
    engine: str
    frames: list[Frame] = field(default_factory=list)
    elapsed: float = 0.0
    share: dict | None = None  # the job document's optional `share`: {"url", "expires_at"}

    @property
    def share_url(self) -> str | None:
        """The share page a phone opens (the QR code), when the backend gave one; else None.

        A private address is fine (the venue share server on the booth's Wi-Fi); loopback is not.
        """
        url = (self.share or {}).get("url")
        return url if isinstance(url, str) and is_phone_url(url) else None

    @property
    def share_expires_at(self) -> str | None:
        expires = (self.share or {}).get("expires_at")
        return expires if isinstance(expires, str) else None


def is_phone_url(url: str) -> bool:
    """An absolute http(s) URL that another device could open (not this machine's loopback)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def new_job_id() -> str:
    return str(uuid.uuid4())


class BoothClient:
    """Thin httpx client for the contract; raises JobFailed for answers and _Retryable for passing trouble."""

    def __init__(self, base_url: str, api_key: str = "", timeout: float = 15.0) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        headers = {"x-api-key": api_key} if api_key else {}
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def absolute(self, url: str) -> str:
        return urljoin(self.base_url, url)

    def _request(self, method: str, url: str, **kwargs) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TransportError as error:  # refused, reset, timed out, DNS...
            raise _Retryable("NETWORK", type(error).__name__) from None
        if response.status_code in RETRYABLE_STATUS:
            code = "BUSY" if response.status_code in BUSY_STATUS else "NETWORK"
            raise _Retryable(code, f"HTTP {response.status_code}")
        if response.status_code == 403:
            raise JobFailed("FORBIDDEN", "the API key was refused")
        return response

    @staticmethod
    def _json(response: httpx.Response) -> dict:
        try:
            data = response.json()
        except ValueError:
            raise JobFailed("BAD_ANSWER", f"not JSON (HTTP {response.status_code})") from None
        if not isinstance(data, dict):
            raise JobFailed("BAD_ANSWER", "not a JSON object")
        return data

    def _error(self, response: httpx.Response) -> JobFailed:
        try:
            error = self._json(response).get("error") or {}
        except JobFailed:
            error = {}
        code = error.get("code") if isinstance(error, dict) else None
        return JobFailed(code or "BAD_ANSWER", f"HTTP {response.status_code}")

    def health(self) -> dict:
        response = self._request("GET", "health")
        if response.status_code != 200:
            raise self._error(response)
        return self._json(response)

    def admin_upgrade(self, action: str) -> tuple[int, dict]:
        """POST /admin/upgrade {"action": "start"|"stop"}: the local service's engine upgrade."""
        try:
            response = self._http.post("admin/upgrade", json={"action": action})
        except httpx.TransportError as error:
            raise JobFailed("NETWORK", type(error).__name__) from None
        try:
            document = response.json()
        except ValueError:
            document = {}
        return response.status_code, document if isinstance(document, dict) else {}

    def upload(self, job_id: str, jpeg: bytes, ages, sitter: str | None = None) -> dict:
        headers = {"Content-Type": "image/jpeg"}
        if ages:
            headers["X-Target-Ages"] = ",".join(str(int(age)) for age in ages)
        sitter = parse_sitter(sitter)  # a bad answer is a bug here: refused before anything is sent
        if sitter is not None:
            headers[SITTER_HEADER] = sitter
        response = self._request("PUT", f"uploads/{job_id}", content=jpeg, headers=headers)
        if response.status_code not in (200, 202):
            raise self._error(response)
        return self._json(response)

    def job(self, job_id: str) -> dict:
        response = self._request("GET", f"jobs/{job_id}")
        if response.status_code != 200:
            raise self._error(response)
        return self._json(response)

    def frame(self, url: str) -> Image.Image:
        absolute = self.absolute(url)
        # Presigned URLs carry their own authorisation; our key goes only to our own base URL.
        if absolute.startswith(self.base_url):
            response = self._request("GET", absolute)
        else:
            try:
                response = httpx.get(absolute, timeout=self._http.timeout)
            except httpx.TransportError as error:
                raise _Retryable("NETWORK", type(error).__name__) from None
        if response.status_code != 200:
            raise self._error(response)
        try:
            image = Image.open(io.BytesIO(response.content))
            image.load()
        except (UnidentifiedImageError, OSError):
            raise JobFailed("BAD_ANSWER", "a frame is not an image") from None
        return image.convert("RGB")


Report = Callable[[str, dict], None]


def _with_retries(call, policy: RetryPolicy, cancel: threading.Event, report: Report):
    """Run `call()`; on passing trouble report it, wait with backoff, try again; give up with JobFailed.

    Waits go through `cancel.wait`, so cancelling ends a wait at once.
    """

    def wait_or_cancel(seconds: float) -> None:
        if cancel.wait(seconds):
            raise JobFailed("CANCELLED")

    def announce(state: tenacity.RetryCallState) -> None:
        trouble = state.outcome.exception()
        report("retrying", {"attempt": state.attempt_number, "total": policy.retries, "code": trouble.code})

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(_Retryable),
        stop=tenacity.stop_after_attempt(policy.retries + 1),
        wait=policy.wait(),
        sleep=wait_or_cancel,
        before_sleep=announce,
        reraise=True,
    )
    attempts = 0

    def attempt():
        nonlocal attempts
        attempts += 1
        if cancel.is_set():
            raise JobFailed("CANCELLED")
        return call()

    try:
        result = retrying(attempt)
    except _Retryable as trouble:
        raise JobFailed(trouble.code, str(trouble)) from None
    if attempts > 1:
        report("network_ok", {})
    return result


def _parse_frames(document: dict, client: BoothClient) -> list[tuple[int, int | None, str]]:
    frames = document.get("frames")
    if not isinstance(frames, list) or len(frames) < 2:
        raise JobFailed("BAD_ANSWER", "a finished job without frames")
    parsed = []
    for frame in frames:
        try:
            index, age, url = int(frame["index"]), frame.get("age"), str(frame["url"])
            age = None if age is None else int(age)
        except (KeyError, TypeError, ValueError):
            raise JobFailed("BAD_ANSWER", "a frame entry is malformed") from None
        parsed.append((index, age, client.absolute(url)))
    return sorted(parsed)


def run_job(
    client: BoothClient,
    jpeg: bytes,
    ages,
    cancel: threading.Event,
    report: Report,
    policy: RetryPolicy | None = None,
    job_id: str | None = None,
    sitter: str | None = None,
) -> JobOutcome:
    """Upload, wait for the job, download its frames. Reports stages: uploading, queued, ageing, downloading.
    `sitter`: the attendee's answer to "who is in the photo?" (booth_core.sitter), sent with every try."""
    policy = policy or RetryPolicy()
    job_id = job_id or new_job_id()
    started = time.monotonic()
    report("uploading", {"job_id": job_id})
    _with_retries(lambda: client.upload(job_id, jpeg, ages, sitter), policy, cancel, report)
    wait = policy.poll_first
    while True:
        document = _with_retries(lambda: client.job(job_id), policy, cancel, report)
        status = document.get("status")
        if status == "SUCCESS":
            break
        if status == "FAILED":
            error = document.get("error")
            error = error if isinstance(error, dict) else {}
            raise JobFailed(error.get("code") or "INFERENCE_FAILED", str(error.get("message") or ""))
        if status not in ("QUEUED", "PROCESSING"):
            raise JobFailed("BAD_ANSWER", f"unknown status {status!r}")
        # The optional "stage" (docs/job_service.md) says more: waiting, warming_up or aging.
        stage = document.get("stage")
        details = {"job_id": job_id, "stage": stage if isinstance(stage, str) else None}
        report("queued" if status == "QUEUED" else "ageing", details)
        if time.monotonic() - started > policy.job_timeout:
            raise JobFailed("TIMEOUT", "the job outlived the booth's patience")
        if cancel.wait(wait):
            raise JobFailed("CANCELLED")
        wait = min(policy.poll_max, wait * 1.5)
    entries = _parse_frames(document, client)
    report("downloading", {"job_id": job_id, "count": len(entries)})
    frames = [
        Frame(index, age, url, _with_retries(lambda url=url: client.frame(url), policy, cancel, report))
        for index, age, url in entries
    ]
    share = document.get("share")
    return JobOutcome(
        job_id,
        str(document.get("engine") or "?"),
        frames,
        time.monotonic() - started,
        share if isinstance(share, dict) else None,
    )
