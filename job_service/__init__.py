"""The booth's job service: one job logic (upload -> inference -> frames) behind API.md.

Written once against three ports (object store, job table, inference queue) with two sets of
adapters: `job_service.local` (files, SQLite, an in-process worker pool, an ASGI server) and
`job_service.aws` (S3, DynamoDB, a SageMaker async endpoint, Lambda handlers).
This package imports no torch and no Qt: it must fit a Lambda zip with numpy and Pillow.
"""

from job_service.model import Job, JobStatus

__all__ = ["Job", "JobStatus"]
