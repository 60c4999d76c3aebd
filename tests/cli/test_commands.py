"""`time-traveler age` and `time-traveler weights` end to end through cli.main, errors included."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inference_container.cli import main
from tests.cli.weights_server import FileServer, serve
from tests.conftest import image_bytes


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory) -> Path:
    """A small random SAM checkpoint in the released format (the model package's own test helper)."""
    from inference_container.sam import save_random_checkpoint

    return save_random_checkpoint(
        tmp_path_factory.mktemp("weights") / "small.pt", output_size=64, seed=0, small=True
    )


@pytest.fixture
def photo(tmp_path, astronaut) -> Path:
    path = tmp_path / "astronaut.jpg"
    path.write_bytes(image_bytes(astronaut, "JPEG"))
    return path


@pytest.fixture(autouse=True)
def no_installed_weights(tmp_path, monkeypatch):
    """Tests never see a real checkpoint from the developer's cache or environment."""
    monkeypatch.delenv("TIME_TRAVELER_WEIGHTS", raising=False)
    monkeypatch.setenv("TIME_TRAVELER_CACHE", str(tmp_path / "cache"))


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.slow
def test_age_with_the_classic_engine_writes_strip_and_gif(photo, tmp_path, capsys):
    strip, gif = tmp_path / "out" / "strip.jpg", tmp_path / "out" / "anim.gif"
    code = main(
        ["age", str(photo), "--engine", "classic", "--ages", "30,70", "-o", str(strip), "--gif", str(gif)]
    )
    out = capsys.readouterr().out
    assert code == 0
    with Image.open(strip) as image:
        assert image.format == "JPEG" and image.width == 3 * 256 + 4 * 16
    with Image.open(gif) as animation:
        assert animation.n_frames == 2
    assert "classic engine, ages 30, 70" in out
    assert "apparent age of the sitter: " in out
    timings = out.split("timings: ")[1]
    for step in ("load", "align", "write", "total"):
        assert f"{step} " in timings
    assert "apparent" not in timings  # an age is not a duration


@pytest.mark.slow
def test_age_with_sam_and_a_small_random_checkpoint(photo, checkpoint, tmp_path, capsys):
    strip = tmp_path / "strip.png"
    code = main(
        ["age", str(photo), "--engine", "sam", "--weights", str(checkpoint), "--ages", "40", "-o", str(strip)]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "sam engine, ages 40" in out
    with Image.open(strip) as image:
        assert image.width == 2 * 256 + 3 * 16


@pytest.mark.slow
def test_auto_picks_sam_from_the_environment(photo, checkpoint, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TIME_TRAVELER_WEIGHTS", str(checkpoint))
    assert main(["age", str(photo), "--ages", "50", "-o", str(tmp_path / "s.jpg")]) == 0
    assert "sam engine" in capsys.readouterr().out


def test_corrupt_photo(tmp_path, capsys):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + random.Random(200).randbytes(200))
    assert main(["age", str(broken), "--engine", "classic", "-o", str(tmp_path / "s.jpg")]) != 0
    assert "damaged" in one_line_error(capsys)
    assert not (tmp_path / "s.jpg").exists()


def test_missing_photo(tmp_path, capsys):
    assert (
        main(["age", str(tmp_path / "nope.jpg"), "--engine", "classic", "-o", str(tmp_path / "s.jpg")]) != 0
    )
    assert "Could not read the photo" in one_line_error(capsys)


def test_photo_without_a_face(faceless, tmp_path, capsys):
    path = tmp_path / "wall.png"
    path.write_bytes(image_bytes(faceless, "PNG"))
    assert main(["age", str(path), "--engine", "classic", "-o", str(tmp_path / "s.jpg")]) != 0
    assert "face" in one_line_error(capsys)


def test_missing_weights(photo, tmp_path, capsys):
    assert main(["age", str(photo), "--engine", "sam", "-o", str(tmp_path / "s.jpg")]) != 0
    assert "weights download" in one_line_error(capsys)
    assert main(["age", str(photo), "--weights", str(tmp_path / "x.pt"), "-o", str(tmp_path / "s.jpg")]) != 0
    assert "No weights file" in one_line_error(capsys)


@pytest.mark.parametrize("ages", ["", "25,,35", "101", "ten", "-5"])
def test_bad_ages_are_a_usage_error(photo, tmp_path, capsys, ages):
    with pytest.raises(SystemExit) as exited:
        main(["age", str(photo), "--ages", ages, "-o", str(tmp_path / "s.jpg")])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "--ages" in err and "Traceback" not in err


@pytest.mark.slow
def test_weights_check_prints_the_sha256(checkpoint, capsys):
    assert main(["weights", "check", str(checkpoint)]) == 0
    out = capsys.readouterr().out
    assert "valid SAM checkpoint" in out
    assert f"SHA-256: {hashlib.sha256(checkpoint.read_bytes()).hexdigest()}" in out


def test_weights_check_refuses_other_files(tmp_path, capsys):
    junk = tmp_path / "junk.pt"
    junk.write_bytes(random.Random(4096).randbytes(4096))
    assert main(["weights", "check", str(junk)]) != 0
    assert "junk.pt" in one_line_error(capsys)
    assert main(["weights", "check", str(tmp_path / "absent.pt")]) != 0
    one_line_error(capsys)


@pytest.mark.slow
def test_weights_download_keeps_a_valid_checkpoint(checkpoint, tmp_path, capsys):
    dest = tmp_path / "cache" / "sam.pt"
    with serve(FileServer(checkpoint.read_bytes())) as server:
        code = main(["weights", "download", "--quiet", "--dest", str(dest), "--url", server.base_url + "/w"])
    assert code == 0
    assert dest.read_bytes() == checkpoint.read_bytes()
    assert "verified" in capsys.readouterr().out


def test_weights_download_refuses_and_removes_an_invalid_file(tmp_path, capsys):
    dest = tmp_path / "cache" / "sam.pt"
    with serve(FileServer(random.Random(100).randbytes(100_000))) as server:
        code = main(["weights", "download", "--quiet", "--dest", str(dest), "--url", server.base_url + "/w"])
    assert code != 0
    one_line_error(capsys)
    assert [p.name for p in dest.parent.iterdir()] == ["sam.pt.lock"]  # the lock file only, kept on purpose


@pytest.mark.slow
def test_weights_download_defaults_to_the_cache(checkpoint, tmp_path, capsys):
    with serve(FileServer(checkpoint.read_bytes())) as server:
        assert main(["weights", "download", "--quiet", "--url", server.base_url + "/w"]) == 0
    from inference_container.weights import find_weights

    assert find_weights() == tmp_path / "cache" / "sam_ffhq_aging.pt"


def test_long_library_messages_are_cut_to_one_readable_line():
    from inference_container.commands.messages import one_line

    assert one_line("No face\nfound") == "No face found"
    wordy = "The file x.pt cannot be read as a checkpoint (" + "torch explains at length. " * 20 + ")"
    assert one_line(wordy) == "The file x.pt cannot be read as a checkpoint."
    assert len(one_line("word " * 100)) == 200


@pytest.mark.slow
def test_age_writes_photo_frames_and_a_report_for_every_face(checkpoint, tmp_path, capsys, astronaut, grace_hopper):
    """A two-person photo (the package portraits side by side): both faces in the report, frames the photo."""
    import json

    group = Image.new("RGB", (1044, 600), (128, 128, 128))
    group.paste(astronaut, (0, 44))
    group.paste(grace_hopper, (532, 0))
    photo = tmp_path / "group.jpg"
    group.save(photo, quality=95)
    frames, report = tmp_path / "frames", tmp_path / "report.json"
    code = main(["age", str(photo), "--engine", "sam", "--weights", str(checkpoint), "--precision", "fp32",
                 "--ages", "20,70", "--frames-dir", str(frames), "--report", str(report)])
    assert code == 0, capsys.readouterr()
    assert "2 faces" in capsys.readouterr().out
    assert sorted(p.name for p in frames.iterdir()) == ["0.png", "1.png", "2.png"]
    for index in range(3):
        with Image.open(frames / f"{index}.png") as image:
            assert image.size == (1044, 600)
    data = json.loads(report.read_text())
    assert data["engine"] == "sam" and data["precision"] == "fp32" and data["ages"] == [20, 70]
    assert data["layout"] == "photo" and data["frame_size"] == [1044, 600]
    assert {"align_s", "encode_s", "generate_s", "compose_s", "load_s"} <= set(data["timings"])
    assert len(data["faces"]) == 2
    for face in data["faces"]:
        x0, y0, x1, y1 = face["box"]
        quad = np.array(face["quad"])
        assert x1 > x0 and y1 > y0 and quad.shape == (4, 2) and face["score"] > 0
        # the original code's corner order: c-x-y, c-x+y, c+x+y, c+x-y (an upright face: TL, BL, BR, TR)
        assert quad[0, 1] < quad[1, 1] and quad[2, 0] > quad[1, 0] and quad[3, 1] < quad[2, 1]
    centres = sorted((f["box"][0] + f["box"][2]) / 2 for f in data["faces"])
    assert centres[0] < 300 < 600 < centres[1]  # the astronaut on the left, Grace Hopper on the right


def test_age_aligned_layout_writes_the_main_face_crops(photo, checkpoint, tmp_path, capsys):
    frames = tmp_path / "frames"
    code = main(["age", str(photo), "--engine", "sam", "--weights", str(checkpoint), "--precision", "fp32",
                 "--ages", "30", "--layout", "aligned", "--frames-dir", str(frames)])
    assert code == 0, capsys.readouterr()
    with Image.open(frames / "0.png") as original, Image.open(frames / "1.png") as aged:
        assert original.size == (256, 256) and aged.size == (64, 64)


def test_emulated_precision_is_refused_in_one_line(photo, checkpoint, tmp_path, capsys, monkeypatch):
    from inference_container.sam import precision

    monkeypatch.setattr(precision, "cpu_flags", lambda text=None: {"avx2"})
    code = main(["age", str(photo), "--engine", "sam", "--weights", str(checkpoint), "--precision", "bf16",
                 "-o", str(tmp_path / "x.jpg")])
    assert code == 2
    assert "bf16 is only emulated" in one_line_error(capsys)
