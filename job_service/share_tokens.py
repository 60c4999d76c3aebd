"""The take-home link's secret, the same on every backend: one random token per job, kept beside its frames.

A link is `<base URL><prefix>/<job id>/<token>` (the page), plus `/animation.gif` or `/animation.mp4`
(downloads). The prefix is the front's: `/s` on the venue share server, `/share` on the AWS API. The token
is 128 random bits, compared in constant time. A wrong token, an unknown, unfinished or expired job and any
other path all read as "nothing here", which every front answers with the same bare 404, so a guess learns
nothing. The token lies at `results/<id>/share/token`: whatever deletes the frames (the sweep, the bucket's
lifecycle) deletes it too, and the link dies with the job.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from job_service.model import Job, JobStatus
from job_service.ports import ObjectStore
from job_service.share import CONTENT_TYPES, GIF, MP4, PAGE, share_document, share_key
from job_service.validation import is_job_id

if TYPE_CHECKING:
    from job_service.service import JobService

TOKEN = "token"
#: 128 random bits: unguessable, and short enough to keep the QR code coarse (easy to scan).
TOKEN_BYTES = 16
#: Every answer of a share route: nothing cached, nothing indexed, no referrer leaks the link to anyone.
SHARE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src data:; media-src data:; style-src 'unsafe-inline'",
}
#: The one answer (a 404, as plain text) to everything that is not a live link.
NOT_FOUND_BODY = b"Not found\n"
PLAIN_TEXT = "text/plain; charset=utf-8"
#: The last path segment after the token -> the share object it opens ("" : the page).
FILES = {"": PAGE, GIF: GIF, MP4: MP4}
DOWNLOAD_NAMES = {GIF: "time-traveler.gif", MP4: "time-traveler.mp4"}


@dataclass(frozen=True)
class SharedObject:
    """What a link with the right token opens: one of a finished job's share objects."""

    job_id: str
    name: str

    @property
    def key(self) -> str:
        return share_key(self.job_id, self.name)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.name]

    @property
    def download_name(self) -> str | None:
        """The file name a download is saved under; None for the page (shown, not saved)."""
        return DOWNLOAD_NAMES.get(self.name)


class TokenShareLinks:
    """`ShareLinks` of the form `<base><prefix>/<job id>/<token>`.

    `base_url` fixed (the venue share server, a different server from the booth API), or None: the base URL of
    the API request that reads the job (AWS: the API Gateway stage the booth talks to)."""

    def __init__(self, store: ObjectStore, prefix: str, base_url: str | None = None):
        if not prefix.startswith("/") or prefix.count("/") != 1:
            raise ValueError(f"a share prefix is one path segment like /s, not {prefix!r}")
        self.store = store
        self.prefix = prefix
        self.base_url = base_url.rstrip("/") if base_url else None

    def issue(self, job: Job) -> None:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self.store.put(share_key(job.job_id, TOKEN), token.encode("ascii"), "text/plain")

    def _token(self, job_id: str) -> bytes | None:
        return self.store.get(share_key(job_id, TOKEN))

    def link(self, job: Job, base_url: str = "") -> dict | None:
        """`{"url", "expires_at"}` for a finished job with a token (its page was stored first), else None;
        the link lives until the job's retention ends."""
        base = self.base_url or base_url.rstrip("/")
        if job.status != JobStatus.SUCCESS or not base:
            return None
        token = self._token(job.job_id)
        if token is None:
            return None
        return share_document(f"{base}{self.prefix}/{job.job_id}/{token.decode('ascii')}", job.expires_at)

    def matches(self, job_id: str, token: str) -> bool:
        stored = self._token(job_id)
        return stored is not None and hmac.compare_digest(stored, token.encode("utf-8", "replace"))

    def find(self, service: JobService, path: str) -> SharedObject | None:
        """The object `<prefix>/<job id>/<token>[/<file>]` opens, for a live job and the right token; else None.

        Checks the cheap things first (shape, id, file name), so garbage costs no storage read, and reads
        the job without side effects (`JobService.shared_job`)."""
        parts = path.strip("/").split("/")
        if len(parts) not in (3, 4) or parts[0] != self.prefix[1:] or not is_job_id(parts[1]):
            return None
        name = FILES.get(parts[3] if len(parts) == 4 else "")
        if name is None:
            return None
        job = service.shared_job(parts[1])
        if job is None or not self.matches(job.job_id, parts[2]):
            return None
        return SharedObject(job.job_id, name)
