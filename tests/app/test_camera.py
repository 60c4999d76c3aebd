"""The camera worker with files as cameras: stills, looping videos, a camera that disappears and returns."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from photobooth.workers.camera import CameraWorker, FrameSource, fit_size


def write_video(path, frames=5, size=(64, 48), fps=25):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    for index in range(frames):
        writer.write(np.full((size[1], size[0], 3), index * 40, np.uint8))
    writer.release()
    return path


def test_still_image_source(camera_file):
    source = FrameSource(str(camera_file))
    assert source.open() and source.paced
    frame = source.read()
    assert frame.shape == (512, 512, 3) and frame.dtype == np.uint8
    source.close()


def test_missing_or_broken_sources_do_not_open(tmp_path):
    assert not FrameSource(str(tmp_path / "nope.mp4")).open()
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not an image")
    assert not FrameSource(str(broken)).open()


def test_video_file_loops(tmp_path):
    source = FrameSource(str(write_video(tmp_path / "clip.avi", frames=3)))
    assert source.open()
    assert source.frame_interval == pytest.approx(1 / 25, rel=0.05)
    frames = [source.read() for _ in range(7)]
    assert all(frame is not None and frame.shape == (48, 64, 3) for frame in frames)
    source.close()


def test_fit_size_covers_the_box_without_upscaling():
    assert fit_size(1920, 1080, (960, 540)) == (960, 540)
    assert fit_size(640, 480, (1920, 1080)) == (640, 480)


def test_worker_delivers_mirrored_frames_and_captures_full_size_unmirrored(qtbot, camera_file):
    worker = CameraWorker(str(camera_file))
    worker.set_preview_box(256, 256)
    try:
        with qtbot.waitSignals([worker.back, worker.frame], timeout=5000):
            worker.start()
        photo = worker.capture()
        source = cv2.cvtColor(cv2.imread(str(camera_file)), cv2.COLOR_BGR2RGB)
        assert np.array_equal(photo, source)  # saved pictures are not mirrored: text in them reads right
        with qtbot.waitSignal(worker.frame, timeout=2000) as delivered:
            pass
        preview = delivered.args[0]
        assert preview.width() == 256
        small = cv2.resize(source, (256, 256), interpolation=cv2.INTER_AREA)
        left, right = small[128, 10].astype(int), small[128, 245].astype(int)
        shown = preview.pixelColor(10, 128)
        seen = np.array([shown.red(), shown.green(), shown.blue()])
        assert np.abs(seen - right).sum() < np.abs(seen - left).sum()  # the preview is the mirror image
    finally:
        worker.stop()
    assert not worker.isRunning()


def test_worker_reports_a_lost_camera_and_reconnects(qtbot, tmp_path, camera_file):
    path = tmp_path / "later.jpg"
    worker = CameraWorker(str(path), reconnect_seconds=0.05)
    try:
        with qtbot.waitSignal(worker.lost, timeout=3000):
            worker.start()
        assert worker.capture() is None
        with qtbot.waitSignal(worker.back, timeout=3000):
            path.write_bytes(camera_file.read_bytes())
        assert worker.connected
    finally:
        worker.stop()
