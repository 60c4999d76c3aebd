"""Engines by registry: names come from one place, `auto` picks the best that can run, unknown names fail."""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from booth_core.result import AgedFrame, AgingResult
from inference_container.engine import load_engine, registry
from inference_container.engine.registry import EngineSpec, UnknownEngineError


class MirrorEngine:
    """A whole engine in a few lines: each 'aged' frame is the photo mirrored (what a new engine looks like)."""

    name = "mirror"

    def __init__(self, size: int = 16):
        self.size = size

    def age(self, photo, ages=None, sitter=None) -> AgingResult:
        image = photo.resize((self.size, self.size))
        frames = [AgedFrame(age, image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)) for age in ages]
        return AgingResult(original=image, frames=frames, engine=self.name)


@pytest.fixture
def mirror_registered(monkeypatch):
    """Register MirrorEngine above SAM for one test; monkeypatch removes it afterwards."""
    spec = EngineSpec(
        name="mirror",
        description="test engine",
        factory=f"{__name__}:MirrorEngine",
        rank=1000,
        available=lambda weights: True,
    )
    monkeypatch.setitem(registry._ENGINES, spec.name, spec)
    return spec


def _parsers():
    from inference_container.commands import age
    from inference_container.model_server import command
    from job_service import serve_command

    for module in (age, command, serve_command):
        parser = argparse.ArgumentParser()
        module.add_arguments(parser)
        yield module.__name__, parser


def test_the_names_come_from_the_registry():
    assert registry.engine_choices() == ("auto", "sam", "classic")
    for name, parser in _parsers():
        engine = next(action for action in parser._actions if action.dest == "engine")
        assert tuple(engine.choices) == registry.engine_choices(), name


def test_unknown_names_are_refused_never_classic(capsys):
    with pytest.raises(UnknownEngineError, match="unknown engine 'sma'; choose one of auto, sam, classic"):
        load_engine("sma")
    with pytest.raises(UnknownEngineError):
        registry.resolve_engine_name("")
    with pytest.raises(ValueError, match="taken"):
        registry.register(registry.engine_spec("classic"))
    for name, parser in _parsers():
        argv = ["photo.jpg", "-o", "x.jpg"] if name.endswith(".age") else []
        with pytest.raises(SystemExit):
            parser.parse_args([*argv, "--engine", "sma"])
        assert "invalid choice: 'sma'" in capsys.readouterr().err


def test_auto_takes_classic_where_sam_cannot_run(monkeypatch, tmp_path):
    monkeypatch.setenv("TIME_TRAVELER_WEIGHTS", str(tmp_path / "none.pt"))
    monkeypatch.setenv("TIME_TRAVELER_CACHE", str(tmp_path))
    assert registry.available_engines() == ("classic",)
    assert registry.resolve_engine_name("auto") == "classic"
    weights = tmp_path / "sam.pt"
    weights.write_bytes(b"checked by the loader, not here")
    torch_installed = importlib.util.find_spec("torch") is not None
    assert registry.resolve_engine_name("auto", weights) == ("sam" if torch_installed else "classic")
    monkeypatch.setattr(registry.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(UnknownEngineError, match="no registered engine can run"):
        registry.resolve_engine_name("auto")


def test_a_new_engine_is_one_class_and_one_registration(mirror_registered, astronaut):
    assert registry.engine_choices()[:2] == ("auto", "mirror")
    assert registry.resolve_engine_name("auto") == "mirror"
    engine = load_engine("auto", weights="ignored", device="cpu", size=8)
    result = engine.age(astronaut, ages=[30, 70])
    assert result.engine == "mirror" and result.ages == [30, 70]
    assert result.frames[0].image.size == (8, 8)
    for _, parser in _parsers():
        engine_arg = next(action for action in parser._actions if action.dest == "engine")
        assert "mirror" in engine_arg.choices


@pytest.mark.slow
def test_listing_engines_imports_no_torch():
    code = (
        "import sys, job_service.serve_command, photobooth.config; "
        "from inference_container.engine import registry; registry.available_engines(); "
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
