"""Every text an attendee must read is at least 32 px at 1080p, in landscape and portrait, and the call to
action never wraps. The fonts are what Qt resolved after the stylesheet, not what the code asked for."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QAbstractButton, QLabel

from photobooth.demo import demo_face
from photobooth.screens.attract import AttractScreen
from photobooth.screens.common import MIN_TEXT_PX
from photobooth.screens.error import ErrorScreen
from photobooth.screens.out_of_order import OutOfOrderScreen
from photobooth.screens.preview import PreviewScreen
from photobooth.screens.processing import ProcessingScreen
from photobooth.screens.result import ResultScreen
from photobooth.screens.review import ReviewScreen
from photobooth.screens.share_panel import PrintState
from photobooth.state import ErrorKind
from photobooth.strings import LANGUAGES, Strings
from tests.app.test_screens import _outcome, show

SIZES = [(1920, 1080), (1080, 1920)]


def attendee_screens(strings):
    """(name, screen, how to fill it) for every screen an attendee reads."""
    yield "attract", AttractScreen(strings, (25, 35, 55, 75)), None
    yield "preview", PreviewScreen(strings), None
    yield "review", ReviewScreen(strings), lambda s: s.show_photo(demo_face(30, 100), 30)
    yield "processing", ProcessingScreen(strings), lambda s: s.begin(demo_face(30, 100))
    yield "result", ResultScreen(strings), lambda s: (s.show_outcome(_outcome()), s.set_saved())
    yield (
        "result-take-home",
        ResultScreen(strings),
        lambda s: (
            s.show_outcome(
                _outcome(share={"url": "http://192.168.8.2:8080/s/x/t", "expires_at": "2099-01-01T00:00:00Z"})
            ),
            s.set_print_state(PrintState.SENT, 1),
        ),
    )
    for kind in ErrorKind:
        yield f"error-{kind.value}", ErrorScreen(strings), lambda s, kind=kind: s.show_error(kind, 30)
    yield "out_of_order", OutOfOrderScreen(strings), None


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_attendee_text_is_at_least_32_px(qtbot, size, language):
    strings = Strings(language)
    small = []
    for name, screen, fill in attendee_screens(strings):
        show(qtbot, screen, size)
        if fill:
            fill(screen)
        for widget in screen.findChildren(QLabel) + screen.findChildren(QAbstractButton):
            if widget.isVisible() and widget.text().strip():
                widget.ensurePolished()
                px = QFontInfo(widget.font()).pixelSize()
                if px < MIN_TEXT_PX:
                    small.append(f"{name}: {widget.text()!r} {px} px")
        if name.startswith("result"):
            assert screen.row.label_px() >= MIN_TEXT_PX
        if name == "attract":  # the call to action stays on one line, even on a portrait screen
            metrics = screen.call.fontMetrics()
            assert metrics.horizontalAdvance(screen.call.text()) <= screen.call.width()
        screen.close()
    assert small == []
