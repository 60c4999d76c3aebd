"""Share links on AWS: a presigned GET of the job's share page in the private results bucket.

The page is self-contained (job_service.share), so one signature is all a phone needs. Its lifetime is
what is left of the job's retention, capped at SigV4's 7-day maximum. A URL signed with a Lambda role's
temporary credentials stops working when those credentials expire (hours), whatever its lifetime says:
the job document signs afresh on every read, and docs/job_service.md says how to sign with lasting keys.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from job_service.aws.s3_store import S3ObjectStore
from job_service.model import Job, JobStatus
from job_service.share import CONTENT_TYPES, PAGE, share_document, share_key

#: SigV4 presigned URLs live at most 7 days.
MAX_PRESIGNED_S = 7 * 24 * 3600


class S3ShareLinks:
    def __init__(self, store: S3ObjectStore, clock: Callable[[], float] = time.time):
        self.store = store
        self.clock = clock

    def issue(self, job: Job) -> None:
        """Nothing to make: the signature is the secret."""

    def link(self, job: Job) -> dict | None:
        now = self.clock()
        lifetime = int(min(job.expires_at - now, MAX_PRESIGNED_S))
        key = share_key(job.job_id, PAGE)
        if job.status != JobStatus.SUCCESS or lifetime <= 0 or not self.store.exists(key):
            return None
        url = self.store.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.store.results_bucket,
                "Key": key,
                "ResponseContentType": CONTENT_TYPES[PAGE],
                "ResponseCacheControl": "no-store",
            },
            ExpiresIn=lifetime,
        )
        return share_document(url, now + lifetime)
