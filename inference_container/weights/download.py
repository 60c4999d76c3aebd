"""Fetch the released SAM checkpoint into the cache: resumable, with progress, verified before keeping.

Bytes go to `<dest>.part` first; a broken transfer resumes from there with an HTTP Range request
(in the same run, or the next time the command is started). Google Drive answers big files with a
"can't scan this file for viruses" page whose form leads to the file; that page is followed once.
The finished file replaces `dest` only if it loads as a valid checkpoint; otherwise it is deleted.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin

import httpx

from booth_core.errors import WeightsError
from inference_container.weights import default_weights_path
from inference_container.weights.progress import Progress

#: Google Drive file of the authors' released `sam_ffhq_aging.pt` (about 2.3 GB).
DRIVE_FILE_ID = "1ZILUGnwMyhrSYXaWnpFwzASVFt7ZXSSb"
DEFAULT_URL = f"https://drive.usercontent.google.com/download?id={DRIVE_FILE_ID}&export=download&confirm=t"
CHUNK_SIZE = 1 << 20
#: Extra free space wanted beyond the file itself before a download starts.
SPACE_MARGIN = 64 << 20


def verify_checkpoint(path: Path) -> dict:
    """The model package's own strict check (returns its summary); imported late so the CLI starts without torch."""
    try:
        from inference_container.sam import verify_checkpoint as verify
    except ImportError as exc:
        raise WeightsError("Checking SAM weights needs PyTorch: pip install 'time-traveler[model]'.") from exc
    return verify(path)


def download_weights(
    dest: str | os.PathLike | None = None,
    url: str = DEFAULT_URL,
    *,
    verify: Callable[[Path], object] | None = None,
    progress: bool = True,
    attempts: int = 5,
    timeout: float = 60.0,
) -> Path:
    """Download `url` to `dest` (default: the cache) and return the path of the verified file.

    Raises WeightsError when the server refuses, the transfer keeps failing, the disk is too full,
    or the file is not a valid checkpoint (then nothing is kept).
    """
    dest = Path(dest) if dest else default_weights_path()
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    with httpx.Client(follow_redirects=True, timeout=httpx.Timeout(timeout, connect=30.0)) as client:
        _transfer(client, url, part, attempts, progress)
    try:
        (verify or verify_checkpoint)(part)
    except WeightsError:
        part.unlink(missing_ok=True)
        raise
    except Exception as exc:  # a verifier bug or unreadable file must not leave a bad file behind
        part.unlink(missing_ok=True)
        raise WeightsError(f"The downloaded file is not a valid SAM checkpoint: {exc}") from exc
    os.replace(part, dest)
    return dest


def _transfer(client: httpx.Client, url: str, part: Path, attempts: int, progress: bool) -> str:
    """Fill `part` completely, resuming after dropped connections; returns the URL that served it."""
    failures = 0
    followed_interstitial = False
    while True:
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            with client.stream("GET", url, headers=headers) as response:
                if response.status_code == 416 and have:
                    return url  # nothing left to fetch: the part file is already whole
                if response.status_code not in (200, 206):
                    raise WeightsError(f"The weights server answered HTTP {response.status_code} for {url}.")
                if response.headers.get("content-type", "").startswith("text/html"):
                    if followed_interstitial:
                        raise WeightsError(f"{url} returned a web page instead of the weights file.")
                    url = confirm_url(response.read().decode("utf-8", "replace"), str(response.url))
                    followed_interstitial = True
                    continue
                body_range = _content_range(response, have)
                if body_range is None:  # a range we did not ask for: start over from byte 0
                    part.unlink(missing_ok=True)
                    raise httpx.RemoteProtocolError("the server answered a different byte range")
                start, total = body_range
                _check_space(part, (total or 0) - start)
                with open(part, "r+b" if start else "wb") as handle, Progress(total, start, progress) as bar:
                    handle.seek(start)
                    handle.truncate()
                    for chunk in response.iter_bytes(CHUNK_SIZE):
                        handle.write(chunk)
                        bar.update(len(chunk))
                size = part.stat().st_size
                if total is None or size == total:
                    return url
                raise httpx.RemoteProtocolError(f"transfer ended at {size} of {total} bytes")
        except httpx.TransportError as exc:
            failures += 1
            if failures >= attempts:
                raise WeightsError(
                    f"Download failed after {attempts} tries ({exc}); run the command again to resume."
                ) from exc
            print(f"connection lost ({exc}); resuming", file=sys.stderr)


def _content_range(response: httpx.Response, have: int) -> tuple[int, int | None] | None:
    """Where this response's body starts in the file and the file's full size if known; None if unusable."""
    length = response.headers.get("content-length")
    if response.status_code == 206:
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+|\*)", response.headers.get("content-range", ""))
        if not match or int(match.group(1)) != have:
            return None
        return have, None if match.group(3) == "*" else int(match.group(3))
    return 0, int(length) if length and length.isdigit() else None  # 200: the server ignored the Range


def _check_space(part: Path, needed: int) -> None:
    free = shutil.disk_usage(part.parent).free
    if needed + SPACE_MARGIN > free:
        raise WeightsError(
            f"Not enough free disk space in {part.parent}: need {needed / 1e9:.1f} GB, have {free / 1e9:.1f} GB."
        )


class _FormFinder(HTMLParser):
    """Collects the first form's action and its named inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form" and self.action is None:
            self.action, self._in_form = values.get("action", ""), True
        elif tag == "input" and self._in_form and values.get("name"):
            self.fields[values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def confirm_url(html: str, page_url: str) -> str:
    """The download link behind Google Drive's virus-scan warning page (a GET form)."""
    finder = _FormFinder()
    finder.feed(html)
    if not finder.action or "id" not in finder.fields:
        raise WeightsError(
            f"{page_url} returned a web page instead of the weights file (is the link public?)."
        )
    return urljoin(page_url, finder.action) + "?" + urlencode(finder.fields)
