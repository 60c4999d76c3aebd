"""Icons are drawn, not typed: no screen may depend on a symbol glyph that a kiosk's fonts might lack."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from photobooth.screens.common import ACCENT, stylesheet, touch_px
from photobooth.screens.error import ICON_NAMES, ErrorScreen
from photobooth.screens.icons import ICONS, icon_image
from photobooth.screens.pin import PinScreen
from photobooth.state import ErrorKind
from photobooth.strings import LANGUAGE_NAMES, LANGUAGES, Strings

#: Characters every text font has: printable Latin-1 plus the punctuation the sentences use.
SAFE_PUNCTUATION = set("…–—‘’“”•")


def is_safe(char: str) -> bool:
    return (" " <= char <= "~") or ("\u00a0" <= char <= "\u00ff") or char in SAFE_PUNCTUATION


def painted(image) -> int:
    """How many pixels the icon covered (alpha > 0)."""
    return sum(
        1
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
        if image.pixelColor(x, y).alpha()
    )


@pytest.mark.parametrize("name", sorted(ICONS))
def test_every_icon_draws_visible_strokes_in_its_colour(name):
    image = icon_image(name, 96)
    covered = painted(image)
    assert 40 < covered < 0.8 * (48 * 48), f"{name}: {covered} of {48 * 48} sampled pixels"
    centre_colours = {
        image.pixelColor(x, y).name()
        for y in range(96)
        for x in range(96)
        if image.pixelColor(x, y).alpha() == 255
    }
    assert QColor(ACCENT).name() in centre_colours


@pytest.mark.slow
def test_error_icons_are_drawn_and_busy_and_timeout_look_different(qtbot):
    assert set(ICON_NAMES) == set(ErrorKind) and set(ICON_NAMES.values()) <= set(ICONS)
    assert icon_image(ICON_NAMES[ErrorKind.BUSY], 64) != icon_image(ICON_NAMES[ErrorKind.TIMEOUT], 64)
    screen = ErrorScreen(Strings("en"))
    qtbot.addWidget(screen)
    screen.resize(1080, 1920)
    screen.setStyleSheet(stylesheet(1080, 1920, touch_px(screen)))
    screen.show()
    for kind in ErrorKind:
        screen.show_error(kind, 30)
        assert screen.symbol.name == ICON_NAMES[kind]
        shot = screen.symbol.grab().toImage()
        assert painted(shot) > 0 and shot.height() >= 100  # drawn, and big enough to read from afar
    screen.stop()


def test_the_pin_pad_backspace_is_an_icon_not_a_glyph(qtbot):
    pad = PinScreen(Strings("en"), "1234")
    qtbot.addWidget(pad)
    assert pad.back_button.text() == "" and not pad.back_button.icon().isNull()
    pad.press("1")
    pad.back_button.click()
    assert pad.entered == ""


def test_every_sentence_uses_only_characters_every_font_has():
    for language, table in LANGUAGES.items():
        for key, text in table.items():
            bad = [char for char in text if not is_safe(char)]
            assert not bad, f"{language}/{key}: {bad}"
    assert all(is_safe(char) for name in LANGUAGE_NAMES.values() for char in name)
