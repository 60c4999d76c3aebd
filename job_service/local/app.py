"""The local HTTP front: a Starlette app that hands every request to `job_service.api.handle`."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from booth_core.limits import MAX_UPLOAD_BYTES
from job_service import api
from job_service.service import JobService

#: A body is read up to the limit and the rest drained (so the client sees the 413, not a reset) up to this much.
_DRAIN_LIMIT = 8 * MAX_UPLOAD_BYTES


def create_app(service: JobService, config: api.ApiConfig) -> Starlette:
    async def endpoint(request: Request) -> Response:
        body, too_large = await _read_body(request)
        api_request = api.ApiRequest(
            method=request.method,
            path=request.scope["path"],
            headers={name.lower(): value for name, value in request.headers.items()},
            body=body,
            base_url=str(request.base_url),
            too_large=too_large,
        )
        answer = await run_in_threadpool(api.handle, service, config, api_request)
        return Response(answer.body, answer.status, headers=answer.headers, media_type=answer.content_type)

    methods = ["GET", "PUT", "POST", "DELETE", "PATCH"]
    return Starlette(routes=[Route("/{path:path}", endpoint, methods=methods)])


async def _read_body(request: Request) -> tuple[bytes, bool]:
    """The body up to MAX_UPLOAD_BYTES; `too_large` when more came (a declared length says so without reading)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > _DRAIN_LIMIT:
        return b"", True
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= MAX_UPLOAD_BYTES:
            chunks.append(chunk)
        elif size > _DRAIN_LIMIT:
            break
    if size > MAX_UPLOAD_BYTES:
        return b"", True
    return b"".join(chunks), False
