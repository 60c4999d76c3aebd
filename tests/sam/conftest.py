"""Small random SAM checkpoints in the released format (a few MB, built in well under a second)."""

from __future__ import annotations

import pytest
import torch

from inference_container.sam import load_checkpoint, save_random_checkpoint


@pytest.fixture(scope="session")
def small_checkpoint(tmp_path_factory):
    return save_random_checkpoint(tmp_path_factory.mktemp("sam") / "small.pt", output_size=64, seed=0)


@pytest.fixture(scope="session")
def small_model(small_checkpoint):
    return load_checkpoint(small_checkpoint)


@pytest.fixture(scope="session")
def photo_tensor():
    """A smooth, image-like [1, 3, 256, 256] input in [-1, 1]."""
    generator = torch.Generator().manual_seed(1)
    coarse = torch.rand(1, 3, 8, 8, generator=generator) * 2 - 1
    return torch.nn.functional.interpolate(coarse, size=(256, 256), mode="bilinear", align_corners=False)


def with_age(rgb: torch.Tensor, age: int) -> torch.Tensor:
    """The SAM input: RGB plus a constant age/100 channel."""
    return torch.cat([rgb, torch.full_like(rgb[:, :1], age / 100)], dim=1)


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """PSNR in dB of images in [-1, 1] (clipped first, as tensor2im does)."""
    mse = (a.clamp(-1, 1) - b.clamp(-1, 1)).pow(2).mean().item()
    return float("inf") if mse == 0 else 10 * torch.log10(torch.tensor(4.0 / mse)).item()
