"""Guards against a Qt binding that would crash a booth left running: PySide6 6.12.0's SignalInstance.emit
drops a reference to True on every call, so after enough camera frames Python aborts (bool_dealloc)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ping = Signal(int)


def test_emitting_signals_keeps_reference_counts(qapp):
    emitter = _Emitter()
    emitter.ping.connect(lambda value: None)
    before = sys.getrefcount(True)
    for value in range(200):
        emitter.ping.emit(value)
    assert abs(sys.getrefcount(True) - before) < 50, (
        "this PySide6 leaks references on emit; use another version"
    )
