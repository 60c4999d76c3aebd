"""Every engine by name: a new engine is one module plus one `register` call at the bottom of this file.

The registry holds only torch-free facts (the name, words for a person, which packages the engine needs, a
cheap check that it can run here, where its factory lives), so `job_service` and the kiosk can list and
validate engine names without importing torch. The factory module is imported only when the engine loads.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field

#: The name that means "the best engine this machine can run".
AUTO = "auto"


class UnknownEngineError(ValueError):
    """A name that no engine is registered under: refused, never replaced by another engine."""


@dataclass(frozen=True)
class EngineSpec:
    """One registered engine.

    `factory` is "module:attribute" (dots allowed after the colon), called as factory(**arguments) with
    those of weights / device / precision named in `takes`, plus the engine's own options. `available`
    (weights) -> bool must stay cheap and import nothing heavy. `rank` orders `auto`: highest available wins.
    """

    name: str
    description: str
    factory: str
    rank: int
    requires: tuple[str, ...] = ()  # importable packages it needs, checked without importing them
    takes: tuple[str, ...] = ()
    available: Callable[[object], bool] | None = field(default=None, compare=False)

    def can_run(self, weights=None) -> bool:
        """True when every required package is installed and the engine's own check passes."""
        if any(importlib.util.find_spec(package) is None for package in self.requires):
            return False
        return self.available is None or bool(self.available(weights))

    def load(self, weights=None, device=None, precision: str = "auto", **options):
        """Import the factory and build the engine."""
        module_name, _, attribute = self.factory.partition(":")
        target = importlib.import_module(module_name)
        for part in attribute.split("."):
            target = getattr(target, part)
        common = {"weights": weights, "device": device, "precision": precision}
        return target(**{key: common[key] for key in self.takes}, **options)


_ENGINES: dict[str, EngineSpec] = {}


def register(spec: EngineSpec) -> EngineSpec:
    """Add an engine; a name may be registered once (AUTO is reserved)."""
    if spec.name == AUTO or spec.name in _ENGINES:
        raise ValueError(f"engine name {spec.name!r} is taken")
    _ENGINES[spec.name] = spec
    return spec


def engine_names() -> tuple[str, ...]:
    """The registered names, best first (the order `auto` tries them)."""
    return tuple(spec.name for spec in sorted(_ENGINES.values(), key=lambda spec: -spec.rank))


def engine_choices() -> tuple[str, ...]:
    """What a command line or a config file may name: `auto`, then every registered engine."""
    return (AUTO, *engine_names())


def engine_spec(name: str) -> EngineSpec:
    """The spec registered under `name`; UnknownEngineError naming the choices otherwise."""
    try:
        return _ENGINES[name]
    except KeyError:
        raise UnknownEngineError(
            f"unknown engine {name!r}; choose one of {', '.join(engine_choices())}"
        ) from None


def available_engines(weights=None) -> tuple[str, ...]:
    """The names that can run on this machine now, best first."""
    return tuple(name for name in engine_names() if _ENGINES[name].can_run(weights))


def resolve_engine_name(name: str, weights=None) -> str:
    """Map `auto` to the best engine that can run here; check that any other name is registered."""
    if name == AUTO:
        runnable = available_engines(weights)
        if not runnable:
            raise UnknownEngineError("no registered engine can run on this machine")
        return runnable[0]
    return engine_spec(name).name


def _sam_weights_found(weights) -> bool:
    from inference_container.weights import find_weights  # torch-free: a path lookup

    return find_weights(weights) is not None


register(
    EngineSpec(
        name="sam",
        description="the learned SAM model (torch and its weights)",
        factory="inference_container.engine.sam_engine:SamEngine.load",
        rank=100,
        requires=("torch",),
        takes=("weights", "device", "precision"),
        available=_sam_weights_found,
    )
)
register(
    EngineSpec(
        name="classic",
        description="landmark-guided image processing, no learned weights",
        factory="inference_container.classic:ClassicEngine",
        rank=10,
        requires=("cv2",),
    )
)
