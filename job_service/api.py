"""The HTTP routes of API.md, independent of any web framework.

The local ASGI app and the API Gateway adapter both turn their request into an `ApiRequest`
and send back the `ApiResponse`, so both deployments answer byte for byte alike.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from booth_core.errors import StorageFullError, UnavailableError
from booth_core.limits import MAX_UPLOAD_BYTES, megabytes
from booth_core.sitter import SITTER_HEADER
from job_service import validation
from job_service.model import ApiError
from job_service.service import JobService

log = logging.getLogger("job_service")
#: `POST /uploads/{job_id}/presign` asks for a direct upload form.
PRESIGN_SUFFIX = "/presign"


@dataclass(frozen=True)
class ApiRequest:
    """`path` is already percent-decoded; header names are lower case (a repeated header joined with ", ");
    `too_large` marks a body cut off at the limit; `base_url` prefixes frame URLs ("" locally: a path)."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes = b""
    base_url: str = ""
    too_large: bool = False
    client: str | None = None  # the peer's address where the front knows it (local server), else None


@dataclass(frozen=True)
class ApiResponse:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, document: dict) -> ApiResponse:
        return cls(status, json.dumps(document).encode("utf-8"))

    @classmethod
    def error(cls, error: ApiError) -> ApiResponse:
        return cls.json(error.status, {"error": {"code": error.code, "message": error.message}})

    def json_body(self) -> dict:
        return json.loads(self.body)


@dataclass(frozen=True)
class ApiConfig:
    """`api_key` None means no key is asked for; `health` returns the engine's name, version and readiness.

    `upgrade_action` (local service only): runs "start" or "stop" on the SAM upgrade, returns its status.
    """

    api_key: str | None = None
    health: Callable[[], dict] = lambda: {"status": "ok", "engine": None, "version": None}
    upgrade_action: Callable[[str], dict] | None = None
    #: Largest photo `PUT /uploads/{id}` takes here (None: the contract's 10 MB); larger ones must use
    #: `POST /uploads/{id}/presign` (AWS: Lambda's 6 MB payload limit, base64 included).
    max_put_bytes: int | None = None


def handle(service: JobService, config: ApiConfig, request: ApiRequest) -> ApiResponse:
    """Answer one request. The checks of `check_before_body` come first, so a refused request stores and reads nothing."""
    try:
        _check_before_body(config, request)
        return _route(service, config, request)
    except ApiError as error:
        return ApiResponse.error(error)
    except (StorageFullError, UnavailableError) as exc:  # the disk or the table, not the request
        return ApiResponse.error(ApiError(exc.code))
    except Exception as exc:  # noqa: BLE001 - a bug must answer JSON, not a stack trace
        log.exception("unexpected %s while answering %s", type(exc).__name__, request.method)
        return ApiResponse.json(500, {"error": {"code": "INFERENCE_FAILED", "message": "Internal error."}})


def check_before_body(config: ApiConfig, request: ApiRequest) -> ApiResponse | None:
    """The refusal a request earns from its method, path and headers alone, or None to go on and read its body.

    Touches no storage, so an HTTP front can run it on its event loop before it reads a byte of the body.
    """
    try:
        _check_before_body(config, request)
    except ApiError as error:
        return ApiResponse.error(error)
    return None


def _check_before_body(config: ApiConfig, request: ApiRequest) -> None:
    _check_key(config, request.headers)
    route, rest = _match(request.method, request.path)
    if route in ("jobs", "uploads", "presign"):
        validation.check_job_id(rest)
    if route in ("uploads", "presign"):
        validation.check_content_type(request.headers.get("content-type"))
        validation.check_ages_header(request.headers.get("x-target-ages"), ())
        validation.check_sitter_header(request.headers.get(SITTER_HEADER.lower()))
    if route == "uploads":
        declared = request.headers.get("content-length", "")
        if request.too_large:
            raise ApiError("TOO_LARGE")
        if declared.isdigit():
            _check_put_size(config, int(declared), rest)


def _check_key(config: ApiConfig, headers: Mapping[str, str]) -> None:
    """A repeated x-api-key header reaches here joined with ", " (as HTTP combines repeats), so it never matches."""
    if config.api_key is None:
        return
    given = headers.get("x-api-key", "")
    if not hmac.compare_digest(given.encode("utf-8"), config.api_key.encode("utf-8")):
        raise ApiError("FORBIDDEN")


#: path prefix -> (route name, the one method it answers)
_ROUTES = {"/uploads/": ("uploads", "PUT"), "/jobs/": ("jobs", "GET"), "/results/": ("results", "GET")}


def _match(method: str, path: str) -> tuple[str, str]:
    """`(route, rest of the path)`; NOT_FOUND for an unknown path, 405 for a wrong method."""
    if path == "/health":
        _allow(method, "GET")
        return "health", ""
    if path == "/admin/upgrade":
        _allow(method, "POST")
        return "upgrade", ""
    if path.startswith("/uploads/") and path.endswith(PRESIGN_SUFFIX):
        _allow(method, "POST")
        return "presign", path.removeprefix("/uploads/").removesuffix(PRESIGN_SUFFIX)
    for prefix, (route, allowed) in _ROUTES.items():
        if path.startswith(prefix):
            _allow(method, allowed)
            return route, path.removeprefix(prefix)
    raise ApiError("NOT_FOUND", "No such route.")


def _route(service: JobService, config: ApiConfig, request: ApiRequest) -> ApiResponse:
    route, rest = _match(request.method, request.path)
    if route == "health":
        document = config.health()
        return ApiResponse.json(200 if document.get("status") == "ok" else 503, document)
    if route == "upgrade":
        return _upgrade(config, request)
    if route == "presign":
        return _presign(service, request, rest)
    if route == "uploads":
        _check_put_size(config, len(request.body), rest)
        job, created = service.accept_upload(
            rest, request.body, request.headers.get("content-type"), request.headers.get("x-target-ages"),
            request.headers.get(SITTER_HEADER.lower()),
        )
        return ApiResponse.json(202 if created else 200, service.document(job, request.base_url))
    if route == "jobs":
        job = service.get_job(rest)
        return ApiResponse.json(200, service.document(job, request.base_url))
    job_id, _, name = rest.rpartition("/")
    service.get_job(job_id)  # 400 for a malformed id, 404 for an unknown one
    index = name.removesuffix(".jpg")
    if not name.endswith(".jpg") or not (index.isascii() and index.isdigit()) or len(index) > 3:
        raise ApiError("NOT_FOUND", "No such frame.")
    return ApiResponse(200, service.read_frame(job_id, int(index)), "image/jpeg")


def _allow(method: str, allowed: str) -> None:
    if method.upper() != allowed:
        raise ApiError("BAD_REQUEST", f"Use {allowed} here.", status=405)


def _check_put_size(config: ApiConfig, size: int, job_id: str) -> None:
    """TOO_LARGE past the contract's 10 MB, or past this deployment's own PUT limit (then: use presign)."""
    if size > MAX_UPLOAD_BYTES:
        raise ApiError("TOO_LARGE")
    if config.max_put_bytes is not None and size > config.max_put_bytes:
        raise ApiError(
            "TOO_LARGE",
            f"Photos above {megabytes(config.max_put_bytes)} go through POST /uploads/{job_id}/presign.",
        )


def _upgrade(config: ApiConfig, request: ApiRequest) -> ApiResponse:
    """`POST /admin/upgrade {"action": "start"|"stop"}`: from this machine only (the booth's settings screen)."""
    if config.upgrade_action is None:
        raise ApiError("NOT_FOUND", "This service has no engine upgrade.")
    if not validation.is_loopback(request.client):
        raise ApiError("FORBIDDEN", "The engine upgrade can only be changed from this machine.")
    try:
        action = json.loads(request.body or b"null")["action"]
    except (ValueError, TypeError, KeyError) as exc:
        raise ApiError("BAD_REQUEST", 'Send {"action": "start"} or {"action": "stop"}.') from exc
    if action not in ("start", "stop"):
        raise ApiError("BAD_REQUEST", 'Send {"action": "start"} or {"action": "stop"}.')
    return ApiResponse.json(200, {"upgrade": config.upgrade_action(action)})


def _presign(service: JobService, request: ApiRequest, job_id: str) -> ApiResponse:
    """`POST /uploads/{id}/presign`: the job, plus a short-lived form to POST the photo straight to storage."""
    job, created, form = service.presign_upload(
        job_id, request.headers.get("content-type"), request.headers.get("x-target-ages"),
        request.headers.get(SITTER_HEADER.lower()),
    )
    document = service.document(job, request.base_url)
    document["upload"] = form
    return ApiResponse.json(202 if created else 200, document)
