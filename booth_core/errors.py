"""Errors that carry a code from the API's error table and words for a person."""

from __future__ import annotations


class TimeTravelerError(Exception):
    """Base of every error a person may see; `code` is a row of API.md's error table."""

    code = "INFERENCE_FAILED"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadImageError(TimeTravelerError):
    """The bytes are not a decodable JPEG or PNG photo."""

    code = "BAD_IMAGE"


class NoFaceError(TimeTravelerError):
    """The photo decodes, but no face was found in it."""

    code = "NO_FACE"

    def __init__(self, message: str = "We couldn't find a face in that photo. Look at the camera and try again."):
        super().__init__(message)


class InferenceError(TimeTravelerError):
    """The model itself failed."""

    code = "INFERENCE_FAILED"


class WeightsError(TimeTravelerError):
    """Model weights are missing or are not a valid SAM checkpoint."""

    code = "INFERENCE_FAILED"
