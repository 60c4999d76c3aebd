"""Lambda entry points. Each builds the adapters from environment variables
(`job_service.aws.settings.ENVIRONMENT`) once per container and calls a plain function of
`job_service.aws.functions`, which the tests call directly.

- `api_handler`: API Gateway proxy events, every route of API.md (binary bodies base64-encoded).
- `share_handler`: the public share route (`GET /share/<id>/<token>`, no API key): a 302 to the page.
- `completion_handler`: SNS events of the SageMaker async endpoint's success and error topics.
- `upload_handler`: S3 ObjectCreated events on `uploads/`: checks the photo (sent through the API or a
  presigned POST) and starts inference (the deployed stack sets TIME_TRAVELER_START_INFERENCE=s3-event; harmless
  alongside `upload`, since a job is handed to the endpoint once).
- `sweeper_handler`: a schedule (e.g. every 5 minutes): TIMEOUT for stuck jobs, deletion of expired ones.
"""

from __future__ import annotations

import functools
import logging

from job_service.aws import functions
from job_service.aws.settings import AwsSettings, build_service

logging.getLogger("job_service").setLevel(logging.INFO)


@functools.cache
def _runtime():
    """(settings, service), built on a container's first call and reused while it stays warm."""
    settings = AwsSettings.from_env()
    return settings, build_service(settings)


def api_handler(event, context=None):
    settings, service = _runtime()
    return functions.handle_api_event(service, settings.api_config(), event)


def share_handler(event, context=None):
    _, service = _runtime()
    return functions.handle_share_event(service, event)


def completion_handler(event, context=None):
    _, service = _runtime()
    jobs = functions.handle_sns_event(service, service.store.client, event)
    return {"updated": sum(job is not None for job in jobs)}


def upload_handler(event, context=None):
    _, service = _runtime()
    return {"started": len(functions.handle_s3_event(service, event))}


def sweeper_handler(event=None, context=None):
    _, service = _runtime()
    return functions.sweep(service)


def reset() -> None:
    """Forget the cached adapters (for tests that change the environment)."""
    _runtime.cache_clear()
