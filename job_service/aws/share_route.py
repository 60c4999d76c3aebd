"""The public share route on AWS: `GET /share/<job id>/<token>[/animation.gif|/animation.mp4]`, no API key.

The link in the job document (`<api base>/share/<id>/<token>`) lives as long as the job's retention. What it
opens lives in the private frames bucket, so each visit is answered with a 302 to a presigned GET made for
that visit and valid for minutes. A presigned URL works only while the credentials that signed it do, and a
Lambda role's last hours, not days: signing per visit is what lets a link work for the whole retention.
Everything that is not a live link (wrong token, unknown, unfinished or expired job, malformed id, any
other file, an error on the way) gets the same bare 404 (job_service.share_tokens).
"""

from __future__ import annotations

import logging

from job_service.api import ApiResponse
from job_service.service import JobService
from job_service.share_tokens import NOT_FOUND_BODY, PLAIN_TEXT, SHARE_HEADERS

log = logging.getLogger("job_service")

#: The route's first path segment (cloud_setup.template.api declares it from here).
SHARE_ROUTE = "/share"
#: A visit's presigned GET: the phone follows the redirect at once, so two minutes cover a slow network.
SHARE_REDIRECT_EXPIRES_S = 120


def not_found() -> ApiResponse:
    return ApiResponse(404, NOT_FOUND_BODY, PLAIN_TEXT, dict(SHARE_HEADERS))


def answer_share(service: JobService, path: str) -> ApiResponse:
    """302 to a fresh presigned GET of what a live link opens, else the bare 404."""
    links = service.sharing.links if service.sharing is not None else None
    find = getattr(links, "find", None)
    try:
        found = find(service, path) if find is not None else None
        if found is None or not service.store.exists(found.key):
            return not_found()
        overrides = {"ResponseContentType": found.content_type, "ResponseCacheControl": "no-store"}
        if found.download_name:
            overrides["ResponseContentDisposition"] = f'attachment; filename="{found.download_name}"'
        location = service.store.signed_get(found.key, SHARE_REDIRECT_EXPIRES_S, **overrides)
    except Exception as exc:  # noqa: BLE001 - a public route tells nobody what went wrong
        log.warning("share route: answered 404 after %s", type(exc).__name__)
        return not_found()
    return ApiResponse(302, b"", PLAIN_TEXT, {**SHARE_HEADERS, "Location": location})
