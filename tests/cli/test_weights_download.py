"""The weights downloader against a local server: whole, resumed, behind Drive's warning page, or refused."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from booth_core.errors import WeightsError
from inference_container.weights.download import confirm_url, download_weights
from tests.cli.weights_server import WARNING_PAGE, FileServer, serve

PAYLOAD = random.Random(3).randbytes(3 << 20)  # three chunks of the downloader's 1 MiB


def left_behind(folder: Path) -> list[str]:
    """What a download left, besides the lock file (kept on purpose: removing it would race another process)."""
    return sorted(p.name for p in folder.iterdir() if p.suffix != ".lock")


def same_bytes(path: Path) -> None:
    """A stand-in verifier for the transfer tests: the file must be exactly the served payload."""
    if path.read_bytes() != PAYLOAD:
        raise WeightsError("not the served file")


def test_full_download(tmp_path):
    with serve(FileServer(PAYLOAD)) as server:
        path = download_weights(
            tmp_path / "w.pt", server.base_url + "/file", verify=same_bytes, progress=False
        )
    assert path == tmp_path / "w.pt" and path.read_bytes() == PAYLOAD
    assert left_behind(tmp_path) == ["w.pt"]
    assert server.requests == [("/file", None)]


def test_resumes_after_the_server_hangs_up(tmp_path):
    with serve(FileServer(PAYLOAD, cut_after=1_200_000)) as server:
        path = download_weights(
            tmp_path / "w.pt", server.base_url + "/file", verify=same_bytes, progress=False
        )
    assert path.read_bytes() == PAYLOAD
    assert len(server.requests) == 2
    resumed_from = int(server.requests[1][1].removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_from <= 1_200_000


def test_resumes_a_part_file_left_by_an_earlier_run(tmp_path):
    (tmp_path / "w.pt.part").write_bytes(PAYLOAD[:1000])
    with serve(FileServer(PAYLOAD)) as server:
        download_weights(tmp_path / "w.pt", server.base_url + "/file", verify=same_bytes, progress=True)
    assert (tmp_path / "w.pt").read_bytes() == PAYLOAD
    assert server.requests == [("/file", "bytes=1000-")]


def test_follows_the_drive_virus_scan_page(tmp_path):
    with serve(FileServer(PAYLOAD, interstitial=True)) as server:
        download_weights(
            tmp_path / "w.pt", server.base_url + "/download?id=FILEID", verify=same_bytes, progress=False
        )
    assert (tmp_path / "w.pt").read_bytes() == PAYLOAD
    assert server.requests[1][0].startswith("/download?") and "confirm=t" in server.requests[1][0]


def test_confirm_url_reads_the_form():
    url = confirm_url(WARNING_PAGE, "https://drive.usercontent.google.com/download?id=FILEID&export=download")
    assert url == "https://drive.usercontent.google.com/download?id=FILEID&export=download&confirm=t&uuid=u-1"
    with pytest.raises(WeightsError):
        confirm_url("<html><body>Access denied</body></html>", "https://example.invalid/x")


def test_a_file_that_fails_verification_is_not_kept(tmp_path):
    def refuse(path: Path) -> None:
        raise WeightsError("not a checkpoint")

    with serve(FileServer(PAYLOAD)) as server, pytest.raises(WeightsError, match="not a checkpoint"):
        download_weights(tmp_path / "w.pt", server.base_url + "/file", verify=refuse, progress=False)
    assert left_behind(tmp_path) == []


def test_http_errors_and_dead_servers_end_in_weights_error(tmp_path):
    with serve(FileServer(PAYLOAD, status=404)) as server, pytest.raises(WeightsError, match="HTTP 404"):
        download_weights(tmp_path / "w.pt", server.base_url + "/file", verify=same_bytes, progress=False)
    with serve(FileServer(PAYLOAD)) as server:
        url = server.base_url
    with pytest.raises(WeightsError, match="Download failed"):
        download_weights(tmp_path / "w.pt", url + "/file", verify=same_bytes, progress=False, attempts=2)


def test_too_little_disk_space_is_refused_before_writing(tmp_path, monkeypatch):
    import shutil
    from types import SimpleNamespace

    monkeypatch.setattr(
        shutil, "disk_usage", lambda path: SimpleNamespace(total=10**9, used=10**9, free=1000)
    )
    with serve(FileServer(PAYLOAD)) as server, pytest.raises(WeightsError, match="disk space"):
        download_weights(tmp_path / "w.pt", server.base_url + "/file", verify=same_bytes, progress=False)
    assert left_behind(tmp_path) == []


def test_plain_progress_without_tqdm(monkeypatch, capsys):
    import sys

    from inference_container.weights.progress import Progress

    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `from tqdm import tqdm` fail
    with Progress(total=1000, initial=0) as bar:
        for _ in range(10):
            bar.update(100)
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1].endswith("(100%)") and 2 <= len(lines) <= 21


# --- resume validators, Google's own words, one download at a time, sources --------------------------------
QUOTA_PAGE = """<!DOCTYPE html><html><head><title>Google Drive - Quota exceeded</title>
<style>body{font-family:arial}</style></head><body><div class="uc-main"><p class="uc-error-caption">
Sorry, you can't view or download this file at this time.</p><p class="uc-error-subcaption">Too many users have
viewed or downloaded this file recently. Please try accessing the file again later.</p></div>
<script>var x = 1;</script></body></html>"""


def test_resume_names_the_file_with_if_range(tmp_path):
    from inference_container.weights.download import WeightsUnreachable

    with serve(FileServer(PAYLOAD, cut_after=1_200_000)) as server, pytest.raises(WeightsUnreachable):
        download_weights(tmp_path / "w.pt", server.base_url + "/file", verify=same_bytes, progress=False,
                         attempts=1)
    assert left_behind(tmp_path) == ["w.pt.part", "w.pt.part.json"]  # the server said its length: kept
    with serve(FileServer(PAYLOAD)) as server:
        download_weights(tmp_path / "w.pt", server.base_url + "/file", verify=same_bytes, progress=False)
    assert (tmp_path / "w.pt").read_bytes() == PAYLOAD and left_behind(tmp_path) == ["w.pt"]
    assert server.if_ranges == ['"v1"'] and server.requests[0][1].startswith("bytes=")


def test_a_file_changed_on_the_server_starts_over(tmp_path):
    newer = bytes(reversed(PAYLOAD))
    with serve(FileServer(PAYLOAD, cut_after=1_200_000)) as server, pytest.raises(WeightsError):
        download_weights(tmp_path / "w.pt", server.base_url + "/file", progress=False, attempts=1)
    with serve(FileServer(newer, etag='"v2"')) as server:
        download_weights(tmp_path / "w.pt", server.base_url + "/file", progress=False,
                         verify=lambda path: path.read_bytes() == newer or pytest.fail("spliced"))
    assert (tmp_path / "w.pt").read_bytes() == newer  # the If-Range did not match: the whole new file came


def test_google_quota_page_is_reported_in_googles_words_and_the_next_source_is_tried(tmp_path):
    with serve(FileServer(PAYLOAD, page=QUOTA_PAGE)) as quota, serve(FileServer(PAYLOAD)) as mirror:
        path = download_weights(tmp_path / "w.pt", [quota.base_url + "/a", mirror.base_url + "/b"],
                                verify=same_bytes, progress=False)
    assert path.read_bytes() == PAYLOAD
    from inference_container.weights.download import WeightsUnreachable

    with serve(FileServer(PAYLOAD, page=QUOTA_PAGE)) as quota, pytest.raises(WeightsUnreachable) as refused:
        download_weights(tmp_path / "x.pt", quota.base_url + "/a", verify=same_bytes, progress=False)
    assert "Too many users have viewed or downloaded this file recently" in refused.value.message
    assert "Quota exceeded" in refused.value.message and "var x" not in refused.value.message


def test_one_download_at_a_time(tmp_path):
    from filelock import FileLock

    from inference_container.weights.download import WeightsBusy

    with FileLock(str(tmp_path / "w.pt") + ".lock"), serve(FileServer(PAYLOAD)) as server:
        with pytest.raises(WeightsBusy, match="Another download"):
            download_weights(tmp_path / "w.pt", server.base_url + "/file", verify=same_bytes, progress=False)
    assert server.requests == []


def test_sources_the_authors_first_then_the_seed_copy_and_the_override(monkeypatch):
    from inference_container.weights.download import (
        AUTHORS_DRIVE_ID,
        SEED_COPY_DRIVE_ID,
        WEIGHTS_URL_ENV,
        weights_urls,
    )

    monkeypatch.delenv(WEIGHTS_URL_ENV, raising=False)
    first, second = weights_urls()
    assert AUTHORS_DRIVE_ID == "1XyumF6_fdAxFmxpFcmPf-q84LU_22EMC" and AUTHORS_DRIVE_ID in first
    assert SEED_COPY_DRIVE_ID in second
    monkeypatch.setenv(WEIGHTS_URL_ENV, "http://mirror.invalid/sam.pt")
    assert weights_urls() == ["http://mirror.invalid/sam.pt"]


def test_a_stopped_download_keeps_its_part_for_a_resume(tmp_path):
    import threading

    from inference_container.weights.download import DownloadStopped

    stop = threading.Event()

    def progress(done, total):
        if done >= 1 << 20:
            stop.set()

    with serve(FileServer(PAYLOAD)) as server, pytest.raises(DownloadStopped):
        download_weights(tmp_path / "w.pt", server.base_url + "/file", verify=same_bytes, progress=progress,
                         cancel=stop)
    assert 0 < (tmp_path / "w.pt.part").stat().st_size < len(PAYLOAD)
