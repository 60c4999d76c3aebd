"""The engine interface: `load_engine(name).age(photo, ages) -> AgingResult`.

Two engines: `sam` (the learned model, needs torch and weights) and `classic` (landmark-guided
image processing, no weights). `auto` takes SAM when it can be loaded, else classic.
"""

from __future__ import annotations

import importlib.util
from typing import Protocol

from PIL import Image

from booth_core.result import AgedFrame, AgingResult

ENGINE_NAMES = ("sam", "classic")


class Engine(Protocol):
    """What every engine offers; `name` is what the booth shows under a picture."""

    name: str

    def age(self, photo: Image.Image | bytes, ages=None) -> AgingResult: ...


def sam_available(weights=None) -> bool:
    """True when torch imports and SAM weights can be found (no weights are loaded)."""
    if importlib.util.find_spec("torch") is None:
        return False
    from inference_container.weights import find_weights

    return find_weights(weights) is not None


def resolve_engine_name(name: str, weights=None) -> str:
    """Map `auto` to the best engine this machine can run; validate other names."""
    if name == "auto":
        return "sam" if sam_available(weights) else "classic"
    if name not in ENGINE_NAMES:
        raise ValueError(f"unknown engine {name!r}; choose one of auto, {', '.join(ENGINE_NAMES)}")
    return name


def load_engine(name: str = "auto", weights=None, device=None, precision: str = "auto", **options) -> Engine:
    """Build an engine by name. Heavy imports (torch) happen only for `sam`."""
    name = resolve_engine_name(name, weights)
    if name == "sam":
        from inference_container.engine.sam_engine import SamEngine

        return SamEngine.load(weights=weights, device=device, precision=precision, **options)
    from inference_container.classic import ClassicEngine

    return ClassicEngine(**options)


__all__ = ["AgedFrame", "AgingResult", "Engine", "ENGINE_NAMES", "load_engine", "resolve_engine_name", "sam_available"]
