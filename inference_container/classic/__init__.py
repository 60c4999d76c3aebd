"""The classic engine: believable ageing from 68 landmarks with image processing, no learned weights."""

from __future__ import annotations


def __getattr__(name: str):
    # Lazy, so the parts (apparent age, hair, masks) import without the whole engine.
    if name == "ClassicEngine":
        from inference_container.classic.engine import ClassicEngine

        return ClassicEngine
    raise AttributeError(name)


__all__ = ["ClassicEngine"]
