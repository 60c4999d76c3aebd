"""Reading, verifying and writing SAM checkpoints in the released format.

The released `sam_ffhq_aging.pt` is a dict: 'state_dict' (1413 tensors: encoder., decoder.,
pretrained_encoder.), 'opts' (the training options, primitives only) and a top-level 'latent_avg'
([18, 512], or [512] in some exports). We load strictly, memory-mapped, into a model built on the meta
device, so the 2.3 GB of weights are never held twice.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import torch

from booth_core.errors import WeightsError
from inference_container.sam.model import SamConfig, SamModel
from inference_container.sam.precision import resolve_precision

REQUIRED_OPTS = ("output_size", "input_nc")
RELEASED_OPTS = {"label_nc": 0, "dataset_type": "ffhq_aging", "device": "cpu"}
SHOW_KEYS = 5


def _read(path: str | os.PathLike) -> dict:
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"The SAM weights file {path} does not exist.")
    try:
        try:
            checkpoint = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        except RuntimeError as error:  # an old (non-zip) torch.save file cannot be memory-mapped
            if "mmap" not in str(error) and "zip" not in str(error):
                raise
            checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - junk bytes raise anything from the unpickler (IndexError, ...)
        raise WeightsError(f"The SAM weights file {path} cannot be read as a PyTorch checkpoint ({error}).") \
            from error
    if not isinstance(checkpoint, dict) or not isinstance(checkpoint.get("state_dict"), dict):
        raise WeightsError(f"The SAM weights file {path} is not a SAM checkpoint (no 'state_dict' in it).")
    if not isinstance(checkpoint.get("opts"), dict):
        raise WeightsError(f"The SAM weights file {path} has no training options ('opts').")
    return checkpoint


def config_from_opts(opts: dict, path: str | os.PathLike = "checkpoint") -> SamConfig:
    """Check the opts our model relies on and turn them into an architecture config."""
    missing = [name for name in REQUIRED_OPTS if name not in opts]
    if missing:
        raise WeightsError(f"The SAM weights file {path} lacks the option(s) {', '.join(missing)}.")
    size = opts["output_size"]
    if not isinstance(size, int) or size < 64 or 2 ** int(math.log2(size)) != size:
        raise WeightsError(f"The SAM weights file {path} has output_size={size!r}; a power of two >= 64 is needed.")
    if opts["input_nc"] != 4:
        raise WeightsError(f"The SAM weights file {path} has input_nc={opts['input_nc']!r}; SAM needs 4 "
                           "(RGB plus the target age).")
    if not (opts.get("start_from_encoded_w_plus") or opts.get("start_from_latent_avg")):
        raise WeightsError(f"The SAM weights file {path} sets neither start_from_encoded_w_plus nor "
                           "start_from_latent_avg; this is not the released SAM configuration.")
    try:
        return SamConfig.from_opts(opts)
    except (TypeError, ValueError) as error:
        raise WeightsError(f"The SAM weights file {path} has unusable options ({error}).") from error


def _build_meta(config: SamConfig, path) -> SamModel:
    try:
        with torch.device("meta"):
            return SamModel(config)
    except ValueError as error:
        raise WeightsError(f"The SAM weights file {path} describes an impossible network ({error}).") from error


def _listed(keys: list[str]) -> str:
    shown = ", ".join(keys[:SHOW_KEYS])
    return shown + (f" and {len(keys) - SHOW_KEYS} more" if len(keys) > SHOW_KEYS else "")


def check_state_dict(state_dict: dict, model: SamModel, path="checkpoint") -> None:
    """Raise WeightsError naming the first missing, unexpected and misshapen keys."""
    expected = model.state_dict()
    missing = [key for key in expected if key not in state_dict]
    unexpected = [key for key in state_dict if key not in expected]
    misshapen = [f"{key} (file {list(state_dict[key].shape)}, expected {list(value.shape)})"
                 for key, value in expected.items()
                 if key in state_dict and (not isinstance(state_dict[key], torch.Tensor)
                                           or state_dict[key].shape != value.shape)]
    problems = []
    if missing:
        problems.append(f"missing keys: {_listed(missing)}")
    if unexpected:
        problems.append(f"unexpected keys: {_listed(unexpected)}")
    if misshapen:
        problems.append(f"wrong shapes: {_listed(misshapen)}")
    if problems:
        raise WeightsError(f"The SAM weights file {path} does not match the SAM network; " + "; ".join(problems))


def _latent_avg(checkpoint: dict, config: SamConfig, path) -> torch.Tensor:
    latent_avg = checkpoint.get("latent_avg")
    if latent_avg is None:
        raise WeightsError(f"The SAM weights file {path} has no 'latent_avg'.")
    shapes = ([config.style_dim], [config.n_styles, config.style_dim])
    if not isinstance(latent_avg, torch.Tensor) or list(latent_avg.shape) not in shapes:
        shape = list(latent_avg.shape) if isinstance(latent_avg, torch.Tensor) else type(latent_avg).__name__
        raise WeightsError(f"The SAM weights file {path} has latent_avg {shape}; expected {shapes[1]} or {shapes[0]}.")
    return latent_avg


def verify_checkpoint(path: str | os.PathLike) -> dict:
    """Validate keys, shapes, opts and latent_avg without building weights; returns a summary."""
    checkpoint = _read(path)
    config = config_from_opts(checkpoint["opts"], path)
    model = _build_meta(config, path)
    check_state_dict(checkpoint["state_dict"], model, path)
    latent_avg = _latent_avg(checkpoint, config, path)
    return {
        "keys": len(checkpoint["state_dict"]),
        "params": sum(p.numel() for p in model.parameters()),
        "output_size": config.output_size,
        "n_styles": config.n_styles,
        "latent_avg_shape": list(latent_avg.shape),
        "released_architecture": config == SamConfig(output_size=config.output_size,
                                                      start_from_encoded_w_plus=config.start_from_encoded_w_plus,
                                                      start_from_latent_avg=config.start_from_latent_avg),
    }


def _convert(value: torch.Tensor, dtype: torch.dtype, channels_last: bool) -> torch.Tensor:
    """A private copy of one tensor in the compute dtype (and NHWC layout for conv weights)."""
    if not value.is_floating_point():
        return value.clone()
    layout = torch.channels_last if channels_last and value.dim() == 4 else torch.contiguous_format
    return torch.empty_like(value, dtype=dtype, memory_format=layout).copy_(value)  # one allocation


def load_checkpoint(path: str | os.PathLike, device: str | torch.device = "cpu",
                    precision: str = "fp32", channels_last: bool = False, allow_emulated: bool = False) -> SamModel:
    """Load a SAM checkpoint strictly into a model in eval mode, weights in the compute precision.

    fp32 without channels_last keeps the weights on the memory-mapped file (no copy at all). Otherwise each
    tensor is converted on its own and the file mapping is dropped afterwards, so memory peaks at the file's
    (reclaimable) page cache plus the converted weights, never two private copies. channels_last stores
    4-D conv weights in the NHWC order that the fast path's convolutions use, saving a copy per call.
    `latent_avg` stays fp32 in every precision (W+ is summed and kept in fp32). A precision the device only
    emulates raises PrecisionError unless `allow_emulated` (tests and benchmarks).
    """
    dtype = resolve_precision(precision, device, allow_emulated=allow_emulated)
    checkpoint = _read(path)
    config = config_from_opts(checkpoint["opts"], path)
    model = _build_meta(config, path)
    state_dict = checkpoint["state_dict"]
    check_state_dict(state_dict, model, path)
    latent_avg = _latent_avg(checkpoint, config, path)
    if dtype != torch.float32 or channels_last:  # one tensor at a time; nothing left on the file mapping
        for key, value in state_dict.items():
            state_dict[key] = _convert(value, dtype, channels_last)
    model.load_state_dict(state_dict, strict=True, assign=True)
    del checkpoint, state_dict
    model.latent_avg = torch.zeros(config.n_styles, config.style_dim, dtype=torch.float32)
    model.set_latent_avg(latent_avg.float())
    model.requires_grad_(False)
    return model.to(device).eval()


def released_opts(config: SamConfig) -> dict:
    """The opts dict a released-format checkpoint carries (plus architecture keys for small test models)."""
    opts = {"output_size": config.output_size, "input_nc": config.input_nc,
            "start_from_encoded_w_plus": config.start_from_encoded_w_plus,
            "start_from_latent_avg": config.start_from_latent_avg, "target_age": "uniform_random",
            **RELEASED_OPTS}
    opts.update({key: value for key, value in config.to_opts().items() if key not in opts})
    return opts


def save_checkpoint(model: SamModel, path: str | os.PathLike) -> Path:
    """Write `model` as {'state_dict', 'opts', 'latent_avg'}, the released layout."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": model.state_dict(), "opts": released_opts(model.config),
                "latent_avg": model.latent_avg.detach().float().cpu().clone()}, path)
    return path
