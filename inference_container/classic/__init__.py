"""The classic engine: believable ageing from 68 landmarks with image processing, no learned weights."""

from inference_container.classic.engine import ClassicEngine

__all__ = ["ClassicEngine"]
