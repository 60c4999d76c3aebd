"""Load test of the local job service: N jobs from M concurrent clients, the classic engine doing the work.

Each client uploads a photo, polls GET /jobs/{id} like the booth app (every --poll seconds) until the job
ends, then downloads and decodes every frame. Prints throughput, GET /jobs latency (p50/p95), job
turnaround, and lost or stuck jobs, which must be 0 (the exit status is 1 otherwise).

    .venv/bin/python bench/load_local.py --jobs 200 --clients 20 --output-size 256

`--hostile K` runs the same jobs twice on one server (with an API key): once alone, then beside K
slow-header clients (a header line every 0.5 s, never finished) and K keyless clients (a 10 MB body
declared and sent one byte short, then held). It prints both phases' p95s and their ratio, and what the
server holds afterwards: open connections, file descriptors and resident memory, against the start.

    .venv/bin/python bench/load_local.py --jobs 60 --clients 10 --hostile 20
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _default_photo() -> bytes:
    from skimage import data  # a dev dependency; pass --photo elsewhere

    buffer = io.BytesIO()
    Image.fromarray(data.astronaut()).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


class Client(threading.Thread):
    """Takes job numbers from the shared counter until all are handed out."""

    def __init__(self, base_url: str, photo: bytes, ages: str | None, args, ticket, results, lock, key=None):
        super().__init__(daemon=True)
        self.http = httpx.Client(base_url=base_url, timeout=30, headers={"x-api-key": key} if key else {})
        self.photo, self.ages, self.args = photo, ages, args
        self.ticket, self.results, self.lock = ticket, results, lock

    def run(self) -> None:
        try:
            while True:
                with self.lock:
                    if self.ticket[0] >= self.args.jobs:
                        return
                    self.ticket[0] += 1
                self.results.append(self.one_job())
        finally:
            self.http.close()  # its kept-alive connection is no server leak: do not count it as one

    def one_job(self) -> dict:
        job_id = str(uuid.uuid4())
        headers = {"Content-Type": "image/jpeg"}
        if self.ages:
            headers["X-Target-Ages"] = self.ages
        started = time.monotonic()
        put = self.http.put(f"/uploads/{job_id}", content=self.photo, headers=headers)
        outcome = {
            "job_id": job_id,
            "get_latencies": [],
            "status": None,
            "frames_ok": False,
            "upload": put.status_code,
        }
        if put.status_code != 202:
            outcome["status"] = "REFUSED"
            return outcome
        deadline = started + self.args.job_deadline
        while time.monotonic() < deadline:
            before = time.monotonic()
            reply = self.http.get(f"/jobs/{job_id}")
            outcome["get_latencies"].append(time.monotonic() - before)
            if reply.status_code == 404:
                outcome["status"] = "LOST"
                return outcome
            document = reply.json()
            if document["status"] in ("SUCCESS", "FAILED"):
                outcome["status"] = document["status"]
                outcome["turnaround"] = time.monotonic() - started
                if document["status"] == "SUCCESS":
                    outcome["frames_ok"] = all(self._frame_ok(frame["url"]) for frame in document["frames"])
                else:
                    outcome["error"] = document["error"]["code"]
                return outcome
            time.sleep(self.args.poll)
        outcome["status"] = "STUCK"
        return outcome

    def _frame_ok(self, url: str) -> bool:
        reply = self.http.get(url)
        if reply.status_code != 200:
            return False
        image = Image.open(io.BytesIO(reply.content))
        image.load()
        return image.format == "JPEG"


class SlowHeaderClient(threading.Thread):
    """Sends one header line every 0.5 s and never ends its headers; reconnects whenever it is closed."""

    def __init__(self, port: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.port, self.stop, self.closed = port, stop, 0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
                    while not self.stop.wait(0.5):
                        sock.sendall(b"X-Slow: 1\r\n")
                        if _closed(sock):
                            self.closed += 1
                            break
            except OSError:
                self.closed += 1


class KeylessBodyClient(threading.Thread):
    """Declares a 10 MB body without a key, sends all of it but one byte, and holds the connection."""

    def __init__(self, port: int, stop: threading.Event, body: bytes):
        super().__init__(daemon=True)
        self.port, self.stop, self.body, self.closed, self.refused = port, stop, body, 0, 0

    def run(self) -> None:
        declared = len(self.body) + 1
        while not self.stop.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                    sock.sendall(
                        f"PUT /uploads/{uuid.uuid4()} HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                        f"Content-Length: {declared}\r\n\r\n".encode()
                    )
                    sock.sendall(self.body)
                    answer = sock.recv(64)
                    self.refused += answer.startswith(b"HTTP/1.1 403")
                    while not self.stop.wait(0.25):
                        if _closed(sock):
                            self.closed += 1
                            break
            except OSError:
                self.closed += 1


def _closed(sock: socket.socket) -> bool:
    """True once the server has closed (EOF or reset); never blocks."""
    sock.setblocking(False)
    try:
        return sock.recv(65536) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


def _process_state() -> dict:
    """What this process holds: resident memory (MB) and open file descriptors (Linux /proc)."""
    rss_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS"))
    return {"rss_mb": rss_kb / 1024, "fds": len(os.listdir("/proc/self/fd"))}


def run_phase(server, photo: bytes, args, key: str | None) -> tuple[list[dict], float]:
    """All `args.jobs` jobs from `args.clients` clients; returns their outcomes and the wall time."""
    results: list[dict] = []
    ticket, lock = [0], threading.Lock()
    started = time.monotonic()
    clients = [
        Client(server.base_url, photo, args.ages, args, ticket, results, lock, key)
        for _ in range(args.clients)
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    return results, time.monotonic() - started


def report(name: str, results: list[dict], elapsed: float, args, unfinished: int) -> dict:
    """Print one phase's figures; returns the p95s and whether anything was lost, stuck or broken."""
    statuses = Counter(result["status"] for result in results)
    latencies = [latency for result in results for latency in result["get_latencies"]]
    turnaround = [result["turnaround"] for result in results if "turnaround" in result]
    bad_frames = sum(1 for result in results if result["status"] == "SUCCESS" and not result["frames_ok"])
    lost = statuses["LOST"] + statuses["REFUSED"] + (args.jobs - len(results))
    stuck = statuses["STUCK"] + unfinished
    print(f"--- {name}")
    print(f"wall time {elapsed:.1f} s, throughput {len(turnaround) / elapsed:.2f} jobs/s")
    print(
        f"GET /jobs latency: p50 {1000 * _percentile(latencies, 0.5):.1f} ms, "
        f"p95 {1000 * _percentile(latencies, 0.95):.1f} ms over {len(latencies)} requests"
    )
    if turnaround:
        print(
            f"job turnaround (upload to final status): p50 {_percentile(turnaround, 0.5):.1f} s, "
            f"p95 {_percentile(turnaround, 0.95):.1f} s, mean {statistics.mean(turnaround):.1f} s"
        )
    print(
        f"statuses {dict(statuses)}; failed codes "
        f"{dict(Counter(r.get('error') for r in results if r['status'] == 'FAILED'))}"
    )
    print(f"lost jobs {lost}, stuck jobs {stuck}, successes with undecodable frames {bad_frames}")
    return {
        "get_p95": _percentile(latencies, 0.95),
        "turnaround_p95": _percentile(turnaround, 0.95),
        "ok": lost == 0 and stuck == 0 and bad_frames == 0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--output-size", type=int, default=256, help="classic engine frame size in pixels")
    parser.add_argument(
        "--ages", default=None, help="X-Target-Ages for every job (default: the server's 4 ages)"
    )
    parser.add_argument("--workers", type=int, default=1, help="the server's inference workers")
    parser.add_argument("--poll", type=float, default=0.25, help="seconds between a client's polls")
    parser.add_argument("--job-timeout", type=float, default=600, help="the server's job timeout")
    parser.add_argument(
        "--job-deadline", type=float, default=900, help="a client calls a job stuck after this"
    )
    parser.add_argument(
        "--photo", type=Path, default=None, help="JPEG to upload (default: skimage's astronaut)"
    )
    parser.add_argument(
        "--hostile", type=int, default=0, help="slow-header and keyless clients of each kind (0: none)"
    )
    args = parser.parse_args(argv)

    from booth_core.http_server import BODY_TIMEOUT_S
    from booth_core.limits import MAX_UPLOAD_BYTES
    from inference_container.classic import ClassicEngine
    from job_service.local import start_local_server

    photo = args.photo.read_bytes() if args.photo else _default_photo()
    engine = ClassicEngine(output_size=args.output_size)
    key = "bench-key" if args.hostile else None
    print(
        f"jobs {args.jobs}, clients {args.clients}, workers {args.workers}, classic engine {args.output_size} px, "
        f"ages {args.ages or 'server default (4)'}, hostile clients {2 * args.hostile}"
    )
    figures = []
    with tempfile.TemporaryDirectory() as data_dir:
        with start_local_server(
            data_dir=data_dir, engine_instance=engine, workers=args.workers, job_timeout=args.job_timeout,
            api_key=key,
        ) as server:  # fmt: skip
            engine.age(Image.open(io.BytesIO(photo)), ages=(30,))  # warm up the landmark detector once
            results, elapsed = run_phase(server, photo, args, key)
            figures.append(report("alone", results, elapsed, args, len(server.table.unfinished())))
            if args.hostile:
                before = _process_state()
                stop = threading.Event()
                body = b"\xff" * (MAX_UPLOAD_BYTES - 1)
                hostiles = [SlowHeaderClient(server.port, stop) for _ in range(args.hostile)]
                hostiles += [KeylessBodyClient(server.port, stop, body) for _ in range(args.hostile)]
                for hostile in hostiles:
                    hostile.start()
                results, elapsed = run_phase(server, photo, args, key)
                during = _process_state()
                figures.append(
                    report("beside hostile clients", results, elapsed, args, len(server.table.unfinished()))
                )
                stop.set()
                for hostile in hostiles:
                    hostile.join()
                slow, keyless = hostiles[: args.hostile], hostiles[args.hostile :]
                deadline = time.monotonic() + BODY_TIMEOUT_S + 5
                while server._server.server_state.connections and time.monotonic() < deadline:
                    time.sleep(0.2)  # the hostiles have hung up; the server drops its side on its own
                after = _process_state()
                print(
                    f"hostile: slow-header connections closed by the server {sum(c.closed for c in slow)}, "
                    f"keyless uploads answered 403 before their body {sum(c.refused for c in keyless)}"
                )
                print(
                    f"server connections left open {len(server._server.server_state.connections)}; "
                    f"fds {before['fds']} -> {during['fds']} (during) -> {after['fds']}; "
                    f"RSS {before['rss_mb']:.0f} -> {during['rss_mb']:.0f} (during) -> {after['rss_mb']:.0f} MB"
                )
                print(
                    f"p95 beside hostile clients / alone: GET /jobs "
                    f"{figures[1]['get_p95'] / figures[0]['get_p95']:.2f}x, "
                    f"turnaround {figures[1]['turnaround_p95'] / figures[0]['turnaround_p95']:.2f}x"
                )
    return 0 if all(figure["ok"] for figure in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
