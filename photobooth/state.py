"""The booth's flow as one explicit state machine, with no Qt in it so that every transition is testable.

The app feeds events in (taps, timers, worker reports) and switches screens on the transitions that come
out. An event that does not fit the current state is ignored and reported as None: late answers from a
cancelled job or a double tap can then never push the booth into a wrong screen.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from booth_core.errors import screen_for


class State(enum.Enum):
    ATTRACT = "attract"
    PREVIEW = "preview"
    COUNTDOWN = "countdown"
    REVIEW = "review"
    PROCESSING = "processing"
    RETRYING = "retrying"
    RESULT = "result"
    ERROR = "error"
    PIN = "pin"
    SETTINGS = "settings"
    OUT_OF_ORDER = "out_of_order"  # the camera or the backend stays down: no invitation to tap


class Event(enum.Enum):
    TAP = "tap"  # attract -> preview, preview -> countdown
    CAPTURED = "captured"  # countdown finished with a photo
    RETAKE = "retake"
    GO = "go"  # review accepted (by a tap or by itself)
    NETWORK_TROUBLE = "network_trouble"  # a request failed, the worker is retrying
    NETWORK_OK = "network_ok"  # a retried request got through
    JOB_DONE = "job_done"
    FAILED = "failed"  # anything that ends in an error screen; carries an ErrorKind
    CANCEL = "cancel"
    IDLE_TIMEOUT = "idle_timeout"
    ERROR_DONE = "error_done"  # the error screen's own timer or its OK button
    CAMERA_LOST = "camera_lost"
    CAMERA_BACK = "camera_back"
    STAFF_GESTURE = "staff_gesture"
    PIN_OK = "pin_ok"
    SETTINGS_CLOSED = "settings_closed"
    OUT_OF_ORDER = "out_of_order"  # the camera or the backend has been down too long
    IN_ORDER = "in_order"  # everything answers again


class ErrorKind(enum.Enum):
    """Error screens, each in words for a person. `retry_state` is where the booth goes afterwards."""

    NO_FACE = "no_face"
    BAD_PHOTO = "bad_photo"
    NETWORK = "network"
    BUSY = "busy"
    TIMEOUT = "timeout"
    SERVER = "server"
    CAMERA = "camera"

    @property
    def retry_state(self) -> State:
        return (
            State.PREVIEW
            if self in (ErrorKind.NO_FACE, ErrorKind.BAD_PHOTO, ErrorKind.CAMERA)
            else State.ATTRACT
        )


def kind_for_code(code: str | None) -> ErrorKind:
    """The error screen for an error code, as booth_core's error table says."""
    return ErrorKind(screen_for(code))


@dataclass(frozen=True)
class StateFacts:
    """What the app does while a state lasts, so that a new state is one row here plus its screen.

    `screen`: the key of the screen widget that shows it (two states may share one screen).
    `idle`: a person is expected to act; the idle timer runs and returns to attract when it runs out.
    `camera`: the live picture is wanted, so the camera worker delivers frames.
    `job`: a job is in flight; entering the first such state submits one, leaving the last cancels it.
    `session`: part of one attendee's visit; entering a state without it forgets the photo and result.
    """

    screen: str
    idle: bool = False
    camera: bool = False
    job: bool = False
    session: bool = True


S, E = State, Event

#: Every state's facts (see StateFacts).
STATE_FACTS: dict[State, StateFacts] = {
    S.ATTRACT: StateFacts("attract", session=False),
    S.PREVIEW: StateFacts("preview", idle=True, camera=True),
    S.COUNTDOWN: StateFacts("countdown", camera=True),
    S.REVIEW: StateFacts("review", idle=True),
    S.PROCESSING: StateFacts("processing", job=True),
    S.RETRYING: StateFacts("processing", job=True),
    S.RESULT: StateFacts("result", idle=True),
    S.ERROR: StateFacts("error", idle=True),
    S.PIN: StateFacts("pin", idle=True, session=False),
    S.SETTINGS: StateFacts("settings", idle=True, session=False),
    S.OUT_OF_ORDER: StateFacts("out_of_order", session=False),
}
_IN_FLOW = (S.PREVIEW, S.COUNTDOWN, S.REVIEW, S.PROCESSING, S.RETRYING, S.RESULT)

#: (state, event) -> next state. FAILED and ERROR_DONE are handled in `handle` (they depend on the kind).
TRANSITIONS: dict[tuple[State, Event], State] = {
    (S.ATTRACT, E.TAP): S.PREVIEW,
    (S.ATTRACT, E.STAFF_GESTURE): S.PIN,
    (S.ATTRACT, E.OUT_OF_ORDER): S.OUT_OF_ORDER,  # only between visits: an attendee's visit runs its course
    (S.OUT_OF_ORDER, E.IN_ORDER): S.ATTRACT,
    (S.OUT_OF_ORDER, E.STAFF_GESTURE): S.PIN,  # staff can still reach the settings to fix it
    (S.PIN, E.PIN_OK): S.SETTINGS,
    (S.PIN, E.CANCEL): S.ATTRACT,
    (S.PIN, E.IDLE_TIMEOUT): S.ATTRACT,
    (S.SETTINGS, E.SETTINGS_CLOSED): S.ATTRACT,
    (S.SETTINGS, E.IDLE_TIMEOUT): S.ATTRACT,
    (S.PREVIEW, E.TAP): S.COUNTDOWN,
    (S.COUNTDOWN, E.CAPTURED): S.REVIEW,
    (S.REVIEW, E.RETAKE): S.PREVIEW,
    (S.REVIEW, E.GO): S.PROCESSING,
    (S.PROCESSING, E.NETWORK_TROUBLE): S.RETRYING,
    (S.RETRYING, E.NETWORK_OK): S.PROCESSING,
    (S.PROCESSING, E.JOB_DONE): S.RESULT,
    (S.RETRYING, E.JOB_DONE): S.RESULT,
    (S.RESULT, E.IDLE_TIMEOUT): S.ATTRACT,
    (S.RESULT, E.TAP): S.ATTRACT,
    (S.ERROR, E.IDLE_TIMEOUT): S.ATTRACT,
    (
        S.ERROR,
        E.CANCEL,
    ): S.ATTRACT,  # "Back" on the camera screen: attract (and the staff corner) stay reachable
    **{(state, E.CANCEL): S.ATTRACT for state in _IN_FLOW},
    **{(state, E.IDLE_TIMEOUT): S.ATTRACT for state in (S.PREVIEW, S.REVIEW)},
}

#: States in which each event may raise an error screen.
FAILS_FROM = {
    ErrorKind.CAMERA: (S.PREVIEW, S.COUNTDOWN),
    **{kind: (S.PROCESSING, S.RETRYING) for kind in ErrorKind if kind is not ErrorKind.CAMERA},
}


@dataclass(frozen=True)
class Transition:
    source: State
    event: Event
    target: State
    error: ErrorKind | None = None

    @property
    def source_facts(self) -> StateFacts:
        return STATE_FACTS[self.source]

    @property
    def target_facts(self) -> StateFacts:
        return STATE_FACTS[self.target]


class BoothStateMachine:
    """Holds the current state (and the error being shown); listeners hear every transition.

    The state changes only through `handle`: it is read-only from outside, so nothing (the tour included)
    can put the booth somewhere without the transition its screens and workers react to.
    """

    def __init__(self, start: State = State.ATTRACT, error: ErrorKind | None = None) -> None:
        self._state = start
        self._error = error if start is State.ERROR else None
        self._listeners: list[Callable[[Transition], None]] = []

    @property
    def state(self) -> State:
        return self._state

    @property
    def error(self) -> ErrorKind | None:
        """The error the error screen explains (None outside State.ERROR)."""
        return self._error

    @property
    def facts(self) -> StateFacts:
        return STATE_FACTS[self.state]

    def add_listener(self, listener: Callable[[Transition], None]) -> None:
        self._listeners.append(listener)

    def can(self, event: Event, error: ErrorKind | None = None) -> bool:
        return self._target(event, error) is not None

    def handle(self, event: Event, error: ErrorKind | None = None) -> Transition | None:
        """Apply one event; returns the transition made, or None when the event does not apply now."""
        if event is E.CAMERA_LOST:
            error = ErrorKind.CAMERA
        target = self._target(event, error)
        if target is None:
            return None
        transition = Transition(self.state, event, target, error if target is S.ERROR else None)
        self._state = target
        self._error = transition.error
        for listener in list(self._listeners):
            listener(transition)
        return transition

    def _target(self, event: Event, error: ErrorKind | None) -> State | None:
        if event is E.FAILED or event is E.CAMERA_LOST:
            kind = ErrorKind.CAMERA if event is E.CAMERA_LOST else error
            if kind is None:
                raise ValueError("a FAILED event needs an ErrorKind")
            return S.ERROR if self.state in FAILS_FROM[kind] else None
        if event is E.ERROR_DONE:
            if self.state is not S.ERROR or self.error is None:
                return None
            if self.error is ErrorKind.CAMERA:
                return None  # the camera screen waits for CAMERA_BACK (or the idle timeout)
            return self.error.retry_state
        if event is E.CAMERA_BACK:
            return S.PREVIEW if self.state is S.ERROR and self.error is ErrorKind.CAMERA else None
        return TRANSITIONS.get((self.state, event))
