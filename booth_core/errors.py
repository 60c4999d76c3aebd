"""The one error table (API.md's codes plus the booth's own) and the errors that carry its codes.

Each row says, for one code: the HTTP status where a request itself fails with it, the words a person
reads when the cause has none better, which error screen the booth shows, and whether a job may end
FAILED with it. The job service, the model server and the kiosk all read this table; none keeps a copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from booth_core.limits import MAX_UPLOAD_BYTES, megabytes


@dataclass(frozen=True)
class ErrorRow:
    """One code of the error table."""

    http_status: int | None  # where the request itself fails; None: never an HTTP answer (booth-side codes)
    message: str  # English words for a person
    screen: str  # the booth's error screen (a photobooth.state.ErrorKind value)
    job_failure: bool = False  # a job may end FAILED with this code


#: code -> its row. BUSY, NETWORK and BAD_ANSWER are the booth's own words about its link to the service.
ERRORS: dict[str, ErrorRow] = {
    "BAD_REQUEST": ErrorRow(400, "The request was not understood.", "server", job_failure=True),
    "TOO_LARGE": ErrorRow(
        413, f"The photo is larger than {megabytes(MAX_UPLOAD_BYTES)}.", "bad_photo", job_failure=True
    ),
    "BAD_IMAGE": ErrorRow(
        400, "The photo could not be read. Please try again.", "bad_photo", job_failure=True
    ),
    "NO_FACE": ErrorRow(
        422,
        "We couldn't find a face in that photo. Look at the camera and try again.",
        "no_face",
        job_failure=True,
    ),
    "INFERENCE_FAILED": ErrorRow(
        500, "Something went wrong while making your pictures. Please try again.", "server", job_failure=True
    ),
    "TIMEOUT": ErrorRow(
        504, "Making your pictures took too long. Please try again.", "timeout", job_failure=True
    ),
    "NOT_FOUND": ErrorRow(404, "No such job or picture.", "server"),
    "FORBIDDEN": ErrorRow(403, "A valid API key is required.", "server"),
    "STORAGE_FULL": ErrorRow(
        507, "The booth has run out of room for photos. Please ask the staff.", "server"
    ),
    "UNAVAILABLE": ErrorRow(503, "The time machine is not ready yet. Please try again in a moment.", "busy"),
    "BUSY": ErrorRow(None, "The time machine is busy. Please try again in a moment.", "busy"),
    "NETWORK": ErrorRow(None, "The booth lost its connection. Please try again.", "network"),
    "BAD_ANSWER": ErrorRow(None, "The booth got an answer it did not understand.", "server"),
}

#: Codes a job may end FAILED with; a model reporting anything else is reported as INFERENCE_FAILED.
JOB_FAILURE_CODES = frozenset(code for code, row in ERRORS.items() if row.job_failure)


def http_status(code: str, default: int = 500) -> int:
    """The HTTP status a failed request answers with for `code`."""
    row = ERRORS.get(code)
    return row.http_status if row is not None and row.http_status is not None else default


def message_for(code: str | None) -> str:
    """A person's words for `code` (unknown codes read as INFERENCE_FAILED)."""
    return ERRORS.get(code or "", ERRORS["INFERENCE_FAILED"]).message


def screen_for(code: str | None) -> str:
    """The booth's error screen for `code`; unknown codes show the generic server screen."""
    row = ERRORS.get(code or "")
    return row.screen if row is not None else "server"


class TimeTravelerError(Exception):
    """Base of every error a person may see; `code` is a row of the error table."""

    code = "INFERENCE_FAILED"

    def __init__(self, message: str | None = None):
        message = message or message_for(self.code)
        super().__init__(message)
        self.message = message


class BadRequestError(TimeTravelerError):
    """The request itself is malformed: content type, id or ages."""

    code = "BAD_REQUEST"


class TooLargeError(TimeTravelerError):
    """The body is over MAX_UPLOAD_BYTES."""

    code = "TOO_LARGE"


class BadImageError(TimeTravelerError):
    """The bytes are not a decodable JPEG or PNG photo."""

    code = "BAD_IMAGE"


class NoFaceError(TimeTravelerError):
    """The photo decodes, but no face was found in it."""

    code = "NO_FACE"


class InferenceError(TimeTravelerError):
    """The model itself failed."""

    code = "INFERENCE_FAILED"


class WeightsError(TimeTravelerError):
    """Model weights are missing or are not a valid SAM checkpoint."""

    code = "INFERENCE_FAILED"


class StorageFullError(TimeTravelerError):
    """The disk is (nearly) full: the upload is refused before anything is written."""

    code = "STORAGE_FULL"


class UnavailableError(TimeTravelerError):
    """No worker can take work, or the engine is still loading."""

    code = "UNAVAILABLE"
