"""The take-home link of a finished job: its GIF, MP4 and a phone-sized share page, and the `share` field.

When a job succeeds the job logic calls `Sharing.publish`: the media are made from the frames and stored
beside them under `results/<id>/share/`, so retention deletes them with the frames on every backend.
The page is one self-contained HTML file (the media inline as data: URIs), so it works behind a presigned
S3 URL as well as from the venue's share server, with no other requests and no scripts.

The link itself (`ShareLinks`) is a tokened path on both backends (job_service.share_tokens): on the venue
share server locally, on the API's public `/share` route on AWS.
"""

from __future__ import annotations

import base64
import html
import logging
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from PIL import Image

from booth_core import media
from booth_core.result import AgedFrame, AgingResult
from job_service.model import Job, iso_time, results_prefix
from job_service.ports import ObjectStore

log = logging.getLogger("job_service")

PAGE = "index.html"
GIF = "animation.gif"
MP4 = "animation.mp4"
CONTENT_TYPES = {PAGE: "text/html; charset=utf-8", GIF: "image/gif", MP4: "video/mp4"}


def share_key(job_id: str, name: str) -> str:
    """Where a share object lies: beside the frames, so whatever deletes the frames deletes it too."""
    return f"{results_prefix(job_id)}share/{name}"


class ShareLinks(Protocol):
    """How a deployment hands out the link to a job's page."""

    def issue(self, job: Job) -> None:
        """Make whatever the link needs before the job is announced (the job's random token)."""

    def link(self, job: Job, base_url: str) -> dict | None:
        """`{"url", "expires_at"}` for a finished job whose page exists, else None. `base_url` is the API's
        own base URL as the request that reads the job reached it ("" where unknown)."""


def result_from_frames(frames: list[np.ndarray], ages: tuple[int, ...], engine: str) -> AgingResult:
    """The split strip (original first, then one frame per age) as an AgingResult for the renderers."""
    images = [Image.fromarray(np.ascontiguousarray(frame), "RGB") for frame in frames]
    return AgingResult(
        images[0], [AgedFrame(age, image) for age, image in zip(ages, images[1:], strict=True)], engine
    )


def build_media(result: AgingResult) -> dict[str, bytes]:
    """GIF, MP4 (where PyAV is installed) and the page, by object name."""
    cards = media.animation_cards(result)
    objects = {GIF: media.encode_gif(cards)}
    try:
        objects[MP4] = media.encode_mp4(cards)
    except ImportError:  # an install without PyAV: the page then offers the GIF alone
        log.info("PyAV is not installed: no MP4")
    objects[PAGE] = render_page(result, objects[GIF], objects.get(MP4))
    return objects


def _data_uri(kind: str, data: bytes) -> str:
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def render_page(result: AgingResult, gif: bytes, mp4: bytes | None) -> str:
    """The share page: the animation, how to keep it, a video download; nothing that calls out."""
    ages = sorted(result.ages)
    alt = "You at " + ", ".join(str(age) for age in ages) if ages else "Your picture"
    video = ""
    if mp4 is not None:
        video = (
            f'<a class="button" href="{_data_uri("video/mp4", mp4)}" download="time-traveler.mp4">'
            "Download the video</a>"
        )
    return _PAGE_TEMPLATE.format(
        gif=_data_uri("image/gif", gif),
        alt=html.escape(alt),
        video=video,
        engine=html.escape(result.engine),
    )


_PAGE_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>Time Traveler: you, through the years</title>
<style>
html {{ background: #14141a; color: #f5f5f5; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }}
body {{ margin: 0 auto; max-width: 560px; padding: 24px 18px 32px; text-align: center; }}
h1 {{ font-size: 1.6rem; margin: 0 0 16px; font-weight: 600; }}
img {{ display: block; width: 100%; height: auto; border-radius: 12px; margin: 0 auto; }}
p {{ line-height: 1.45; margin: 14px 0; }}
.hint {{ color: #c9c9d2; }}
.button {{ display: inline-block; margin: 8px 0 4px; padding: 14px 26px; border-radius: 999px;
  background: #f2b84b; color: #14141a; font-weight: 700; text-decoration: none; font-size: 1.05rem; }}
.small {{ color: #8d8d99; font-size: 0.85rem; }}
</style>
</head>
<body>
<h1>You, through the years</h1>
<img src="{gif}" alt="{alt}">
<p class="hint">Press and hold the animation to save it to your phone.</p>
{video}
<p class="small">Made at the Time Traveler photobooth by the {engine} engine.
This page and your photo are deleted when the link expires.</p>
</body>
</html>
"""


@dataclass
class Sharing:
    """Publishes a job's media and answers its `share` field. Failures here never fail the job."""

    links: ShareLinks

    def publish(self, store: ObjectStore, job: Job, frames: list[np.ndarray], engine: str) -> bool:
        """Store the GIF, MP4 and page of a job about to succeed; False (and logged) when that failed."""
        try:
            objects = build_media(result_from_frames(frames, job.labels, engine))
            for name, data in objects.items():
                body = data.encode("utf-8") if isinstance(data, str) else data
                store.put(share_key(job.job_id, name), body, CONTENT_TYPES[name])
            self.links.issue(job)
        except Exception as exc:  # noqa: BLE001 - the attendee still gets their frames on the booth
            log.warning("job %s: the share page could not be made (%s)", job.job_id, type(exc).__name__)
            return False
        return True

    def field(self, job: Job, base_url: str = "") -> dict | None:
        """The job document's optional `share`: present only for a finished job with a page."""
        try:
            return self.links.link(job, base_url)
        except Exception as exc:  # noqa: BLE001 - a storage hiccup reading the token must not break GET /jobs
            log.warning("job %s: no share link (%s)", job.job_id, type(exc).__name__)
            return None


def share_document(url: str, expires_at: float) -> dict:
    return {"url": url, "expires_at": iso_time(expires_at)}
