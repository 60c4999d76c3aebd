"""The engine interface: `load_engine(name).age(photo, ages) -> AgingResult`.

Engines are found by name in `inference_container.engine.registry` (`sam`: the learned model, needs torch
and weights; `classic`: landmark-guided image processing, no weights). `auto` takes the best one that can
run here. Importing this package imports no torch.
"""

from __future__ import annotations

from typing import Protocol

from PIL import Image

from booth_core.result import AgedFrame, AgingResult
from inference_container.engine.registry import (
    AUTO,
    UnknownEngineError,
    available_engines,
    engine_choices,
    engine_names,
    engine_spec,
    resolve_engine_name,
)


class Engine(Protocol):
    """What every engine offers; `name` is what the booth shows under a picture. `sitter`: what the
    attendee said is in the photo (booth_core.sitter), or None."""

    name: str

    def age(self, photo: Image.Image | bytes, ages=None, sitter: str | None = None) -> AgingResult: ...


def sam_available(weights=None) -> bool:
    """True when torch is installed and SAM weights can be found (nothing is loaded)."""
    return engine_spec("sam").can_run(weights)


def load_engine(name: str = AUTO, weights=None, device=None, precision: str = "auto", **options) -> Engine:
    """Build an engine by name (UnknownEngineError for a name not registered). Heavy imports happen here."""
    spec = engine_spec(resolve_engine_name(name, weights))
    return spec.load(weights=weights, device=device, precision=precision, **options)


__all__ = [
    "AUTO",
    "AgedFrame",
    "AgingResult",
    "Engine",
    "UnknownEngineError",
    "available_engines",
    "engine_choices",
    "engine_names",
    "load_engine",
    "resolve_engine_name",
    "sam_available",
]
