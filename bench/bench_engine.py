"""Benchmark: the naive way to run SAM against our fast engine, fp32 and bf16/auto, on one photo.

Builds a random full-size checkpoint in the released format (or uses --checkpoint), then times, alternating
and after a warm-up, (a) naive: per age, fp32, batch 1, the pretrained encoder every time; (b) FastSam fp32;
(c) FastSam in --precision (auto = bf16 on AMX / AVX512-BF16 CPUs). Prints load times, memory, achieved
TFLOP/s against a GEMM peak measured in the same run, PSNR of the fast frames against the naive fp32 frames.
Last line: `speedup_fp32=X speedup_bf16=Y psnr_bf16=Z`.

    .venv/bin/python bench/bench_engine.py                 # full size (2.3 GB temp checkpoint, a few minutes)
    .venv/bin/python bench/bench_engine.py --size 256 --repeats 2 --small   # a quick smoke run
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inference_container.ages import DEFAULT_AGES, parse_ages  # noqa: E402
from inference_container.sam import load_checkpoint, save_random_checkpoint  # noqa: E402
from inference_container.sam.fast import FastSam  # noqa: E402
from inference_container.sam.images import image_to_tensor, tensor_to_image  # noqa: E402
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1024, help="generator output size (released: 1024)")
    parser.add_argument("--small", action="store_true", help="a small-width test architecture (quick runs)")
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds per path (median reported)")
    parser.add_argument("--ages", default=",".join(map(str, DEFAULT_AGES)))
    parser.add_argument("--precision", default="auto", help="the reduced-precision path: auto, bf16, fp16")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--checkpoint", type=Path, help="use this checkpoint instead of writing a random one")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: torch's choice)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    ages = parse_ages(args.ages)
    device = args.device
    low = resolve_precision(args.precision, device)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {device}, "
          f"cpu capability {torch.backends.cpu.get_cpu_capability()}, ages {list(ages)}")

    with tempfile.TemporaryDirectory() as tmp:
        path = args.checkpoint
        if path is None:
            start = time.perf_counter()
            path = save_random_checkpoint(Path(tmp) / "sam_random.pt", output_size=args.size, small=args.small)
            print(f"wrote random checkpoint {path.stat().st_size / 1e9:.2f} GB in {time.perf_counter() - start:.1f} s")

        loads, peaks = {}, {}
        reset_peak()
        before = status_kb("VmRSS")
        start = time.perf_counter()
        low_model = load_checkpoint(path, device=device, precision=precision_name(low), channels_last=True)
        fast_low = FastSam(low_model)
        loads["low"] = time.perf_counter() - start
        peaks["load_low"] = (status_kb("VmHWM") - before) / 1e6
        start = time.perf_counter()
        model32 = load_checkpoint(path, device=device, precision="fp32", channels_last=True)
        fast32 = FastSam(model32)
        loads["fp32"] = time.perf_counter() - start
        model = load_checkpoint(path, device=device, precision="fp32")  # naive: as released, memory-mapped
        print(f"load: fp32 {loads['fp32']:.2f} s, {precision_name(low)} {loads['low']:.2f} s "
              f"(peak RSS growth while loading {precision_name(low)}: {peaks['load_low']:.2f} GB)")

        rgb = test_photo(device)
        paths = {"naive fp32": lambda: naive_run(model, rgb, ages),
                 "fast fp32": lambda: fast32(rgb, ages),
                 f"fast {precision_name(low)}": lambda: fast_low(rgb, ages)}
        weights = {"naive fp32": weight_bytes(model), "fast fp32": weight_bytes(model32),
                   f"fast {precision_name(low)}": weight_bytes(low_model)}
        flops, frames, times, act_peak = {}, {}, {name: [] for name in paths}, {}
        for name, run in paths.items():  # warm-up, FLOP count, activation peak
            reset_peak()
            rss = status_kb("VmRSS")
            with FlopCounterMode(display=False) as counter:
                frames[name] = frames_uint8(run())
            act_peak[name] = max(0, status_kb("VmHWM") - rss) / 1e6
            flops[name] = counter.get_total_flops()
        for _ in range(args.repeats):
            for name, run in paths.items():
                sync(device)
                start = time.perf_counter()
                run()
                sync(device)
                times[name].append(time.perf_counter() - start)
        peak32, peak_low = gemm_peak(torch.float32, device), gemm_peak(low, device)

    naive = statistics.median(times["naive fp32"])
    print(f"\nGEMM peak measured now: fp32 {peak32:.2f} TFLOP/s, {precision_name(low)} {peak_low:.2f} TFLOP/s")
    print(f"{'path':<12} {'median s':>9} {'min s':>7} {'speedup':>8} {'TFLOP':>6} {'TFLOP/s':>8} {'of peak':>8} "
          f"{'weights GB':>10} {'act. GB':>8} {'photo GB':>9} {'PSNR dB':>8}")
    results = {}
    for name in paths:
        median = statistics.median(times[name])
        peak = peak_low if name.endswith(precision_name(low)) and low != torch.float32 else peak32
        rate = flops[name] / median / 1e12
        psnr = psnr_uint8(frames[name], frames["naive fp32"])
        results[name] = (naive / median, psnr)
        print(f"{name:<12} {median:9.2f} {min(times[name]):7.2f} {naive / median:8.2f} {flops[name] / 1e12:6.2f} "
              f"{rate:8.3f} {rate / peak:8.0%} {weights[name] / 1e9:10.2f} {act_peak[name]:8.2f} "
              f"{(weights[name] / 1e9 + act_peak[name]):9.2f} {psnr:8.1f}")
    print("(photo GB = weights + activation peak of one photo; the machine may be shared: timings are noisy)")
    fp32_speed, _ = results["fast fp32"]
    low_speed, low_psnr = results[f"fast {precision_name(low)}"]
    print(f"speedup_fp32={fp32_speed:.2f} speedup_bf16={low_speed:.2f} psnr_bf16={low_psnr:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
