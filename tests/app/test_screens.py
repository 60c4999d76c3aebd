"""Each screen on its own with qtbot: what it shows and what it emits."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage

from booth_core import job_stage
from booth_core.sitter import SITTERS
from photobooth.demo import attract_frames, demo_face
from photobooth.qr import qr_image, qr_matrix
from photobooth.screens.attract import STAFF_TAPS, AttractScreen
from photobooth.screens.common import stylesheet, touch_px
from photobooth.screens.context import ScreenContext
from photobooth.screens.countdown import CountdownScreen
from photobooth.screens.crossfade import CrossfadeView, bounce_order
from photobooth.screens.error import ErrorScreen
from photobooth.screens.pin import PinScreen
from photobooth.screens.preview import PreviewScreen
from photobooth.screens.processing import SERVER_STAGES, ProcessingScreen
from photobooth.screens.result import ResultScreen
from photobooth.screens.review import ReviewScreen
from photobooth.screens.settings import SettingsScreen
from photobooth.state import ErrorKind, Event, State, Transition
from photobooth.strings import ENGLISH, LANGUAGES, Strings
from photobooth.workers.jobs import Frame, JobOutcome
from tests.app.fake_backend import jpeg_bytes

EN = Strings("en")


def show(qtbot, widget, size=(960, 540)):
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.setStyleSheet(stylesheet(*size, touch_px(widget)))
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_attract_tap_starts_and_corner_taps_open_staff(qtbot):
    screen = show(qtbot, AttractScreen(EN, (25, 75)))
    assert screen.call.text() == "Tap to travel in time"
    assert "25 & 75" in screen.sub.text()
    with qtbot.waitSignal(screen.tapped, timeout=1000):
        qtbot.mouseClick(screen, Qt.MouseButton.LeftButton, pos=QPoint(500, 300))
    with qtbot.assertNotEmitted(screen.tapped), qtbot.waitSignal(screen.staff_gesture, timeout=1000):
        for _ in range(STAFF_TAPS):
            qtbot.mouseClick(screen, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))


def test_demo_faces_change_with_age():
    young, old = demo_face(20, 128), demo_face(80, 128)
    assert young.size().width() == 128 and young != old


def test_attract_falls_back_to_the_demo_without_samples(qtbot, tmp_path):
    frames = attract_frames((30, 60), samples_dir=tmp_path)
    assert [label for label, _ in frames] == ["30", "60"]
    QImage(64, 64, QImage.Format.Format_RGB32).save(str(tmp_path / "x_age70.jpg"))
    QImage(64, 64, QImage.Format.Format_RGB32).save(str(tmp_path / "x_age9.jpg"))
    assert [label for label, _ in attract_frames((30, 60), samples_dir=tmp_path)] == ["30", "60"]  # drawn
    QImage(64, 64, QImage.Format.Format_RGB32).save(str(tmp_path / "x_age30.jpg"))
    assert [label for label, _ in attract_frames((9, 30, 60), samples_dir=tmp_path)] == ["9", "30"]
    screen = AttractScreen(EN, (30, 60), frames_for=lambda ages: attract_frames(ages, samples_dir=tmp_path))
    screen.set_ages((9, 70))  # staff changed the ages: the loop follows
    assert [label for label, _ in screen._frames] == ["9", "70"]


def test_crossfade_plays_young_old_young(qtbot):
    assert bounce_order(4) == [0, 1, 2, 3, 2, 1]
    view = show(qtbot, CrossfadeView(hold_ms=40, fade_ms=40), (300, 300))
    view.set_frames([(str(age), demo_face(age, 64)) for age in (20, 50, 80)])
    seen = set()
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline and len(seen) < 3:
        seen.add(view.position()[0])
        qtbot.wait(10)
    assert seen == {0, 1, 2}


def test_preview_consent_and_buttons(qtbot):
    screen = show(qtbot, PreviewScreen(EN))
    screen.set_retention(3 * 24 * 3600)
    assert "3 days" in screen.consent.text()
    screen.set_retention(3600)
    assert "1 hour" in screen.consent.text()
    with qtbot.waitSignal(screen.start, timeout=1000):
        screen.start_button.click()
    with qtbot.waitSignal(screen.back, timeout=1000):
        screen.back_button.click()
    screen.camera.set_frame(demo_face(30, 200))
    qtbot.wait(20)
    assert screen.camera.has_frame and screen.camera.guide_rect().width() > 0
    with qtbot.waitSignal(screen.start, timeout=1000):
        qtbot.mouseClick(screen.camera, Qt.MouseButton.LeftButton)


def test_countdown_counts_shoots_and_flashes(qtbot):
    screen = show(qtbot, CountdownScreen(EN, flash_ms=50))
    numbers, smiled, shot = [], [], []
    screen.shoot.connect(lambda: (numbers.append(screen.camera.number), shot.append(time.monotonic())))
    with qtbot.waitSignal(screen.finished, timeout=2000):
        screen.begin(2, tick_ms=200)
        assert screen.camera.number == "2"
        qtbot.waitUntil(lambda: screen.camera.number == "Smile!", timeout=1000)
        smiled.append(time.monotonic())
    assert numbers == ["Smile!"]
    assert shot[0] - smiled[0] >= 0.05  # a beat between the word and the shutter
    assert screen.camera.flash == 0.0


def test_review_goes_by_itself_or_retakes(qtbot):
    screen = show(qtbot, ReviewScreen(EN))
    with qtbot.waitSignal(screen.go, timeout=2000):
        screen.show_photo(demo_face(30, 100), 0.3)
        assert "Going by itself in 1 s" == screen.auto.text()
    screen.show_photo(demo_face(30, 100), 10)
    with qtbot.waitSignal(screen.retake, timeout=1000), qtbot.assertNotEmitted(screen.go, wait=300):
        screen.retake_button.click()


class Clock:
    """A monotonic clock the test moves by hand, so the auto-go countdown needs no waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def review_context(config, engine: str) -> ScreenContext:
    """What the window tells the review screen after a photo, with a backend of `engine`."""
    return ScreenContext(
        transition=Transition(State.COUNTDOWN, Event.CAPTURED, State.REVIEW),
        config=config,
        photo=demo_face(30, 100),
        health={"status": "ok", "engine": engine},
    )


def test_review_asks_who_is_in_the_photo_only_when_the_engine_judges_age(qtbot, fast_config):
    screen = show(qtbot, ReviewScreen(EN))
    screen.enter(review_context(fast_config, "classic"))
    assert screen.sitter_row.isVisible() and screen.sitter_label.text() == EN.get("review.sitter")
    assert [button.text() for button in screen.sitter_buttons.values()] == ["Child", "Adult", "Senior"]
    assert list(screen.sitter_buttons) == list(SITTERS)
    assert screen.sitter is None  # nothing chosen: the engine judges
    screen.leave()
    screen.enter(review_context(fast_config, "sam"))
    assert not screen.sitter_row.isVisible() and screen.sitter is None
    screen.leave()


def test_review_answer_is_one_at_most_and_a_second_tap_takes_it_back(qtbot, fast_config):
    screen = show(qtbot, ReviewScreen(EN))
    fast_config.booth.review_seconds = 30
    screen.enter(review_context(fast_config, "classic"))
    child, adult = screen.sitter_buttons["child"], screen.sitter_buttons["adult"]
    qtbot.mouseClick(child, Qt.MouseButton.LeftButton)
    assert child.isChecked() and screen.sitter == "child"
    qtbot.mouseClick(adult, Qt.MouseButton.LeftButton)
    assert adult.isChecked() and not child.isChecked() and screen.sitter == "adult"
    qtbot.mouseClick(adult, Qt.MouseButton.LeftButton)
    assert not any(button.isChecked() for button in screen.sitter_buttons.values()) and screen.sitter is None
    qtbot.mouseClick(child, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(child, Qt.MouseButton.LeftButton)
    assert not child.isChecked() and screen.sitter is None
    qtbot.mouseClick(child, Qt.MouseButton.LeftButton)
    screen.leave()
    screen.enter(review_context(fast_config, "classic"))  # the next photo starts with nothing chosen
    assert not any(button.isChecked() for button in screen.sitter_buttons.values()) and screen.sitter is None
    screen.leave()


def test_review_answer_restarts_the_auto_go_countdown(qtbot, fast_config):
    clock = Clock()
    screen = show(qtbot, ReviewScreen(EN, clock=clock))
    fast_config.booth.review_seconds = 10
    screen.enter(review_context(fast_config, "classic"))
    assert screen.auto.text() == "Going by itself in 10 s"
    clock.now += 8
    # The attendee is busy answering: the full wait starts again.
    qtbot.mouseClick(screen.sitter_buttons["child"], Qt.MouseButton.LeftButton)
    assert screen.auto.text() == "Going by itself in 10 s"
    clock.now += 5  # past the first deadline, before the new one
    with qtbot.assertNotEmitted(screen.go, wait=0):
        qtbot.waitUntil(lambda: screen.auto.text() == "Going by itself in 5 s", timeout=2000)
    clock.now += 5
    with qtbot.waitSignal(screen.go, timeout=2000):
        pass  # the screen's own timer sees the new deadline pass
    assert screen.sitter == "child"  # still there for the job


def test_processing_shows_honest_steps_and_cancel(qtbot):
    screen = show(qtbot, ProcessingScreen(EN))
    screen.begin(demo_face(30, 100))
    assert screen.status.text() == "Starting the time machine…" and screen.steps.value() == 0
    screen.set_stage("queued")
    assert "line" in screen.status.text() and screen.steps.value() == 2
    screen.set_retrying(1, 4)
    assert "1 of 4" in screen.status.text()
    screen.set_stage("ageing")
    assert screen.status.text() == "Travelling through the years…"
    screen.set_stage("ageing", "warming_up")  # the job document's optional stage
    assert screen.status.text() == "Warming up the time machine…"
    screen.set_stage("queued", "warming_up")  # the local service: queued while its engine loads
    assert screen.status.text() == "Warming up the time machine…" and screen.steps.value() == 2
    screen.set_stage("queued", "waiting")  # in line behind another attendee's job
    assert screen.status.text() == "Waiting in line for the time machine…" and screen.steps.value() == 2
    screen.set_stage("ageing", "aging")  # the engine has this job
    assert screen.status.text() == "Travelling through the years…" and screen.steps.value() == 3
    assert set(SERVER_STAGES) == set(job_stage.STAGES)  # every value a job service sends has its words
    screen.set_stage("ageing", "something-new")  # unknown stages fall back to the step
    assert screen.status.text() == "Travelling through the years…"
    first = screen.dial.angle()
    qtbot.waitUntil(lambda: abs(screen.dial.angle() - first) > 5, timeout=2000)  # it keeps moving
    with qtbot.assertNotEmitted(screen.cancel):
        screen.cancel_button.click()  # asks first
        assert screen.confirm.isVisible() and not screen.cancel_button.isVisible()
        screen.confirm.no_button.click()
    assert screen.cancel_button.isVisible()
    with qtbot.waitSignal(screen.cancel, timeout=1000):
        screen.cancel_button.click()
        screen.confirm.yes_button.click()
    screen.stop()


def _outcome(urls="/results/x/{}.jpg", share=None):
    import io

    from PIL import Image

    frames = [
        Frame(i, age, urls.format(i), Image.open(io.BytesIO(jpeg_bytes((60 * i, 90, 90)))).convert("RGB"))
        for i, age in enumerate((None, 30, 60, 90))
    ]
    return JobOutcome("abc", "classic", frames, 0.0, share)


def test_result_shows_every_frame_engine_and_qr(qtbot):
    screen = show(qtbot, ResultScreen(EN), (1080, 1920))
    screen.show_outcome(_outcome())
    assert not screen.side.isVisible()
    assert "classic" in screen.engine.text()
    assert [label for label, _ in screen.row._frames] == ["Now", "Age 30", "Age 60", "Age 90"]
    assert [label for label, _ in screen.strip._frames] == ["Age 30", "Age 60", "Age 90"]
    screen.set_saved()
    assert "saved on this booth" in screen.engine.text() and ".gif" not in screen.engine.text()
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 24 * 3600 + 60))
    screen.show_outcome(_outcome(share={"url": "http://192.168.8.2:8080/s/abc/token", "expires_at": expires}))
    assert screen.side.isVisible() and screen.side.qr.isVisible()
    assert screen.side.caption.text() == "Scan to take it home"
    assert "24 hours" in screen.side.expiry.text()
    assert not screen.side.print_button.isVisible()  # printing is off unless staff turn it on
    with qtbot.waitSignal(screen.done, timeout=1000):
        screen.done_button.click()


def test_qr_image_encodes_modules():
    matrix = qr_matrix("https://example.org/frame/1.jpg")
    image = qr_image("https://example.org/frame/1.jpg", module_px=4)
    assert image.width() == len(matrix) * 4
    dark = sum(cell for row in matrix for cell in row)
    assert 0 < dark < len(matrix) ** 2


@pytest.mark.parametrize("kind", list(ErrorKind))
def test_error_screens_speak_plainly_and_return_by_themselves(qtbot, kind):
    screen = show(qtbot, ErrorScreen(EN))
    if kind is ErrorKind.CAMERA:
        with qtbot.assertNotEmitted(screen.dismissed, wait=300):
            screen.show_error(kind, 0.1)
        assert not screen.ok_button.isVisible()
    else:
        with qtbot.waitSignal(screen.dismissed, timeout=2000):
            screen.show_error(kind, 0.2)
    assert screen.title.text() == ENGLISH[f"error.{kind.value}.title"]
    assert "Traceback" not in screen.body.text() and len(screen.body.text()) > 20


def test_pin_pad_accepts_only_the_pin(qtbot):
    screen = show(qtbot, PinScreen(EN, "1234"))
    with qtbot.assertNotEmitted(screen.accepted):
        for digit in "9999":
            screen.digit_buttons[digit].click()
        screen.ok_button.click()
    assert screen.message.text() == "Wrong PIN (4 tries left)"
    with qtbot.waitSignal(screen.accepted, timeout=1000):
        for digit in "1234":
            screen.digit_buttons[digit].click()
        screen.ok_button.click()
    with qtbot.waitSignal(screen.cancelled, timeout=1000):
        screen.cancel_button.click()


def test_pin_pad_locks_after_five_wrong_tries_even_across_visits(qtbot):
    now = [1000.0]
    screen = show(qtbot, PinScreen(EN, "1234", clock=lambda: now[0]))
    for _ in range(5):
        for digit in "0000":
            screen.digit_buttons[digit].click()
        screen.ok_button.click()
    assert screen.locked and not screen.ok_button.isEnabled()
    assert screen.message.text() == "Too many wrong PINs. Try again in 60 s."
    screen.reset("1234")  # leaving and coming back does not lift the lockout
    with qtbot.assertNotEmitted(screen.accepted):
        for digit in "1234":
            screen.press(digit)
        screen.submit()
    now[0] += 61
    qtbot.waitUntil(lambda: screen.ok_button.isEnabled(), timeout=2000)
    with qtbot.waitSignal(screen.accepted, timeout=1000):
        for digit in "1234":
            screen.digit_buttons[digit].click()
        screen.ok_button.click()
    for _ in range(5):  # the next lockout is longer
        screen.press("9")
        screen.submit()
    assert screen.locked_until - now[0] == 120


def test_settings_form_reads_back_and_refuses_bad_ages(qtbot, fast_config):
    screen = show(qtbot, SettingsScreen(EN))
    screen.load(fast_config, "http://backend", "classic")
    assert "classic" in screen.status.text()
    screen.ages.setText("20, 40,60")
    screen.url.setText(" https://booth.example ")
    screen.language.setCurrentText("de")
    with qtbot.waitSignal(screen.saved, timeout=1000) as saved:
        screen.save_button.click()
    config = saved.args[0]
    assert config.booth.ages == (20, 40, 60) and config.backend.url == "https://booth.example"
    assert config.booth.language == "de" and config.booth.camera == fast_config.booth.camera
    screen.ages.setText("20, 400")
    with qtbot.assertNotEmitted(screen.saved):
        screen.save_button.click()
    assert screen.message.text().startswith("Ages:")
    screen.ages.setText("20")
    screen.url.setText("booth.example:8000")  # no scheme: refused, not saved silently
    with qtbot.assertNotEmitted(screen.saved):
        screen.save_button.click()
    assert screen.message.text().startswith("Backend URL:")


def test_settings_pin_is_masked_and_the_first_use_pin_must_go(qtbot, fast_config):
    from photobooth.config import DEFAULT_STAFF_PIN

    screen = show(qtbot, SettingsScreen(EN))
    fast_config.booth.staff_pin = DEFAULT_STAFF_PIN
    screen.load(fast_config)
    assert screen.pin.text() == "" and screen.pin.echoMode() is screen.pin.EchoMode.Password
    assert screen.must_change_pin and not screen.ages.isEnabled() and not screen.quit_button.isEnabled()
    for pin in ("", DEFAULT_STAFF_PIN, "12"):
        screen.pin.setText(pin)
        with qtbot.assertNotEmitted(screen.saved):
            screen.save_button.click()
    screen.pin.clear()
    qtbot.keyClicks(screen.pin, "12ab")  # letters never get in
    assert screen.pin.text() == "12"
    screen.pin.setText("97531")
    with qtbot.waitSignal(screen.saved, timeout=1000) as saved:
        screen.save_button.click()
    assert saved.args[0].booth.staff_pin == "97531"
    screen.load(saved.args[0])
    assert not screen.must_change_pin and screen.ages.isEnabled()


def test_an_unknown_language_shows_english_chosen_and_says_so(qtbot, fast_config):
    screen = show(qtbot, SettingsScreen(EN))
    fast_config.booth.language = "fr"
    screen.load(fast_config)
    assert screen.language.currentText() == "en" and screen.language.buttons["en"].isChecked()
    assert "fr" in screen.message.text() and "English" in screen.message.text()


def test_touch_targets_are_at_least_15_mm(qtbot):
    screen = show(qtbot, ReviewScreen(EN), (1920, 1080))
    minimum = round(15 / 25.4 * screen.screen().logicalDotsPerInch())
    for button in (screen.retake_button, screen.go_button, *screen.sitter_buttons.values()):
        assert button.height() >= minimum and button.width() >= minimum


def test_every_language_has_every_sentence_with_the_same_placeholders():
    import string

    def fields(text):
        return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name)

    for language, table in LANGUAGES.items():
        assert set(table) == set(ENGLISH), language
        for key, text in table.items():
            assert fields(text) == fields(ENGLISH[key]), (language, key)
    assert Strings("de").get("review.go") == "Los!"
    assert Strings("de").get("error.busy.title") != ENGLISH["error.busy.title"]
    assert Strings("xx").language == "en" and Strings("xx").get("review.go") == "Go!"


def test_settings_controls_are_finger_sized(qtbot, fast_config):
    for size in ((1920, 1080), (1080, 1920)):
        screen = show(qtbot, SettingsScreen(EN), size)
        screen.load(fast_config)
        minimum = round(15 / 25.4 * screen.screen().logicalDotsPerInch())
        controls = [
            screen.countdown.minus_button,
            screen.countdown.plus_button,
            screen.idle.plus_button,
            screen.camera_button,
            screen.camera,
            screen.url,
            *screen.language.buttons.values(),
        ]
        for control in controls:
            assert control.height() >= minimum and control.width() >= minimum, control
        for label in screen.field_labels:  # nothing cut off
            assert label.width() >= label.sizeHint().width() - 1, label.text()


def test_every_text_field_can_be_typed_by_touch(qtbot, fast_config):
    screen = show(qtbot, SettingsScreen(EN), (1080, 1920))
    screen.load(fast_config)
    qtbot.mouseClick(screen.url, Qt.MouseButton.LeftButton)
    assert screen.keyboard.isVisible() and screen.keyboard.target is screen.url
    screen.url.clear()
    for key in "http://":
        screen.keyboard.keys[key].click()
    screen.keyboard.shift_button.click()
    screen.keyboard.keys["b"].click()
    screen.keyboard.shift_button.click()
    screen.keyboard.keys["x"].click()
    screen.keyboard.backspace_button.click()
    assert screen.url.text() == "http://B"
    assert screen.keyboard.keys["&"].text() == "&&"  # shown as "&", not eaten as a shortcut marker
    screen.keyboard.keys["&"].click()
    assert screen.url.text() == "http://B&"
    qtbot.mouseClick(screen.pin, Qt.MouseButton.LeftButton)
    for key in "9a8":
        screen.keyboard.keys[key].click()
    assert screen.pin.text() == "98"  # the PIN field's validator still decides
    screen.keyboard.done_button.click()
    assert not screen.keyboard.isVisible()


def test_quit_asks_to_confirm(qtbot, fast_config):
    screen = show(qtbot, SettingsScreen(EN))
    screen.load(fast_config)
    with qtbot.assertNotEmitted(screen.quit_requested):
        screen.quit_button.click()
        assert screen.quit_confirm.isVisible()
        screen.quit_confirm.no_button.click()
    with qtbot.waitSignal(screen.quit_requested, timeout=1000):
        screen.quit_button.click()
        screen.quit_confirm.yes_button.click()


def test_settings_steppers_and_language_choice(qtbot, fast_config):
    screen = show(qtbot, SettingsScreen(EN))
    screen.load(fast_config)
    screen.countdown.setValue(10)
    assert not screen.countdown.plus_button.isEnabled()
    screen.countdown.minus_button.click()
    screen.idle.setValue(1)  # clamped to the minimum
    screen.idle.plus_button.click()
    screen.language.buttons["de"].click()
    assert screen.language.buttons["de"].text() == "Deutsch"
    config = screen.read()
    assert config.booth.countdown_seconds == 9 and config.booth.idle_timeout_seconds == 10
    assert config.booth.language == "de"


def test_result_shows_photo_frames_in_their_own_shape(qtbot):
    """Photo-layout frames (the whole photo, here 3:2) are shown whole, not cropped to a square."""
    from PIL import Image

    from photobooth.images import to_qimage

    frames = [Frame(i, age, f"/results/x/{i}.jpg", Image.new("RGB", (600, 400), (40 * i, 90, 90)))
              for i, age in enumerate((None, 30, 60))]
    screen = show(qtbot, ResultScreen(EN), (1280, 800))
    screen.show_outcome(JobOutcome("abc", "classic", frames))
    rect = screen.strip.picture_rect()
    assert abs(rect.width() / rect.height() - 1.5) < 0.02
    picture = screen.strip.grab().toImage()
    centre = rect.center()
    assert picture.pixelColor(centre).green() == 90  # the frame itself fills its rectangle
    assert to_qimage(frames[0].image).size().width() == 600
