"""What a screen is told when it is entered: the transition that brought it up and the booth's facts now.

Screens read only what they need from it, so the app never has to know which screen wants what.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtGui import QImage

from photobooth.config import Config
from photobooth.state import ErrorKind, Transition


@dataclass(frozen=True)
class ScreenContext:
    transition: Transition
    config: Config
    photo: QImage | None = None  # the photo just taken, screen-sized
    error: ErrorKind | None = None  # the error being explained
    outcome: object | None = None  # the finished job (a JobOutcome)
    countdown_tick_ms: int = 1000  # one countdown step (tests run it faster)
    backend: str = ""  # the backend's URL, or why there is none
    health: dict = field(default_factory=dict)  # the backend's last /health answer
    problems: tuple[str, ...] = ()  # what was wrong with the settings file
    retention_seconds: float = 24 * 3600.0  # how long photos are kept: what the consent line says
    status: Callable[[], object] | None = None  # makes the staff status (a BoothStatus) when a screen asks

    @property
    def new_visit(self) -> bool:
        """True when this screen starts an attendee's visit (it came from outside one)."""
        return not self.transition.source_facts.session
