"""The take-home part of `--tour`: the share page and the print PDF are saved next to the screenshots.

`prepare_config` turns on what the tour shows (the venue share server for the local backend, printing to
PDF); `steps` runs after the result screen: it downloads the attendee's share page (off the UI thread),
presses Print and copies the PDF the print thread wrote.
"""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

import httpx

from photobooth.config import Config
from photobooth.screens.share_panel import PrintState

log = logging.getLogger(__name__)
SHARE_PAGE = "share-page.html"
PRINT_PDF = "print.pdf"


def prepare_config(config: Config) -> None:
    """Share pages on this machine's LAN address (a free port) when the booth runs its own service; print to PDF."""
    if not config.backend.url and not config.backend.share_host:
        from job_service.local.share_server import lan_address

        config.backend.share_host, config.backend.share_port = lan_address(), 0
    config.booth.print_enabled = True
    config.booth.printer_name = ""


def _download(url: str, target: Path, done: threading.Event, errors: list[str]) -> None:
    try:
        answer = httpx.get(url, timeout=20, follow_redirects=True)  # AWS: a 302 to the presigned page
        answer.raise_for_status()
        target.write_bytes(answer.content)
    except (httpx.HTTPError, OSError) as error:
        errors.append(f"the share page could not be saved: {type(error).__name__}")
    finally:
        done.set()


def steps(tour):
    """Tour steps (the runner's protocol: seconds to sleep, or (condition, timeout, what))."""
    window = tour.window
    url = window.outcome.share_url if window.outcome is not None else None
    if url:
        done, errors = threading.Event(), []
        thread = threading.Thread(
            target=_download, args=(url, tour.out_dir / SHARE_PAGE, done, errors), daemon=True
        )
        thread.start()
        yield (done.is_set, 30, "the share page")
        tour.problems.extend(errors)
    else:
        log.warning("tour: the backend gave no share link, so there is no share page to save")
    panel = window.result.side
    if panel.print_state is PrintState.READY:
        prints = Path(window.print_settings().pdf_dir)
        before = set(prints.glob("*.pdf")) if prints.exists() else set()
        panel.print_button.click()
        yield (lambda: panel.print_state is not PrintState.SENDING, 60, "the print")
        tour.shot("result-printed")
        made = sorted(set(prints.glob("*.pdf")) - before) if prints.exists() else []
        if made:
            shutil.copyfile(made[-1], tour.out_dir / PRINT_PDF)
        else:
            tour.problems.append(f"printing ended {panel.print_state.value} without a PDF")
