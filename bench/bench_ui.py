"""UI benchmark for the kiosk app: the longest UI-thread stall during a full flow, and the preview frame rate.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_ui.py [--size 1920x1080] [--seconds 5]
        [--soak 200 --kill-every 50] [--skip-flow]

1. Stall: a 5 ms heartbeat timer runs on the UI thread while the booth goes attract -> preview ->
   countdown -> review -> processing (in-process local job service, classic engine) -> result -> attract.
   A stall is a heartbeat arriving late; the longest one is reported (target < 50 ms).
2. Preview rate: a 1080p 30 fps video made with OpenCV in a temp dir is the camera; the preview screen
   is shown for a few seconds and the frames painted per second are counted (target >= 25 fps).
3. Soak (--soak N, optional): N attendees in a row through the local service in its child process,
   killed before every K-th (--kill-every K); reports results and errors, restart times, and this
   process's memory and threads after 3 attendees and at the end (flat: the growth fraction stays small).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from photobooth.app import BoothWindow  # noqa: E402
from photobooth.config import BackendConfig, BoothConfig, Config  # noqa: E402
from photobooth.state import State  # noqa: E402
from tests.app.service_log import StartedServices  # noqa: E402


class Heartbeat:
    """Measures how late a 5 ms UI-thread timer fires; lateness is time the UI thread was busy."""

    def __init__(self, interval_ms: int = 5, where=lambda: "") -> None:
        self.interval = interval_ms
        self.where = where  # names what the booth was doing, for the worst stalls
        self.gaps: list[float] = []
        self.worst: list[tuple[float, str]] = []
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._beat)

    def start(self) -> None:
        self.gaps.clear()
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _beat(self) -> None:
        gap = self._clock.restart() - self.interval
        self.gaps.append(gap)
        if gap > 20:
            self.worst = sorted([*self.worst, (gap, self.where())], reverse=True)[:5]

    def summary(self) -> dict:
        gaps = np.array(self.gaps or [0.0])
        return {
            "max_stall_ms": float(gaps.max()),
            "p99_stall_ms": float(np.percentile(gaps, 99)),
            "beats": len(gaps),
            "worst_stalls": [f"{gap:.0f} ms after {where}" for gap, where in self.worst],
        }


def wait(app: QApplication, condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if condition():
            return True
        time.sleep(0.002)
    return False


def portrait_photo(path: Path) -> Path:
    from skimage import data

    cv2.imwrite(str(path), cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))
    return path


def make_video(path: Path, seconds: float = 4, fps: int = 30, size=(1920, 1080)) -> Path:
    """A 1080p clip: a moving gradient with a circle, MJPG so every OpenCV build can write and read it."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    ramp = np.tile(np.linspace(0, 255, size[0], dtype=np.uint8), (size[1], 1))
    for index in range(int(seconds * fps)):
        frame = np.dstack([np.roll(ramp, index * 8, axis=1), ramp[:, ::-1], np.full_like(ramp, 90)])
        cv2.circle(frame, (size[0] // 2 + index * 4 % 400, size[1] // 2), 200, (240, 200, 180), -1)
        writer.write(frame)
    writer.release()
    return path


def config_for(tmp: Path, camera: Path) -> Config:
    backend = BackendConfig(local_output_size=512, local_data_dir=str(tmp / "jobs"))
    booth = BoothConfig(
        camera=str(camera),
        countdown_seconds=3,
        review_seconds=1.0,
        idle_timeout_seconds=2.0,
        output_dir=str(tmp / "out"),
    )
    return Config(backend=backend, booth=booth, path=tmp / "booth.toml")


def bench_flow(app: QApplication, tmp: Path, size) -> dict:
    window = BoothWindow(config_for(tmp, portrait_photo(tmp / "photo.jpg")))
    window.resize(*size)
    window.show()
    window.start()
    try:
        assert wait(app, lambda: window.backend_url and window.camera_ok, 60), (
            "backend or camera did not start"
        )
        import httpx

        def engine_ready() -> bool:  # the engine loads in the background; the first attendee comes later
            return httpx.get(f"{window.backend_url}/health", timeout=2).json().get("ready", True)

        assert wait(app, engine_ready, 120), "the engine did not load"
        heartbeat = Heartbeat(where=lambda: f"{window.machine.state.value}/{window.processing.stage}")
        heartbeat.start()
        started = time.monotonic()
        window.attract.tapped.emit()
        wait(app, lambda: window.preview.camera.has_frame, 10)
        wait(app, lambda: False, 0.5)
        window.preview.start_button.click()
        ok = wait(app, lambda: window.machine.state in (State.RESULT, State.ERROR), 120)
        result_state = window.machine.state.value
        wait(app, lambda: window.saved_paths is not None, 30)
        wait(app, lambda: window.machine.state is State.ATTRACT, 10)
        heartbeat.stop()
        return {
            "flow_ok": ok and result_state == "result",
            "flow_seconds": round(time.monotonic() - started, 2),
            **{
                key: round(value, 1) if isinstance(value, float) else value
                for key, value in heartbeat.summary().items()
            },
        }
    finally:
        window.shutdown()
        window.deleteLater()


def bench_preview(app: QApplication, tmp: Path, size, seconds: float) -> dict:
    video = make_video(tmp / "clip-1080p.avi")
    config = config_for(tmp, video)
    config.booth.idle_timeout_seconds = 600  # stay on the preview while measuring
    window = BoothWindow(config)
    window.resize(*size)
    window.show()
    window.start()
    try:
        assert wait(app, lambda: window.camera_ok, 20), "the video camera did not start"
        window.attract.tapped.emit()
        wait(app, lambda: window.preview.camera.has_frame, 10)
        wait(app, lambda: False, 0.5)
        heartbeat = Heartbeat()
        heartbeat.start()
        painted, delivered = window.preview.camera.frames_painted, window.camera.frames_delivered
        started = time.monotonic()
        wait(app, lambda: False, seconds)
        elapsed = time.monotonic() - started
        heartbeat.stop()
        return {
            "preview_fps_painted": round((window.preview.camera.frames_painted - painted) / elapsed, 1),
            "preview_fps_delivered": round((window.camera.frames_delivered - delivered) / elapsed, 1),
            "preview_max_stall_ms": round(heartbeat.summary()["max_stall_ms"], 1),
        }
    finally:
        window.shutdown()
        window.deleteLater()


def process_stats() -> dict:
    """Resident memory (MiB) and native thread count of this process (Linux /proc)."""
    status = Path("/proc/self/status").read_text()
    rss_kib = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
    return {"rss_mib": round(rss_kib / 1024, 1), "threads": len(list(Path("/proc/self/task").iterdir()))}


def bench_soak(app: QApplication, tmp: Path, size, flows: int, kill_every: int = 0) -> dict:
    """Many attendees in a row: memory and threads must level off, not grow with every job. With
    `kill_every` K, the local job service is killed (SIGKILL, as a crash) before every K-th attendee;
    the booth must restart it by itself and the attendees after it must get their pictures."""
    config = config_for(tmp, portrait_photo(tmp / "soak.jpg"))
    config.backend.local_output_size = 256
    config.booth.countdown_seconds, config.booth.review_seconds = 1, 0.2
    with StartedServices() as services:
        window = BoothWindow(config, countdown_tick_ms=50)
        window.resize(*size)
        window.show()
        window.start()
        samples = []
        try:
            assert wait(app, lambda: window.backend_url and window.camera_ok, 60)
            outcomes = {"result": 0, "error": 0}
            kills, restart_s = 0, []
            for number in range(flows):
                if kill_every and number and number % kill_every == 0:
                    restarts = window.backend_restarts
                    os.kill(services.current, signal.SIGKILL)  # the pid the booth logged
                    kills += 1
                    began = time.monotonic()
                    assert wait(
                        app, lambda before=restarts: window.backend_restarts > before and window.backend_up, 120
                    )
                    restart_s.append(round(time.monotonic() - began, 2))
                    assert wait(app, lambda: window.machine.state is State.ATTRACT, 30)
                window.attract.tapped.emit()
                wait(app, lambda: window.preview.camera.has_frame, 10)
                window.preview.start_button.click()
                assert wait(app, lambda: window.machine.state in (State.RESULT, State.ERROR), 120)
                if window.machine.state is State.RESULT:
                    outcomes["result"] += 1
                    wait(app, lambda: window.saved_paths is not None, 30)
                    window.result.done_button.click()
                else:
                    outcomes["error"] += 1
                assert wait(app, lambda: window.machine.state is State.ATTRACT, 30)
                wait(app, lambda: False, 0.5)  # past the tap guard of the screen change
                samples.append(process_stats())
                if (number + 1) % 25 == 0:  # progress on stderr, so a long soak shows where it is
                    progress = {"flow": number + 1, **outcomes, "kills": kills, **samples[-1]}
                    print(json.dumps(progress), file=sys.stderr, flush=True)
        finally:
            window.shutdown()
            window.deleteLater()
    first, last = samples[min(2, len(samples) - 1)], samples[-1]
    return {
        "soak_flows": flows,
        "soak_rss_mib_after_3": first["rss_mib"],
        "soak_rss_mib_end": last["rss_mib"],
        "soak_threads_after_3": first["threads"],
        "soak_threads_end": last["threads"],
        "soak_results": outcomes["result"],
        "soak_errors": outcomes["error"],
        "soak_service_kills": kills,
        "soak_restart_seconds": restart_s,
        "soak_rss_growth_fraction": round(last["rss_mib"] / first["rss_mib"] - 1, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--soak", type=int, default=0, metavar="N", help="also run N flows in a row (memory, threads)"
    )
    parser.add_argument(
        "--kill-every",
        type=int,
        default=0,
        metavar="K",
        help="during the soak, kill the local job service before every K-th attendee (e.g. --soak 200 --kill-every 50)",
    )
    parser.add_argument("--skip-flow", action="store_true", help="only the soak (with --soak)")
    args = parser.parse_args()
    size = tuple(int(part) for part in args.size.split("x"))
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        report = {"size": args.size, "cpu_count": os.cpu_count()}
        if not args.skip_flow:
            report.update(bench_flow(app, tmp, size))
            report.update(bench_preview(app, tmp, size, args.seconds))
        if args.soak:
            report.update(bench_soak(app, tmp, size, args.soak, args.kill_every))
    if not args.skip_flow:
        report["stall_target_met"] = report["max_stall_ms"] < 50
        report["fps_target_met"] = report["preview_fps_painted"] >= 25
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
