"""The booth deletes the pictures it saved itself once the consent line's retention period is over, and
nothing else; the period comes from the backend's /health when it says one."""

from __future__ import annotations

import json

from photobooth import retention
from photobooth.workers.files import FileWorker
from tests.app.fake_backend import FakeBackend
from tests.app.test_screens import _outcome

HOUR = 3600.0


def test_only_the_booths_own_files_past_retention_are_deleted(tmp_path):
    old_gif, old_jpg, new_gif = tmp_path / "old.gif", tmp_path / "old.jpg", tmp_path / "new.gif"
    staff_file = tmp_path / "staff-notes.jpg"  # not written by the booth: never touched
    for path in (old_gif, old_jpg, new_gif, staff_file):
        path.write_bytes(b"x")
    now = 1_000_000.0
    retention.record(tmp_path, (old_gif, old_jpg), now=now - 25 * HOUR)
    retention.record(tmp_path, (new_gif,), now=now - 1 * HOUR)
    assert retention.sweep(tmp_path, 24 * HOUR, now=now) == [old_gif, old_jpg]
    assert not old_gif.exists() and not old_jpg.exists() and new_gif.exists() and staff_file.exists()
    assert set(json.loads((tmp_path / retention.LEDGER_NAME).read_text())["files"]) == {"new.gif"}
    assert retention.sweep(tmp_path, 24 * HOUR, now=now + 24 * HOUR) == [new_gif]
    assert staff_file.exists()


def test_a_broken_or_hostile_ledger_deletes_nothing_outside_the_folder(tmp_path):
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(b"x")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / retention.LEDGER_NAME).write_text(json.dumps({"files": {"../outside.jpg": 0}}))
    assert retention.sweep(folder, 1, now=10_000) == []
    assert outside.exists()
    (folder / retention.LEDGER_NAME).write_text("{not json")
    assert retention.sweep(folder, 1, now=10_000) == []


def test_the_file_worker_records_what_it_saves_and_sweeps_it(qtbot, tmp_path):
    worker = FileWorker()
    with qtbot.waitSignal(worker.saved, timeout=20000) as saved:
        worker.save(1, _outcome(), str(tmp_path))
    gif, jpeg = saved.args[1:]
    assert retention.saved_today(tmp_path) == 1
    with qtbot.waitSignal(worker.swept, timeout=5000) as swept:
        worker.sweep(str(tmp_path), 3600.0)
    assert swept.args == [0]
    with qtbot.waitSignal(worker.swept, timeout=5000) as swept:
        worker.sweep(str(tmp_path), 0.0)  # retention over
    assert swept.args == [2]
    assert not any(path.suffix in (".gif", ".jpg") for path in tmp_path.iterdir())


def test_retention_follows_the_backends_health_then_the_config(qtbot, booth, fast_config):
    fast_config.backend.health_check_seconds = 0.1
    with FakeBackend("ok") as backend:
        window = booth(backend.base_url)
        assert window.retention_seconds() == fast_config.booth.retention_hours * HOUR
        backend.health["retention_hours"] = 2
        qtbot.waitUntil(lambda: window.retention_seconds() == 2 * HOUR, timeout=3000)
        window.attract.tapped.emit()
        qtbot.waitUntil(lambda: "2 hours" in window.preview.consent.text(), timeout=2000)
