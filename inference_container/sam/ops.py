"""Pure-PyTorch stand-ins for StyleGAN2's CUDA ops (fused bias+leaky ReLU, upfirdn2d): run on CPU and CUDA."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

LRELU_SLOPE = 0.2
LRELU_GAIN = math.sqrt(2.0)


def fused_leaky_relu(x: torch.Tensor, bias: torch.Tensor, negative_slope: float = LRELU_SLOPE,
                     scale: float = LRELU_GAIN) -> torch.Tensor:
    """scale * leaky_relu(x + bias): bias runs along dim 1 (channels of NCHW, features of [B, F])."""
    shape = [1, bias.shape[0]] + [1] * (x.dim() - 2)
    return F.leaky_relu(x + bias.view(shape), negative_slope) * scale


class FusedLeakyReLU(nn.Module):
    """The module form with its own learned bias [C] (key `.bias`)."""

    def __init__(self, channels: int):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return fused_leaky_relu(x, self.bias)


def make_kernel(taps) -> torch.Tensor:
    """A normalized 2-D FIR kernel: outer product of a 1-D tap list (or a given 2-D kernel), summing to 1."""
    k = torch.as_tensor(taps, dtype=torch.float32)
    if k.dim() == 1:
        k = k[None, :] * k[:, None]
    return k / k.sum()


def upfirdn2d(x: torch.Tensor, kernel: torch.Tensor, up: int = 1, down: int = 1,
              pad: tuple[int, int] = (0, 0)) -> torch.Tensor:
    """Upsample by zero insertion, pad (negative crops), convolve with `kernel` (true convolution), downsample.

    x [B, C, H, W] -> [B, C, (H*up + p0 + p1 - kh)//down + 1, ...]; the same pad on both axes.
    """
    p0, p1 = pad
    batch, channels, height, width = x.shape
    out = x
    if up > 1:  # sample i lands on i*up, zeros elsewhere: [B,C,H,1,W,1] padded to [B,C,H,up,W,up]
        out = out.reshape(batch, channels, height, 1, width, 1)
        out = F.pad(out, (0, up - 1, 0, 0, 0, up - 1))
        out = out.reshape(batch, channels, height * up, width * up)
    out = F.pad(out, (max(p0, 0), max(p1, 0), max(p0, 0), max(p1, 0)))
    out = out[:, :, max(-p0, 0): out.shape[2] - max(-p1, 0), max(-p0, 0): out.shape[3] - max(-p1, 0)]
    # true convolution = correlation with the flipped kernel, one channel at a time (depthwise)
    weight = torch.flip(kernel, (0, 1)).to(out.dtype).expand(channels, 1, *kernel.shape)
    return F.conv2d(out, weight, stride=down, groups=channels)
