"""Benchmark: the naive way to run SAM against our fast engine, fp32 and bf16/auto, on one photo.

Builds a random full-size checkpoint in the released format (or uses --checkpoint), then times, alternating
and after a warm-up, (a) naive: per age, fp32, batch 1, the pretrained encoder every time; (b) FastSam fp32;
(c) FastSam in --precision (auto = bf16 on AMX / AVX512-BF16 CPUs), both set up as SamEngine.load does them
(torch.compile where compile="auto" turns it on, warmed up as part of the load; freed memory kept for the
process). The naive path runs in a child process, with a fresh process's allocator. Prints load and compile
times, memory, achieved TFLOP/s against a GEMM peak measured in the same run, PSNR of the fast frames against
the naive fp32 frames. Then whole photos through SamEngine.age (the photo layout: find, align, SAM, paste back)
with 1 face and with 4 faces (package portraits pasted 2x2): seconds per photo, the compositor's share of the
engine's time (target < 10 %), and the fraction of the GEMM peak the network reached in those runs.
Last line: `speedup_fp32=X speedup_bf16=Y psnr_bf16=Z photo_1face_s=A photo_4faces_s=B compose_share=C`.

    .venv/bin/python bench/bench_engine.py                 # full size (2.3 GB temp checkpoint, a few minutes)
    .venv/bin/python bench/bench_engine.py --checkpoint /tmp/sam_random.pt   # reuse (written there if absent)
    .venv/bin/python bench/bench_engine.py --size 256 --repeats 2 --small   # a quick smoke run
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from booth_core.ages import DEFAULT_AGES, parse_ages  # noqa: E402
from inference_container.engine.sam_engine import SamEngine  # noqa: E402
from inference_container.sam import load_checkpoint, save_random_checkpoint  # noqa: E402
from inference_container.sam.fast import FastSam, compile_by_default  # noqa: E402
from inference_container.sam.images import image_to_tensor, tensor_to_image  # noqa: E402
from inference_container.sam.memory import keep_freed_memory, release_freed_memory  # noqa: E402
from inference_container.sam.precision import precision_name, resolve_precision  # noqa: E402


def status_kb(field: str) -> int:
    """A VmRSS/VmHWM line of /proc/self/status, in kB (0 where there is no /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def reset_peak() -> None:
    """Reset VmHWM to the current RSS (Linux: clear_refs 5), so a later VmHWM is this step's peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def gemm_peak(dtype: torch.dtype, device: str, n: int = 2048, rounds: int = 5) -> float:
    """Best achieved TFLOP/s of an n x n matmul."""
    a = torch.randn(n, n, dtype=dtype, device=device)
    b = torch.randn(n, n, dtype=dtype, device=device)
    best = 0.0
    for _ in range(rounds):
        sync(device)
        start = time.perf_counter()
        a @ b
        sync(device)
        best = max(best, 2 * n**3 / (time.perf_counter() - start) / 1e12)
    return best


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def test_photo(device: str) -> torch.Tensor:
    """scikit-image's astronaut, cropped to her face and resized to 256 (a smooth fallback without skimage)."""
    try:
        from PIL import Image
        from skimage import data

        image = Image.fromarray(data.astronaut()).crop((130, 10, 350, 230))
        return image_to_tensor(image).to(device)
    except ImportError:
        coarse = torch.rand(1, 3, 8, 8, generator=torch.Generator().manual_seed(0)) * 2 - 1
        return torch.nn.functional.interpolate(coarse, size=(256, 256), mode="bilinear").to(device)


def naive_run(model, rgb, ages) -> torch.Tensor:
    """What the original scripts do: one forward per age, batch 1, everything recomputed."""
    with torch.inference_mode():
        outs = [model(torch.cat([rgb, torch.full_like(rgb[:, :1], age / 100)], 1)) for age in ages]
    return torch.cat(outs).float()


def frames_uint8(images: torch.Tensor) -> np.ndarray:
    return np.stack([np.asarray(tensor_to_image(image)) for image in images.cpu()])


def psnr_uint8(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def weight_bytes(model) -> int:
    return sum(t.numel() * t.element_size() for t in [*model.parameters(), *model.buffers()])


def timed(run, device: str):
    """(seconds, activation peak in GB) of one call."""
    reset_peak()
    rss = status_kb("VmRSS")
    sync(device)
    start = time.perf_counter()
    run()
    sync(device)
    return time.perf_counter() - start, max(0, status_kb("VmHWM") - rss) / 1e6


def activation_peak(run, device: str, keeps_memory: bool) -> float:
    """GB one call needs above what is resident before it. Where freed memory is kept, the kept memory is handed
    back first (and kept again from there), so the call's own peak shows instead of a reused heap."""
    if keeps_memory:
        release_freed_memory()
        keep_freed_memory()
    return timed(run, device)[1]


class LocalPath:
    """A fast path in this process (set up as SamEngine.load does it)."""

    def __init__(self, run, model, device, keeps_memory):
        self.run_once, self.weights, self.device = run, weight_bytes(model), device
        self.keeps_memory = keeps_memory

    def peak(self):
        return activation_peak(self.run_once, self.device, self.keeps_memory)

    def first(self):
        """Warm-up run: (frames, FLOPs). Eager while counting: dynamo cannot trace under FlopCounterMode, and a
        compiled function it gave up on once would stay eager for the rest of the run (measured: +0.15 s)."""
        with torch.compiler.set_stance("force_eager"), FlopCounterMode(display=False) as counter:
            frames = frames_uint8(self.run_once())
        return frames, counter.get_total_flops()

    def run(self):
        return timed(self.run_once, self.device)

    def close(self):
        pass


def naive_worker(conn, path: str, ages, device: str, keep_memory: bool, threads: int | None) -> None:
    """The naive path's own process: loads the model as released and answers first / run / stop."""
    if threads:
        torch.set_num_threads(threads)
    if keep_memory:
        keep_freed_memory()
    model = load_checkpoint(path, device=device, precision="fp32")  # as released, memory-mapped
    rgb = test_photo(device)
    conn.send(weight_bytes(model))
    while (command := conn.recv()) != "stop":
        if command == "first":
            with FlopCounterMode(display=False) as counter:
                frames = frames_uint8(naive_run(model, rgb, ages))
            conn.send((frames, counter.get_total_flops()))
        elif command == "peak":
            conn.send(activation_peak(lambda: naive_run(model, rgb, ages), device, keep_memory))
        else:
            conn.send(timed(lambda: naive_run(model, rgb, ages), device))


class NaivePath:
    """The naive path in a child process, so that it runs with a fresh process's allocator (glibc's defaults,
    its dynamic mmap threshold intact) however this process has set its own (SamEngine.load keeps freed memory)."""

    def __init__(self, path, ages, device, keep_memory=False, threads=None):
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=naive_worker, daemon=True,
                                       args=(child, str(path), tuple(ages), device, keep_memory, threads))
        self.process.start()
        self.weights = self.conn.recv()

    def first(self):
        self.conn.send("first")
        return self.conn.recv()

    def run(self):
        self.conn.send("run")
        return self.conn.recv()

    def peak(self):
        self.conn.send("peak")
        return self.conn.recv()

    def close(self):
        self.conn.send("stop")
        self.process.join(60)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1024, help="generator output size (released: 1024)")
    parser.add_argument("--small", action="store_true", help="a small-width test architecture (quick runs)")
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds per path (median reported)")
    parser.add_argument("--ages", default=",".join(map(str, DEFAULT_AGES)))
    parser.add_argument("--precision", default="auto", help="the reduced-precision path: auto, bf16, fp16")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--checkpoint", type=Path,
                        help="use this checkpoint (a random one is written there first if it does not exist)")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: torch's choice)")
    parser.add_argument("--no-compile", action="store_true", help="no torch.compile for the fast paths")
    parser.add_argument("--default-malloc", action="store_true",
                        help="fast paths with glibc's default allocator (no inference_container.sam.memory)")
    parser.add_argument("--naive-kept", action="store_true",
                        help="also time the naive path with freed memory kept (the allocator's share)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    ages = parse_ages(args.ages)
    device = args.device
    low = resolve_precision(args.precision, device, allow_emulated=True)  # a bench may measure emulation
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {device}, "
          f"cpu capability {torch.backends.cpu.get_cpu_capability()}, ages {list(ages)}")

    with tempfile.TemporaryDirectory() as tmp:
        path = args.checkpoint
        if path is None or not path.exists():  # a given path that does not exist yet is written and kept
            start = time.perf_counter()
            path = save_random_checkpoint(path or Path(tmp) / "sam_random.pt", output_size=args.size,
                                          small=args.small)
            print(f"wrote random checkpoint {path.stat().st_size / 1e9:.2f} GB in {time.perf_counter() - start:.1f} s")

        loads, peaks, compiles = {}, {}, {}
        keeps = device == "cpu" and not args.default_malloc
        if keeps:
            keep_freed_memory()  # as SamEngine.load does, for the whole process
        reset_peak()
        before = status_kb("VmRSS")
        start = time.perf_counter()
        low_model = load_checkpoint(path, device=device, precision=precision_name(low), channels_last=True,
                                    allow_emulated=True)
        engine_low = SamEngine(low_model, weights_path=path, compile=not args.no_compile and "auto")
        fast_low = engine_low.fast  # the engine's own fast path: warmed up (compiled) as part of the load
        compiles["low"] = engine_low.compile_seconds
        loads["low"] = time.perf_counter() - start
        peaks["load_low"] = (status_kb("VmHWM") - before) / 1e6
        start = time.perf_counter()
        model32 = load_checkpoint(path, device=device, precision="fp32", channels_last=True)
        fast32 = FastSam(model32, compile=not args.no_compile and compile_by_default(torch.float32, device))
        compiles["fp32"] = fast32.warm_up()
        loads["fp32"] = time.perf_counter() - start
        print(f"load: fp32 {loads['fp32']:.2f} s (compile {compiles['fp32']:.2f} s), {precision_name(low)} "
              f"{loads['low']:.2f} s (compile {compiles['low']:.2f} s; peak RSS growth while loading: "
              f"{peaks['load_low']:.2f} GB)")

        rgb = test_photo(device)
        paths = {"naive fp32": NaivePath(path, ages, device, threads=args.threads),
                 "fast fp32": LocalPath(lambda: fast32(rgb, ages), model32, device, keeps),
                 f"fast {precision_name(low)}": LocalPath(lambda: fast_low(rgb, ages), low_model, device, keeps)}
        if args.naive_kept:  # how much of the speedup the allocator setting alone gives
            paths["naive kept"] = NaivePath(path, ages, device, keep_memory=True, threads=args.threads)
        flops, frames, times, act_peak = {}, {}, {name: [] for name in paths}, {}
        weights = {name: each.weights for name, each in paths.items()}
        try:
            for name, each in paths.items():  # warm-up and FLOP count, then the activation peak of one photo
                frames[name], flops[name] = each.first()
                act_peak[name] = each.peak()
            for _ in range(args.repeats):
                for name, each in paths.items():
                    times[name].append(each.run()[0])
        finally:
            for each in paths.values():
                each.close()
        photo_times = photo_runs(engine_low, ages, args.repeats)
        peak32, peak_low = gemm_peak(torch.float32, device), gemm_peak(low, device)

    naive = statistics.median(times["naive fp32"])
    print(f"\nGEMM peak measured now: fp32 {peak32:.2f} TFLOP/s, {precision_name(low)} {peak_low:.2f} TFLOP/s")
    print(f"{'path':<12} {'median s':>9} {'min s':>7} {'speedup':>8} {'TFLOP':>6} {'TFLOP/s':>8} {'of peak':>8} "
          f"{'weights GB':>10} {'act. GB':>8} {'photo GB':>9} {'PSNR dB':>8}")
    results = {}
    for name in paths:
        median = statistics.median(times[name])
        peak = peak_low if name.endswith(precision_name(low)) and low != torch.float32 else peak32
        # the rate counts the model's own FLOPs: the bf16 upsampling layers multiply zeros on purpose (6x6 kernels)
        useful = flops[name] if name.startswith("naive") else flops["fast fp32"]
        rate = useful / median / 1e12
        psnr = psnr_uint8(frames[name], frames["naive fp32"])
        results[name] = (naive / median, psnr)
        print(f"{name:<12} {median:9.2f} {min(times[name]):7.2f} {naive / median:8.2f} {flops[name] / 1e12:6.2f} "
              f"{rate:8.3f} {rate / peak:8.0%} {weights[name] / 1e9:10.2f} {act_peak[name]:8.2f} "
              f"{(weights[name] / 1e9 + act_peak[name]):9.2f} {psnr:8.1f}")
    print("(TFLOP: as counted, TFLOP/s: the model's FLOPs (fast fp32's count for every fast path) per median second;"
          "\n photo GB = weights + activation peak of one photo; the machine may be shared: timings are noisy)")
    best_naive = min(times["naive fp32"])
    print("speedups from the fastest runs: " + ", ".join(
        f"{name} {best_naive / min(times[name]):.2f}" for name in paths if name != "naive fp32"))
    fp32_speed, _ = results["fast fp32"]
    low_speed, low_psnr = results[f"fast {precision_name(low)}"]
    print(f"\nwhole photos, photo layout, SamEngine in {precision_name(low)}, ages {list(ages)} (median of {args.repeats}):")
    print(f"{'photo':<8} {'faces':>5} {'total s':>8} {'align s':>8} {'network s':>9} {'compose s':>9} {'compose share':>13} "
          f"{'of peak':>8}")
    low_peak = peak_low if low != torch.float32 else peak32
    summary = {}
    for name, runs in photo_times.items():
        faces = runs[0]["faces"]
        median = {key: statistics.median(run[key] for run in runs) for key in runs[0] if key != "faces"}
        network = median["encode_s"] + median["generate_s"]
        share = median["compose_s"] / network
        rate = faces * flops["fast fp32"] / network / 1e12  # one face, all ages = one fast fp32 photo's FLOPs
        summary[name] = (median["total_s"], share)
        print(f"{name:<8} {faces:5d} {median['total_s']:8.2f} {median['align_s']:8.2f} {network:9.2f} "
              f"{median['compose_s']:9.3f} {share:13.1%} {rate / low_peak:8.0%}")
    print(f"speedup_fp32={fp32_speed:.2f} speedup_bf16={low_speed:.2f} psnr_bf16={low_psnr:.1f} "
          f"photo_1face_s={summary['1 face'][0]:.2f} photo_4faces_s={summary['4 faces'][0]:.2f} "
          f"compose_share={max(share for _, share in summary.values()):.3f}")
    return 0


def bench_photos() -> dict:
    """A one-face portrait (scikit-image's astronaut) and a four-face group: it, matplotlib's Grace Hopper and
    their mirror images pasted 2x2 (public-domain portraits shipped by those packages)."""
    import matplotlib.cbook
    from PIL import Image, ImageOps
    from skimage import data

    astronaut = Image.fromarray(data.astronaut())
    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as handle:
        hopper = Image.open(handle).convert("RGB").resize((512, 600))
    group = Image.new("RGB", (1024, 1200), (128, 128, 128))
    for (x, y), face in zip([(0, 44), (512, 0), (0, 644), (512, 600)],
                            [astronaut, hopper, ImageOps.mirror(hopper), ImageOps.mirror(astronaut)], strict=True):
        group.paste(face, (x, y))
    return {"1 face": astronaut, "4 faces": group}


def photo_runs(engine, ages, repeats: int) -> dict[str, list[dict]]:
    """Per photo: a warm-up, then `repeats` timed SamEngine.age calls (the engine's own step timings)."""
    runs: dict[str, list[dict]] = {}
    for name, photo in bench_photos().items():
        result = engine.age(photo, ages)  # warm-up (the landmark model loads on first use)
        runs[name] = []
        for _ in range(repeats):
            result = engine.age(photo, ages)
            runs[name].append({**result.timings, "faces": len(result.faces)})
    return runs


if __name__ == "__main__":
    raise SystemExit(main())
