"""The local HTTP front: a Starlette app that hands every request to `job_service.api.handle`.

Route, key, id, content type and declared length are checked before a byte of the body is read (a
refused body is discarded as it arrives); the body is read with the shared size cap; the job logic, and
with it every SQLite call, runs on worker threads, never on the event loop.
"""

from __future__ import annotations

import dataclasses
import logging

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from booth_core.http_body import BodyTooLarge, ClientGone, read_capped_body
from booth_core.limits import MAX_UPLOAD_BYTES
from job_service import api
from job_service.model import ApiError
from job_service.service import JobService

log = logging.getLogger("job_service")


def merged_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """Lower-case names; a repeated header joined with ", " as HTTP combines repeats (never last-wins)."""
    headers: dict[str, str] = {}
    for name, value in raw:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


def _send(answer: api.ApiResponse) -> Response:
    return Response(answer.body, answer.status, headers=answer.headers, media_type=answer.content_type)


def create_app(service: JobService, config: api.ApiConfig) -> Starlette:
    async def endpoint(request: Request) -> Response:
        api_request = api.ApiRequest(
            method=request.method,
            path=request.scope["path"],
            headers=merged_headers(request.scope["headers"]),
            # Frame URLs are paths on this server (`/results/...`), never built from the Host header.
            base_url=request.scope.get("root_path", ""),
        )
        refusal = api.check_before_body(config, api_request)
        if refusal is not None:
            return _send(refusal)
        if api_request.method.upper() == "PUT":  # only uploads carry a body; other PUTs were refused above
            try:
                body = await read_capped_body(request.receive, MAX_UPLOAD_BYTES)
            except BodyTooLarge:
                return _send(api.ApiResponse.error(ApiError("TOO_LARGE")))
            except ClientGone:
                log.info("an upload ended before its body was complete (client disconnected)")
                return Response(status_code=400)  # nobody is there to read it
            api_request = dataclasses.replace(api_request, body=body)
        answer = await run_in_threadpool(api.handle, service, config, api_request)
        return _send(answer)

    methods = ["GET", "PUT", "POST", "DELETE", "PATCH"]
    return Starlette(routes=[Route("/{path:path}", endpoint, methods=methods)])
