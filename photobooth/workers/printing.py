"""Printing the 10x15 cm layout through Qt's print system to a CUPS printer, or to a PDF file.

Everything here runs in the print thread: rendering the layout, talking to CUPS and asking it how the
printer is (QPrinterInfo and `lpstat`), so a printer that is offline, out of paper or stuck never
blocks the screen. Staff see the trouble; attendees only see that printing is paused.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QMarginsF, QObject, QRectF, QSizeF, QThread, Signal, Slot
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from booth_core import media
from photobooth.images import to_qimage
from photobooth.workers.files import outcome_to_result

log = logging.getLogger(__name__)

#: This many jobs waiting in the printer's queue means it is stuck, not busy.
STUCK_QUEUE_JOBS = 3
#: lpstat's words for trouble -> what staff read. Checked in this order.
_REASONS = (
    ("media-empty", "out of paper"),
    ("media-needed", "out of paper"),
    ("media-jam", "paper jam"),
    ("marker-supply-empty", "out of ink or ribbon"),
    ("toner-empty", "out of ink or ribbon"),
    ("offline", "offline"),
    ("door-open", "a door is open"),
    ("paused", "paused"),
    ("disabled", "paused"),
)


@dataclass(frozen=True)
class PrinterStatus:
    """`problem` is empty when the printer can take a print; else words for staff."""

    name: str
    problem: str = ""
    queued_jobs: int = 0

    @property
    def ok(self) -> bool:
        return not self.problem


def _lpstat(*args: str) -> str:
    """`lpstat` output, or "" where CUPS' command-line tools are missing or hang."""
    if shutil.which("lpstat") is None:
        return ""
    try:
        return subprocess.run(
            ["lpstat", *args], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def printer_status(name: str, lpstat: Callable[..., str] = _lpstat) -> PrinterStatus:
    """How printer `name` is: missing, in error, offline, out of paper, stuck, or fine ("" for PDF output)."""
    if not name:
        return PrinterStatus("PDF")
    info = QPrinterInfo.printerInfo(name)
    if info.isNull():
        return PrinterStatus(name, "not found (is it plugged in and added to CUPS?)")
    details = lpstat("-l", "-p", name).lower()
    for marker, words in _REASONS:
        if marker in details:
            return PrinterStatus(name, words)
    queued = sum(1 for line in lpstat("-o", name).splitlines() if line.strip())
    if info.state() == QPrinter.PrinterState.Error:
        return PrinterStatus(name, "reports an error", queued)
    if queued >= STUCK_QUEUE_JOBS:
        return PrinterStatus(name, f"stuck: {queued} prints waiting", queued)
    return PrinterStatus(name, "", queued)


def print_page(page: QImage, printer_name: str = "", pdf_path: str | Path | None = None) -> None:
    """Put `page` on one 10x15 cm sheet, edge to edge: on the named CUPS printer, or into a PDF file."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if pdf_path is not None:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(pdf_path))
    else:
        printer.setPrinterName(printer_name)
    printer.setDocName("Time Traveler")
    printer.setFullPage(True)
    size = QPageSize(QSizeF(*media.PRINT_SIZE_MM), QPageSize.Unit.Millimeter, "10x15 cm")
    printer.setPageLayout(
        QPageLayout(
            size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter
        )
    )
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError(f"the printer {printer_name or pdf_path} did not accept the print")
    try:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        target = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
        painter.drawImage(target, page)
    finally:
        painter.end()


@dataclass
class PrintSettings:
    """What staff set: the printer ("" prints to PDF files in `pdf_dir`), the caption and the logo."""

    printer_name: str = ""
    pdf_dir: str = ""
    caption: str = ""
    logo_path: str = ""
    retention_s: float = 24 * 3600.0  # PDF prints hold faces: older ones are deleted


def remove_expired_pdfs(folder: Path, retention_s: float, now: float | None = None) -> int:
    """Delete print PDFs older than the retention period; returns how many."""
    now = time.time() if now is None else now
    removed = 0
    for path in folder.glob("*-print*.pdf"):
        try:
            if now - path.stat().st_mtime > retention_s:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


@dataclass
class CopyLimit:
    """At most `per_attendee` prints of each job (one attendee's result)."""

    per_attendee: int = 1
    printed: dict[str, int] = field(default_factory=dict)

    def left(self, job_id: str) -> int:
        return max(0, self.per_attendee - self.printed.get(job_id, 0))

    def take(self, job_id: str) -> bool:
        """Count one print of `job_id`; False (nothing counted) when its copies are used up."""
        if self.left(job_id) <= 0:
            return False
        self.printed[job_id] = self.printed.get(job_id, 0) + 1
        if len(self.printed) > 200:  # only the last attendees matter
            self.printed.pop(next(iter(self.printed)))
        return True

    def give_back(self, job_id: str) -> None:
        """Undo one `take` (the print never came out)."""
        if self.printed.get(job_id, 0) > 0:
            self.printed[job_id] -= 1


def render_print_page(outcome, settings: PrintSettings) -> QImage:
    logo = None
    if settings.logo_path:
        try:
            logo = Image.open(settings.logo_path)
            logo.load()
        except OSError:
            log.warning("the print logo could not be read; printing without it")
    options = media.PrintOptions(caption=settings.caption, logo=logo)
    return to_qimage(media.render_print(outcome_to_result(outcome), options))


class PrintWorker(QObject):
    """Prints and checks the printer, one request at a time, in the print thread."""

    printed = Signal(int, str)  # token, where (printer name or PDF path)
    failed = Signal(int, str)  # token, words for staff
    status = Signal(object)  # PrinterStatus

    def __init__(self, status_probe: Callable[[str], PrinterStatus] = printer_status) -> None:
        super().__init__()
        self.status_probe = status_probe

    @Slot(int, object, object)
    def print_outcome(self, token: int, outcome, settings: PrintSettings) -> None:
        try:
            state = self.status_probe(settings.printer_name)
            self.status.emit(state)
            if not state.ok:
                raise OSError(f"printer {state.name}: {state.problem}")
            page = render_print_page(outcome, settings)
            if settings.printer_name:
                print_page(page, settings.printer_name)
                where = settings.printer_name
            else:
                folder = Path(settings.pdf_dir).expanduser()
                folder.mkdir(parents=True, exist_ok=True)
                remove_expired_pdfs(folder, settings.retention_s)
                copy = 1 + len(list(folder.glob(f"*-{outcome.job_id[:8]}-print*.pdf")))
                path = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{outcome.job_id[:8]}-print{copy}.pdf"
                print_page(page, pdf_path=path)
                where = str(path)
        except Exception as error:  # a printer problem must never take the booth down
            log.warning("print failed: %s", error)
            self.failed.emit(token, str(error))
        else:
            self.printed.emit(token, where)

    @Slot(str)
    def check(self, printer_name: str) -> None:
        try:
            self.status.emit(self.status_probe(printer_name))
        except Exception as error:  # noqa: BLE001 - a broken probe reads as trouble, not a crash
            self.status.emit(PrinterStatus(printer_name or "PDF", f"cannot be checked ({error})"))


class PrintThread(QThread):
    def __init__(self, parent=None, status_probe: Callable[[str], PrinterStatus] = printer_status) -> None:
        super().__init__(parent)
        self.worker = PrintWorker(status_probe)
        self.worker.moveToThread(self)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        self.quit()
        self.wait(timeout_ms)
