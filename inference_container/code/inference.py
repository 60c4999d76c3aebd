"""SageMaker PyTorch toolkit handlers for Time Traveler (the `code/` of model.tar.gz).

The toolkit puts `code/` on sys.path and calls model_fn once, then input_fn -> predict_fn ->
output_fn per request. `time-traveler package-model` copies the `inference_container` package
next to this file, so the same invocation code as the BYOC server runs here.
"""

from __future__ import annotations

from pathlib import Path

from booth_core import wire
from inference_container.model_server.invocation import CUSTOM_ATTRIBUTES_HEADER, age_photo
from inference_container.model_server.loader import engine_factory


def model_fn(model_dir, context=None):
    """Load SAM from model_dir/model.pt (the released checkpoint dict)."""
    return engine_factory(Path(model_dir), engine="sam")()


def _custom_attributes(context) -> str | None:
    """The CustomAttributes header of the (single) request, where the toolkit gives us a context."""
    if context is None:
        return None
    try:
        headers = context.request_processor[0].get_request_properties()
    except (AttributeError, IndexError, TypeError):
        return None
    for key, value in dict(headers or {}).items():
        if str(key).lower() == CUSTOM_ATTRIBUTES_HEADER.lower():
            return value.decode() if isinstance(value, bytes) else value
    return None


def input_fn(request_body, request_content_type, context=None):
    """Keep the raw bytes and the request's ages together; decoding happens in predict_fn."""
    body = request_body if isinstance(request_body, bytes) else bytes(request_body)
    return {
        "body": body,
        "content_type": request_content_type,
        "custom_attributes": _custom_attributes(context),
    }


def predict_fn(input_data, model, context=None):
    """Age the photo; raises the project's coded errors (BAD_IMAGE, NO_FACE, BAD_REQUEST)."""
    return age_photo(model, input_data["body"], input_data["content_type"], input_data["custom_attributes"])


def output_fn(prediction, accept=None, context=None):
    """The wire format: .npy bytes of the (H, W*(1+n), 3) uint8 strip, with its content type."""
    return prediction.to_npy_bytes(), wire.CONTENT_TYPE
