"""Image <-> tensor conversions exactly as SAM's scripts do them."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

SAM_INPUT_SIZE = 256


def image_to_tensor(image: Image.Image) -> torch.Tensor:
    """RGB PIL 256x256 -> [1, 3, 256, 256] float32 in [-1, 1] (ToTensor, then Normalize(0.5, 0.5))."""
    image = image.convert("RGB")
    if image.size != (SAM_INPUT_SIZE, SAM_INPUT_SIZE):
        image = image.resize((SAM_INPUT_SIZE, SAM_INPUT_SIZE), Image.Resampling.BILINEAR)
    array = np.asarray(image, dtype=np.float32) / 255.0  # [H, W, 3]
    return torch.from_numpy(array).permute(2, 0, 1)[None].mul(2.0).sub(1.0).contiguous()


def tensor_to_image(tensor: torch.Tensor) -> Image.Image:
    """[3, H, W] in about [-1, 1] -> RGB PIL; like tensor2im: clip, x255, truncate (not round) to uint8."""
    array = ((tensor.detach().float().cpu().permute(1, 2, 0) + 1) / 2).clamp(0, 1) * 255
    return Image.fromarray(array.numpy().astype(np.uint8), "RGB")
