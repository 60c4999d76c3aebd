"""The weights downloader against a local server: whole, resumed, behind Drive's warning page, or refused."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from booth_core.errors import WeightsError
from inference_container.weights.download import confirm_url, download_weights
from tests.cli.weights_server import WARNING_PAGE, FileServer, serve

PAYLOAD = random.Random(3).randbytes(3 << 20)  # three chunks of the downloader's 1 MiB


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
    assert not (tmp_path / "w.pt.part").exists()
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
    assert list(tmp_path.iterdir()) == []


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
    assert list(tmp_path.iterdir()) == []


def test_plain_progress_without_tqdm(monkeypatch, capsys):
    import sys

    from inference_container.weights.progress import Progress

    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `from tqdm import tqdm` fail
    with Progress(total=1000, initial=0) as bar:
        for _ in range(10):
            bar.update(100)
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1].endswith("(100%)") and 2 <= len(lines) <= 21
