"""Every limit and default the contract's parts share, in one place (ages live in booth_core.ages).

The kiosk, the job service (local and AWS), the model server and the deploy tool all import these;
a number written anywhere else is a bug waiting for the two copies to drift.
"""

from __future__ import annotations

#: API.md: the largest photo an upload (or a model invocation) may carry.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: The most pixels a photo may claim in its header; larger ones are refused before decoding
#: (a 10 MB JPEG can claim gigapixels). ~40 MP is above every phone and DSLR an attendee brings.
MAX_PIXELS = 40_000_000
#: The most target ages one job may ask for.
MAX_AGE_COUNT = 12
#: Seconds a job may stay QUEUED or PROCESSING before it fails with TIMEOUT.
JOB_TIMEOUT_S = 300
#: Photo-layout frames are the photo scaled so its long side is at most this many pixels (a phone's
#: 4000x3000 photo would make a 180 MB strip); faces are still found and aligned at full resolution.
PHOTO_FRAME_MAX_SIDE = 2048
#: Hours before a job's photo, frames and record are deleted everywhere.
DEFAULT_RETENTION_HOURS = 24


def megabytes(size: int) -> str:
    """`10 MB` for a byte count: the words a person reads next to a size limit."""
    return f"{size // (1024 * 1024)} MB"
