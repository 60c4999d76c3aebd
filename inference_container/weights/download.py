"""Fetch the released SAM checkpoint into the cache: resumable, one at a time, verified before keeping.

Sources, in order: the SAM authors' Google Drive file (as their README links it), then the seed demo's
copy of it; `$TIME_TRAVELER_WEIGHTS_URL` replaces both (a mirror, a test server). Bytes go to
`<dest>.part`, and what the server said about the file (its length, its ETag or Last-Modified) to
`<dest>.part.json`. A broken transfer resumes with `Range` plus `If-Range`, so a file changed on the
server starts over instead of being spliced. Google Drive answers big files with a "can't scan this file
for viruses" page whose form leads to the file; that page is followed once. Any other page (quota,
permission) is reported in Google's own words. A file lock keeps two downloads of one file apart.
The finished file replaces `dest` only if it verifies. A part file is kept for a later resume only
while it is shorter than the length the server announced; otherwise it is deleted.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
import threading
from collections.abc import Callable, Sequence
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlparse

import httpx
from filelock import FileLock, Timeout
from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from booth_core.environment import env_value, variable
from booth_core.errors import WeightsError
from inference_container.weights import default_weights_path
from inference_container.weights.progress import Progress

log = logging.getLogger("weights")

#: The SAM authors' release of `sam_ffhq_aging.pt` (about 2.3 GB), the link in their README.
AUTHORS_DRIVE_ID = "1XyumF6_fdAxFmxpFcmPf-q84LU_22EMC"
#: The seed demo's copy of the same file: the second source.
SEED_COPY_DRIVE_ID = "1ZILUGnwMyhrSYXaWnpFwzASVFt7ZXSSb"
#: One URL that replaces both Drive sources (a mirror, or a test's local server).
WEIGHTS_URL_ENV = variable("WEIGHTS_URL")
CHUNK_SIZE = 1 << 20
#: Extra free space wanted beyond the file itself before a download starts.
SPACE_MARGIN = 64 << 20
#: How much of an error page's text a message quotes.
PAGE_TEXT_CHARS = 300


def drive_url(file_id: str) -> str:
    return f"https://drive.usercontent.google.com/download?id={file_id}&export=download&confirm=t"


def weights_urls() -> list[str]:
    """Where to fetch from, in order: `$TIME_TRAVELER_WEIGHTS_URL` alone, else the authors' file, then the seed's copy."""
    override = (env_value("WEIGHTS_URL") or "").strip()
    if override:
        return [override]
    return [drive_url(AUTHORS_DRIVE_ID), drive_url(SEED_COPY_DRIVE_ID)]


class WeightsUnreachable(WeightsError):
    """No source gave the file this time (offline, refused, a quota page): worth trying again later."""


class WeightsBusy(WeightsUnreachable):
    """Another process is downloading the same file right now."""


class WeightsRejected(WeightsError):
    """The file arrived whole but is not a valid SAM checkpoint (it was deleted)."""


class DownloadStopped(WeightsError):
    """The caller asked the download to stop; the part file stays for a resume."""


def verify_checkpoint(path: Path) -> dict:
    """The model package's own strict check (returns its summary); imported late so the CLI starts without torch."""
    try:
        from inference_container.sam import verify_checkpoint as verify
    except ImportError as exc:
        raise WeightsError("Checking SAM weights needs PyTorch: pip install 'time-traveler[model]'.") from exc
    return verify(path)


def download_weights(
    dest: str | os.PathLike | None = None,
    url: str | Sequence[str] | None = None,
    *,
    verify: Callable[[Path], object] | None = None,
    progress: bool | Callable[[int, int | None], None] = True,
    attempts: int = 5,
    timeout: float = 60.0,
    cancel: threading.Event | None = None,
    retry_wait: Callable | None = None,
) -> Path:
    """Download to `dest` (default: the cache) from `url` (default: `weights_urls()`); the verified file's path.

    `progress`: True draws a bar, False is silent, a callable gets `(bytes done, total or None)`.
    `attempts` counts dropped connections per source (tenacity, exponential waits of seconds unless
    `retry_wait` says otherwise). Raises WeightsUnreachable (no source answered with the file; WeightsBusy
    while another download holds the lock), WeightsRejected (not a checkpoint; nothing kept), DownloadStopped,
    or WeightsError (disk too full).
    """
    dest = Path(dest) if dest else default_weights_path()
    dest.parent.mkdir(parents=True, exist_ok=True)
    urls = [url] if isinstance(url, str) else list(url or weights_urls())
    part = dest.with_name(dest.name + ".part")
    lock = FileLock(str(dest) + ".lock")
    try:
        lock.acquire(timeout=0)
    except Timeout as exc:
        raise WeightsBusy(f"Another download of {dest.name} is running; it will be used when it is done.") from exc
    try:
        if dest.is_file():
            return dest  # the other download finished while we waited
        transfer = _Transfer(part, progress, cancel)
        problems = []
        with httpx.Client(follow_redirects=True, timeout=httpx.Timeout(timeout, connect=30.0)) as client:
            for source in urls:
                try:
                    _with_retries(lambda source=source: transfer.fill(client, source), attempts, retry_wait,
                                  transfer.say)
                    break
                except WeightsUnreachable as exc:
                    problem = exc.message if exc.message.startswith(_host(source)) else f"{_host(source)}: {exc.message}"
                    if problem not in problems:  # both Drive files live on one host: say it once
                        problems.append(problem)
            else:
                resume = " It resumes from where it stopped next time." if part.exists() else ""
                raise WeightsUnreachable(f"Download failed: {'; '.join(problems)}.{resume}")
        _verify(part, verify)
        os.replace(part, dest)
        _meta_path(part).unlink(missing_ok=True)
        return dest
    finally:
        lock.release()


def _with_retries(fill: Callable[[], None], attempts: int, retry_wait, say) -> None:
    """Retry dropped connections (resuming each time); anything else goes straight to the caller."""
    retrying = Retrying(
        stop=stop_after_attempt(attempts),
        wait=retry_wait or wait_exponential(multiplier=1, min=1, max=30),
        retry=retry_if_exception_type(httpx.TransportError),
        before_sleep=lambda state: say(f"connection lost ({state.outcome.exception()}); resuming"),
        reraise=False,
    )
    try:
        retrying(fill)
    except RetryError as exc:
        cause = exc.last_attempt.exception()
        raise WeightsUnreachable(f"no connection after {attempts} tries ({cause})") from cause


def _verify(part: Path, verify: Callable[[Path], object] | None) -> None:
    """Keep the part only while it is shorter than the server said; a whole file that fails is deleted."""
    try:
        (verify or verify_checkpoint)(part)
    except Exception as exc:  # a verifier bug or unreadable file must not leave a bad file behind either
        total = _read_meta(part).get("total")
        if not (total and part.exists() and part.stat().st_size < total):
            part.unlink(missing_ok=True)
            _meta_path(part).unlink(missing_ok=True)
        words = exc.message if isinstance(exc, WeightsError) else str(exc)
        raise WeightsRejected(f"The downloaded file is not a valid SAM checkpoint: {words}") from exc


class _Transfer:
    """Fills one part file from one source, resuming what is there when the source says it is the same file."""

    def __init__(self, part: Path, progress, cancel: threading.Event | None):
        self.part = part
        self.progress = progress
        self.cancel = cancel

    def say(self, words: str) -> None:
        if self.progress is True:
            print(words, file=sys.stderr)
        else:
            log.debug("%s", words)

    def fill(self, client: httpx.Client, url: str) -> None:
        followed_interstitial = False
        while True:
            meta = _read_meta(self.part)
            if meta.get("url") not in (None, url) and not meta.get("validator"):
                self._start_over()  # from another source, with nothing If-Range could check: never splice
                meta = {}
            have = self.part.stat().st_size if self.part.exists() else 0
            headers = {}
            if have:
                headers["Range"] = f"bytes={have}-"
                if meta.get("validator"):
                    headers["If-Range"] = meta["validator"]
            with client.stream("GET", url, headers=headers) as response:
                if response.status_code == 416 and have:
                    return  # nothing left to fetch: the part file is already whole
                if response.headers.get("content-type", "").startswith("text/html"):
                    page = response.read().decode("utf-8", "replace")
                    if response.status_code == 200 and not followed_interstitial and _has_download_form(page):
                        url = confirm_url(page, str(response.url))
                        followed_interstitial = True
                        continue
                    raise WeightsUnreachable(_page_refusal(str(response.url), response.status_code, page))
                if response.status_code not in (200, 206):
                    raise WeightsUnreachable(f"the server answered HTTP {response.status_code}")
                body_range = _content_range(response, have)
                if body_range is None:  # a range we did not ask for: start over from byte 0
                    self._start_over()
                    raise httpx.RemoteProtocolError("the server answered a different byte range")
                start, total = body_range
                _check_space(self.part, (total or 0) - start)
                _write_meta(self.part, {"url": url, "total": total, "validator": _validator(response)})
                self._write(response, start, total)
                size = self.part.stat().st_size
                if total is None or size == total:
                    return
                raise httpx.RemoteProtocolError(f"transfer ended at {size} of {total} bytes")

    def _write(self, response: httpx.Response, start: int, total: int | None) -> None:
        report = self.progress if callable(self.progress) else None
        with open(self.part, "r+b" if start else "wb") as handle, \
                Progress(total, start, self.progress is True) as bar:
            handle.seek(start)
            handle.truncate()
            done = start
            for chunk in response.iter_bytes(CHUNK_SIZE):
                if self.cancel is not None and self.cancel.is_set():
                    raise DownloadStopped("The download was stopped; it resumes from here next time.")
                handle.write(chunk)
                bar.update(len(chunk))
                done += len(chunk)
                if report is not None:
                    report(done, total)

    def _start_over(self) -> None:
        self.part.unlink(missing_ok=True)
        _meta_path(self.part).unlink(missing_ok=True)


def _meta_path(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def _read_meta(part: Path) -> dict:
    try:
        return json.loads(_meta_path(part).read_text()) if part.exists() else {}
    except (OSError, ValueError):
        return {}


def _write_meta(part: Path, meta: dict) -> None:
    _meta_path(part).write_text(json.dumps(meta))


def _validator(response: httpx.Response) -> str | None:
    """What If-Range can name: a strong ETag, else Last-Modified (weak ETags may not be used there)."""
    etag = response.headers.get("etag")
    if etag and not etag.startswith("W/"):
        return etag
    return response.headers.get("last-modified")


def _content_range(response: httpx.Response, have: int) -> tuple[int, int | None] | None:
    """Where this response's body starts in the file and the file's full size if known; None if unusable."""
    length = response.headers.get("content-length")
    if response.status_code == 206:
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+|\*)", response.headers.get("content-range", ""))
        if not match or int(match.group(1)) != have:
            return None
        return have, None if match.group(3) == "*" else int(match.group(3))
    return 0, int(length) if length and length.isdigit() else None  # 200: a whole file (If-Range said changed)


def _check_space(part: Path, needed: int) -> None:
    free = shutil.disk_usage(part.parent).free
    if needed + SPACE_MARGIN > free:
        raise WeightsError(
            f"Not enough free disk space in {part.parent}: need {needed / 1e9:.1f} GB, have {free / 1e9:.1f} GB."
        )


def _host(url: str) -> str:
    """The server's name only: URLs may carry tokens, and logs keep to what a person needs."""
    return urlparse(url).netloc or url


# --- web pages where a file was expected ------------------------------------------------------------------
class _PageReader(HTMLParser):
    """Collects the first form's action and named inputs, and the page's visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.title = ""
        self.text: list[str] = []
        self._in_form = False
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "form" and self.action is None:
            self.action, self._in_form = values.get("action", ""), True
        elif tag == "input" and self._in_form and values.get("name"):
            self.fields[values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        words = " ".join(data.split())
        if not words or self._skip:
            return
        if self._in_title:
            self.title = (self.title + " " + words).strip()
        else:
            self.text.append(words)


def _read_page(html: str) -> _PageReader:
    reader = _PageReader()
    reader.feed(html)
    return reader


def _has_download_form(html: str) -> bool:
    reader = _read_page(html)
    return bool(reader.action) and "id" in reader.fields


def page_text(html: str) -> str:
    """The words a person would read on the page (its title, then its text), shortened."""
    reader = _read_page(html)
    text = " ".join(reader.text)
    if reader.title and not text.startswith(reader.title):
        text = f"{reader.title}: {text}" if text else reader.title
    return text[:PAGE_TEXT_CHARS].rstrip() + ("…" if len(text) > PAGE_TEXT_CHARS else "")


def _page_refusal(url: str, status: int, html: str) -> str:
    words = page_text(html) or "an empty page"
    who = "Google Drive" if "google" in _host(url) else _host(url)
    return f"{_host(url)}: {who} sent a web page instead of the weights file (HTTP {status}): \"{words}\""


def confirm_url(html: str, page_url: str) -> str:
    """The download link behind Google Drive's virus-scan warning page (a GET form)."""
    reader = _read_page(html)
    if not reader.action or "id" not in reader.fields:
        raise WeightsUnreachable(_page_refusal(page_url, 200, html))
    return urljoin(page_url, reader.action) + "?" + urlencode(reader.fields)
