"""Take it home: the QR code from the `share` field, the Print button (to PDF here), the copy limit,
printer trouble that pauses printing without blocking anyone, today's counts, and the slideshow."""

from __future__ import annotations

import datetime
import subprocess
import time
from pathlib import Path

import pytest

from booth_core.media import animation_cards, encode_gif
from booth_core.result import AgedFrame, AgingResult
from photobooth.app import BoothWindow
from photobooth.counters import DailyCounts
from photobooth.screens.share_panel import PrintState
from photobooth.screens.slideshow import recent_gifs, slides_of
from photobooth.state import Event, State
from photobooth.workers.printing import CopyLimit, PrinterStatus, printer_status
from tests.app.fake_backend import FakeBackend
from tests.app.test_flow import take_photo, wait_state

SHARE = {"url": "http://192.168.8.2:8080/s/job/token", "expires_at": "2099-01-01T00:00:00Z"}


class FakeProbe:
    """Stands in for CUPS: the test says how the printer is."""

    def __init__(self) -> None:
        self.problem = ""

    def __call__(self, name: str) -> PrinterStatus:
        return PrinterStatus(name or "PDF", self.problem)


@pytest.fixture
def printing_booth(booth):
    """The conftest booth with printing turned on and, optionally, a fake printer-status probe."""

    def make(backend_url: str, probe=None, **booth_settings) -> BoothWindow:
        def prepare(window: BoothWindow) -> None:
            if probe is not None:
                window.prints.worker.status_probe = probe

        return booth(backend_url, prepare=prepare, **{"print_enabled": True, **booth_settings})

    return make


def _pdfs(config) -> list[Path]:
    return sorted((Path(config.booth.output_dir) / "prints").glob("*.pdf"))


def test_result_shows_the_qr_and_prints_within_the_copy_limit(qtbot, printing_booth, fast_config):
    with FakeBackend("ok", share=SHARE) as backend:
        window = printing_booth(backend.base_url, print_copies=2, print_caption="Acme Summit")
        take_photo(qtbot, window)
        wait_state(qtbot, window, State.RESULT, timeout=20000)
        panel = window.result.side
        assert panel.url == SHARE["url"] and panel.qr.isVisible()
        qtbot.waitUntil(lambda: panel.print_state is PrintState.READY, timeout=5000)

        panel.print_button.click()
        assert panel.print_state is PrintState.SENDING  # at once: the printing happens in its thread
        qtbot.waitUntil(lambda: panel.print_state is PrintState.SENT, timeout=20000)
        assert panel.print_button.isEnabled() and panel.print_button.text() == "Print another"
        panel.print_button.click()
        qtbot.waitUntil(lambda: panel.print_state is PrintState.USED_UP, timeout=20000)
        assert not panel.print_button.isEnabled()
        panel.print_button.click()  # a third tap prints nothing
        assert len(_pdfs(fast_config)) == 2
        assert window.counts.get("prints") == 2
        info = window._staff_info()
        assert "Prints today: 2" in info and "PDF ready" in info


def test_printer_trouble_pauses_printing_and_staff_see_why(qtbot, printing_booth, fast_config):
    probe = FakeProbe()
    probe.problem = "out of paper"
    with FakeBackend("ok") as backend:
        window = printing_booth(backend.base_url, probe=probe)
        take_photo(qtbot, window)
        wait_state(qtbot, window, State.RESULT, timeout=20000)
        panel = window.result.side
        qtbot.waitUntil(lambda: panel.print_state is PrintState.PAUSED, timeout=5000)
        assert not panel.print_button.isEnabled() and panel.print_button.text() == "Printing paused"
        assert "out of paper" in window._staff_info()
        assert window.copies.left(window.outcome.job_id) == 1  # nothing was spent

        probe.problem = ""  # staff loaded paper; the next check finds it fine
        window.check_printer.emit("")
        qtbot.waitUntil(lambda: panel.print_state is PrintState.READY, timeout=5000)
        probe.problem = "offline"  # and it fails again between the check and the print
        panel.print_button.click()
        qtbot.waitUntil(lambda: panel.print_state is PrintState.PAUSED, timeout=10000)
        assert window.copies.left(window.outcome.job_id) == 1 and _pdfs(fast_config) == []
        window.result.done_button.click()  # the attendee leaves as usual
        wait_state(qtbot, window, State.ATTRACT, timeout=5000)


def test_print_button_hidden_unless_staff_turn_it_on(qtbot, printing_booth):
    with FakeBackend("ok") as backend:
        window = printing_booth(backend.base_url, print_enabled=False)
        take_photo(qtbot, window)
        wait_state(qtbot, window, State.RESULT, timeout=20000)
        assert window.result.side.print_state is PrintState.HIDDEN
        assert not window.result.side.isVisible()  # no share link: no QR panel
        assert not window.result.side.print_button.isVisible()


def test_printer_status_reads_cups_trouble(monkeypatch):
    class Info:
        def __init__(self, null=False):
            self.null = null

        def isNull(self):  # noqa: N802 - Qt's name
            return self.null

        def state(self):
            from PySide6.QtPrintSupport import QPrinter

            return QPrinter.PrinterState.Idle

    from photobooth.workers import printing

    monkeypatch.setattr(printing.QPrinterInfo, "printerInfo", staticmethod(lambda name: Info(name == "gone")))
    answers = {}

    def lpstat(*args):
        return answers.get(args[0], "")

    assert printer_status("gone", lpstat).problem.startswith("not found")
    answers["-l"] = "printer dnp is idle.  enabled since Tue\n\tAlerts: media-empty-error\n"
    assert printer_status("dnp", lpstat).problem == "out of paper"
    answers["-l"] = "printer dnp disabled since Tue -\n\tPaused\n"
    assert printer_status("dnp", lpstat).problem == "paused"
    answers["-l"] = "printer dnp is idle.\n"
    answers["-o"] = "dnp-1 booth 1024 Tue\ndnp-2 booth 1024 Tue\ndnp-3 booth 1024 Tue\n"
    assert printer_status("dnp", lpstat).problem == "stuck: 3 prints waiting"
    answers["-o"] = "dnp-1 booth 1024 Tue\n"
    status = printer_status("dnp", lpstat)
    assert status.ok and status.queued_jobs == 1
    assert printer_status("").ok  # PDF output needs no printer


def test_print_pdf_is_one_10x15_page(qtbot, tmp_path, astronaut):
    import shutil

    from photobooth.workers.jobs import Frame, JobOutcome
    from photobooth.workers.printing import PrintSettings, print_page, render_print_page

    frames = [Frame(index, age, "", astronaut) for index, age in enumerate((None, 25, 75))]
    page = render_print_page(JobOutcome("abcdef12", "classic", frames), PrintSettings(caption="Acme"))
    assert (page.width(), page.height()) == (1181, 1772)
    pdf = tmp_path / "print.pdf"
    print_page(page, pdf_path=pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "Pages:           1" in info
        width, height = (float(v) for v in info.split("Page size:")[1].split("pts")[0].split(" x "))
        assert abs(width / 72 * 25.4 - 100) < 1 and abs(height / 72 * 25.4 - 150) < 1


def test_print_pdfs_are_deleted_after_retention(tmp_path):
    import os

    from photobooth.workers.printing import remove_expired_pdfs

    old, fresh = tmp_path / "a-print1.pdf", tmp_path / "b-print1.pdf"
    for path in (old, fresh):
        path.write_bytes(b"%PDF")
    now = time.time()
    os.utime(old, (now - 25 * 3600, now - 25 * 3600))
    assert remove_expired_pdfs(tmp_path, 24 * 3600, now) == 1
    assert not old.exists() and fresh.exists()


def test_copy_limit_counts_per_attendee():
    limit = CopyLimit(per_attendee=1)
    assert limit.take("a") and not limit.take("a") and limit.take("b")
    limit.give_back("a")
    assert limit.left("a") == 1


def test_daily_counts_start_again_each_day(tmp_path):
    day = [datetime.date(2026, 12, 1)]
    counts = DailyCounts(tmp_path / "today.json", today=lambda: day[0])
    counts.add("prints")
    counts.add("prints")
    again = DailyCounts(tmp_path / "today.json", today=lambda: day[0])
    assert again.get("prints") == 2
    day[0] = datetime.date(2026, 12, 2)
    assert again.get("prints") == 0
    assert "booth" not in (tmp_path / "today.json").read_text()  # numbers only


def _gif(path: Path, image, ages=(25, 55, 75)) -> Path:
    result = AgingResult(image, [AgedFrame(age, image) for age in ages], "classic")
    path.write_bytes(encode_gif(animation_cards(result)))
    return path


def test_slideshow_shows_only_recent_results(tmp_path, astronaut):
    fresh = _gif(tmp_path / "fresh.gif", astronaut)
    old = _gif(tmp_path / "old.gif", astronaut)
    now = time.time()
    import os

    os.utime(old, (now - 3 * 3600, now - 3 * 3600))
    assert recent_gifs(tmp_path, max_age_s=3600, now=now) == [fresh]
    slides = slides_of(fresh)
    assert len(slides) == 2 and all(slide.size == (720, 720) for slide in slides)


def test_slideshow_is_off_by_default_and_plays_recent_results_when_on(
    qtbot, printing_booth, fast_config, astronaut
):
    out = Path(fast_config.booth.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    _gif(out / "20261201-120000-abcdef12.gif", astronaut)
    with FakeBackend("ok") as backend:
        window = printing_booth(backend.base_url)
        assert window.attract._slides == []  # privacy: nobody else's face by default
        window.config.booth.slideshow = True
        window.machine.handle(Event.TAP)
        wait_state(qtbot, window, State.PREVIEW)
        window.machine.handle(Event.CANCEL)  # back to attract, which now loads the slides
        wait_state(qtbot, window, State.ATTRACT)
        qtbot.waitUntil(lambda: len(window.attract._slides) == 2, timeout=5000)
        assert len(window.attract.view._frames) == 2
