"""The SageMaker BYOC HTTP app: `GET /ping`, `POST /invocations` (Starlette, served by uvicorn).

An invocation is refused on its headers (model not loaded, content type, declared length) before its body
is read; the body is read with the size cap shared with the job service (booth_core.http_body), and
`load_photo` checks the header's pixel count before it decodes anything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import asynccontextmanager

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from booth_core import wire
from booth_core.errors import TimeTravelerError, TooLargeError, http_status
from booth_core.http_body import BodyTooLarge, ClientGone, declared_length, read_capped_body
from booth_core.limits import MAX_UPLOAD_BYTES
from inference_container.model_server.invocation import (
    CUSTOM_ATTRIBUTES_HEADER,
    age_photo,
    check_content_type,
    error_document,
    strip_headers,
)
from inference_container.model_server.loader import DeviceUnavailable, EngineLoader

log = logging.getLogger(__name__)

#: Two requests at a time overlap one photo's CPU work (decode, landmarks) with another's model pass.
DEFAULT_MAX_CONCURRENCY = 2


def error_response(exc: TimeTravelerError) -> JSONResponse:
    return JSONResponse(error_document(exc.code, exc.message), status_code=http_status(exc.code))


async def read_body(request: Request) -> bytes:
    """The body, refused by its declared length before reading, or as soon as it passes the limit."""
    declared = declared_length(request.scope["headers"])
    if declared is not None and declared > MAX_UPLOAD_BYTES:
        raise TooLargeError()
    try:
        return await read_capped_body(request.receive, MAX_UPLOAD_BYTES)
    except BodyTooLarge:
        raise TooLargeError() from None


def create_app(factory: Callable[[], object], max_concurrency: int = DEFAULT_MAX_CONCURRENCY) -> Starlette:
    """Build the app; `factory()` builds the engine on a background thread at startup."""
    loader = EngineLoader(factory)
    limiter = anyio.CapacityLimiter(max_concurrency)

    @asynccontextmanager
    async def lifespan(app):
        loader.start()
        yield

    async def ping(request: Request) -> Response:
        if loader.ready:
            return Response(status_code=200)
        if isinstance(loader.error, DeviceUnavailable):
            return JSONResponse(
                error_document("UNAVAILABLE", f"The model server cannot use its device: {loader.error}"),
                status_code=http_status("UNAVAILABLE"),
            )
        if loader.error is not None:
            return JSONResponse(
                error_document("UNAVAILABLE", "The model failed to load."),
                status_code=http_status("UNAVAILABLE"),
            )
        return JSONResponse(
            error_document("UNAVAILABLE", "The model is still loading."),
            status_code=http_status("UNAVAILABLE"),
        )

    async def invocations(request: Request) -> Response:
        if not loader.ready:
            return JSONResponse(
                error_document("UNAVAILABLE", "The model is not loaded."),
                status_code=http_status("UNAVAILABLE"),
            )
        started = time.perf_counter()
        try:
            check_content_type(request.headers.get("content-type"))
            body = await read_body(request)
            result = await anyio.to_thread.run_sync(
                age_photo,
                loader.engine,
                body,
                request.headers.get("content-type"),
                request.headers.get(CUSTOM_ATTRIBUTES_HEADER),
                limiter=limiter,
            )
            payload = await anyio.to_thread.run_sync(result.to_npy_bytes, limiter=limiter)
        except ClientGone:
            log.info("an invocation ended before its body was complete (client disconnected)")
            return Response(status_code=400)  # nobody is there to read it
        except TimeTravelerError as exc:
            log.info("invocation refused: %s", exc.code)
            return error_response(exc)
        except Exception:  # noqa: BLE001 - a model bug is a 500 with our error shape, not a stack page
            log.exception("invocation failed")
            return JSONResponse(
                error_document("INFERENCE_FAILED", "The model failed on this photo."),
                status_code=http_status("INFERENCE_FAILED"),
            )
        headers = {
            "X-Time-Traveler-Engine": result.engine,
            "X-Time-Traveler-Ages": ",".join(str(age) for age in result.ages),
            "X-Time-Traveler-Seconds": f"{time.perf_counter() - started:.3f}",
            **strip_headers(result),
        }
        return Response(payload, media_type=wire.CONTENT_TYPE, headers=headers)

    app = Starlette(
        routes=[Route("/ping", ping, methods=["GET"]), Route("/invocations", invocations, methods=["POST"])],
        lifespan=lifespan,
    )
    app.state.loader = loader
    return app
