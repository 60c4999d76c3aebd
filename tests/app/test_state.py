"""The booth's state machine on its own: every transition, and every event that must be ignored."""

from __future__ import annotations

import pytest

from photobooth.state import (
    FAILS_FROM,
    STATE_FACTS,
    TRANSITIONS,
    BoothStateMachine,
    ErrorKind,
    Event,
    State,
    kind_for_code,
)


def machine_in(state: State, error: ErrorKind | None = None) -> BoothStateMachine:
    return BoothStateMachine(state, error)


@pytest.mark.parametrize(("source", "event"), list(TRANSITIONS))
def test_every_table_transition(source, event):
    machine = machine_in(source)
    seen = []
    machine.add_listener(seen.append)
    transition = machine.handle(event)
    assert transition is not None
    assert machine.state is TRANSITIONS[(source, event)]
    assert seen == [transition]
    assert (transition.source, transition.event, transition.target) == (source, event, machine.state)


@pytest.mark.parametrize("kind", list(ErrorKind))
def test_failures_raise_the_error_screen_only_where_they_can_happen(kind):
    for state in State:
        machine = machine_in(state)
        event = Event.CAMERA_LOST if kind is ErrorKind.CAMERA else Event.FAILED
        transition = machine.handle(event, None if kind is ErrorKind.CAMERA else kind)
        if state in FAILS_FROM[kind]:
            assert transition.target is State.ERROR and machine.error is kind and transition.error is kind
        else:
            assert transition is None and machine.state is state


@pytest.mark.parametrize(
    ("kind", "after"),
    [
        (ErrorKind.NO_FACE, State.PREVIEW),
        (ErrorKind.BAD_PHOTO, State.PREVIEW),
        (ErrorKind.NETWORK, State.ATTRACT),
        (ErrorKind.BUSY, State.ATTRACT),
        (ErrorKind.TIMEOUT, State.ATTRACT),
        (ErrorKind.SERVER, State.ATTRACT),
    ],
)
def test_error_done_goes_back_by_kind(kind, after):
    machine = machine_in(State.ERROR, kind)
    assert machine.handle(Event.ERROR_DONE).target is after
    assert machine.error is None


def test_camera_error_waits_for_the_camera_or_the_idle_timeout():
    machine = machine_in(State.PREVIEW)
    machine.handle(Event.CAMERA_LOST)
    assert machine.handle(Event.ERROR_DONE) is None
    assert machine.handle(Event.CAMERA_BACK).target is State.PREVIEW
    machine.handle(Event.CAMERA_LOST)
    assert machine.handle(Event.IDLE_TIMEOUT).target is State.ATTRACT


def test_camera_back_outside_the_camera_error_is_ignored():
    for state in State:
        machine = machine_in(state, ErrorKind.NETWORK if state is State.ERROR else None)
        assert machine.handle(Event.CAMERA_BACK) is None


def test_late_and_double_events_are_ignored():
    machine = BoothStateMachine()
    assert machine.handle(Event.JOB_DONE) is None  # a cancelled job's answer arriving in attract
    assert machine.handle(Event.GO) is None
    assert machine.handle(Event.TAP).target is State.PREVIEW
    assert machine.handle(Event.CAPTURED) is None
    assert machine.state is State.PREVIEW


def test_full_happy_path_and_retry_loop():
    machine = BoothStateMachine()
    path = [
        Event.TAP,
        Event.TAP,
        Event.CAPTURED,
        Event.GO,
        Event.NETWORK_TROUBLE,
        Event.NETWORK_OK,
        Event.NETWORK_TROUBLE,
        Event.JOB_DONE,
        Event.IDLE_TIMEOUT,
    ]
    states = [machine.handle(event).target for event in path]
    assert states == [
        State.PREVIEW,
        State.COUNTDOWN,
        State.REVIEW,
        State.PROCESSING,
        State.RETRYING,
        State.PROCESSING,
        State.RETRYING,
        State.RESULT,
        State.ATTRACT,
    ]


def test_failed_needs_a_kind():
    with pytest.raises(ValueError):
        machine_in(State.PROCESSING).handle(Event.FAILED)


def test_api_codes_map_to_error_screens():
    assert kind_for_code("NO_FACE") is ErrorKind.NO_FACE
    assert kind_for_code("BAD_IMAGE") is ErrorKind.BAD_PHOTO
    assert kind_for_code("TIMEOUT") is ErrorKind.TIMEOUT
    assert kind_for_code("BUSY") is ErrorKind.BUSY
    assert kind_for_code("NETWORK") is ErrorKind.NETWORK
    assert kind_for_code("BAD_ANSWER") is ErrorKind.SERVER
    assert kind_for_code(None) is ErrorKind.SERVER


def test_back_from_the_camera_screen_goes_to_attract():
    machine = machine_in(State.PREVIEW)
    machine.handle(Event.CAMERA_LOST)
    assert machine.handle(Event.CANCEL).target is State.ATTRACT and machine.error is None
    assert machine.handle(Event.STAFF_GESTURE).target is State.PIN  # staff can reach settings from there


def test_every_code_in_the_error_table_has_a_screen():
    from booth_core.errors import ERRORS

    kinds = {code: kind_for_code(code) for code in ERRORS}
    assert kinds["UNAVAILABLE"] is ErrorKind.BUSY
    assert kinds["STORAGE_FULL"] is ErrorKind.SERVER
    assert kinds["TOO_LARGE"] is ErrorKind.BAD_PHOTO


def test_every_state_has_its_facts_and_the_state_cannot_be_set_from_outside():
    assert set(STATE_FACTS) == set(State)
    machine = BoothStateMachine()
    with pytest.raises(AttributeError):
        machine.state = State.RESULT  # only events move the booth
    assert machine.facts is STATE_FACTS[State.ATTRACT] and not machine.facts.session


def test_facts_say_where_jobs_run_and_the_camera_is_wanted():
    assert {state for state, facts in STATE_FACTS.items() if facts.job} == {State.PROCESSING, State.RETRYING}
    assert {state for state, facts in STATE_FACTS.items() if facts.camera} == {State.PREVIEW, State.COUNTDOWN}
    # Processing and retrying share a screen, so a retry never restarts the processing screen's clock.
    assert STATE_FACTS[State.PROCESSING].screen == STATE_FACTS[State.RETRYING].screen
