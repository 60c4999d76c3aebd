"""StyleGAN2 generator (the rosinality layout SAM ships), driven by a W+ code; any power-of-two size >= 64.

Two ways to run a modulated convolution, the same maths, behind one switch (`modulated_conv2d`):
* `fast=False` (the original, fused_modconv): scale the weight per sample, one grouped convolution.
* `fast=True`: keep one shared weight, scale the input activations by the style and the output by the
  demodulation factor. Faster for a batch (one ordinary convolution, no per-sample weight copies).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from inference_container.sam.equalized import EqualLinear
from inference_container.sam.ops import FusedLeakyReLU, make_kernel, upfirdn2d

BLUR_TAPS = (1, 3, 3, 1)
DEMOD_EPS = 1e-8


def generator_channels(size: int, width: int = 512, channel_multiplier: int = 2) -> dict[int, int]:
    """Channels per resolution: `width` up to 64x64, then halving (released: 512 ... 1024:32)."""
    channels = {}
    for log_res in range(2, int(math.log2(size)) + 1):
        res = 2 ** log_res
        channels[res] = max(1, min(width, channel_multiplier * width * 32 // res))
    return channels


class PixelNorm(nn.Module):
    """x / sqrt(mean(x^2) + 1e-8) over features; first layer of the (unused at inference) mapping network."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(torch.mean(x * x, dim=1, keepdim=True) + 1e-8)


class Upsample(nn.Module):
    """x2 upsampling of the ToRGB skip: upfirdn2d(up=2, pad=(2,1)) with the [1,3,3,1] kernel x4."""

    def __init__(self, factor: int = 2):
        super().__init__()
        self.factor = factor
        self.register_buffer("kernel", make_kernel(BLUR_TAPS) * factor**2)  # [4, 4]
        pad = self.kernel.shape[0] - factor
        self.pad = ((pad + 1) // 2 + factor - 1, pad // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return upfirdn2d(x, self.kernel, up=self.factor, pad=self.pad)


class Blur(nn.Module):
    """The low-pass after a stride-2 transposed conv: 2H+1 -> 2H with pad (1,1)."""

    def __init__(self, pad: tuple[int, int], upsample_factor: int = 1):
        super().__init__()
        self.register_buffer("kernel", make_kernel(BLUR_TAPS) * upsample_factor**2)  # [4, 4]
        self.pad = pad

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return upfirdn2d(x, self.kernel, pad=self.pad)


def modulated_conv2d(x: torch.Tensor, weight: torch.Tensor, styles: torch.Tensor, *, demodulate: bool = True,
                     upsample: bool = False, blur: nn.Module | None = None, padding: int = 0,
                     fused_modconv: bool = True) -> torch.Tensor:
    """StyleGAN2's modulated convolution, one entry for both ways of computing it (as NVIDIA's
    `modulated_conv2d`): x [B, in, H, W], weight [out, in, k, k] (already times the equalized-lr scale),
    styles [B, in] (fp32) -> [B, out, H', W'] (H' = 2H when upsampling, through `blur`).

    fused_modconv=True: the reference maths, as the original computes it: a per-sample weight W * s,
    demodulated per output channel, run as one grouped convolution over the batch.
    fused_modconv=False: the fast path for batches: one shared weight, the style scaling the input
    activations and the demodulation the output (sum_{in,k} (W s)^2 = s^2 @ sum_k W^2). Same values.
    Styles and demodulation are computed in fp32 in every precision; the convolution runs in x's dtype.
    """
    if fused_modconv:
        return _modulated_conv2d_reference(x, weight, styles, demodulate, upsample, blur, padding)
    out_channels = weight.shape[0]
    x = x * styles[:, :, None, None].to(x.dtype)
    if upsample:
        out = F.conv_transpose2d(x, weight.transpose(0, 1).to(x.dtype), stride=2)  # [B, out, 2H+1, 2W+1]
    else:
        out = F.conv2d(x, weight.to(x.dtype), padding=padding)
    if demodulate:
        wsq = weight.float().pow(2).sum([2, 3])  # [out, in]
        demod = torch.rsqrt(styles.float().pow(2) @ wsq.t() + DEMOD_EPS)  # [B, out]
        out = out * demod.view(-1, out_channels, 1, 1).to(out.dtype)
    return blur(out) if upsample else out


def _modulated_conv2d_reference(x, weight, styles, demodulate, upsample, blur, padding) -> torch.Tensor:
    """The original arrangement (fused_modconv=True): per-sample weights, grouped convolution."""
    batch, in_channels, height, width = x.shape
    out_channels, _, k, _ = weight.shape
    w = weight.float()[None] * styles.float()[:, None, :, None, None]  # [B, out, in, k, k]
    if demodulate:
        w = w * torch.rsqrt(w.pow(2).sum([2, 3, 4]) + DEMOD_EPS)[:, :, None, None, None]
    w = w.to(x.dtype)
    x = x.reshape(1, batch * in_channels, height, width)
    if upsample:
        w = w.transpose(1, 2).reshape(batch * in_channels, out_channels, k, k)
        out = F.conv_transpose2d(x, w, stride=2, groups=batch)  # [1, B*out, 2H+1, 2W+1]
        return blur(out.reshape(batch, out_channels, out.shape[2], out.shape[3]))
    out = F.conv2d(x, w.reshape(batch * out_channels, in_channels, k, k), padding=padding, groups=batch)
    return out.reshape(batch, out_channels, height, width)


class ModulatedConv2d(nn.Module):
    """Conv whose weight is scaled per sample by a style (and optionally demodulated to unit norm per output)."""

    def __init__(self, in_channel: int, out_channel: int, kernel_size: int, style_dim: int,
                 demodulate: bool = True, upsample: bool = False):
        super().__init__()
        self.in_channel, self.out_channel, self.kernel_size = in_channel, out_channel, kernel_size
        self.demodulate, self.upsample = demodulate, upsample
        self.weight = nn.Parameter(torch.randn(1, out_channel, in_channel, kernel_size, kernel_size))
        self.blur = None
        if upsample:
            factor = 2
            pad = (len(BLUR_TAPS) - factor) - (kernel_size - 1)
            self.blur = Blur(((pad + 1) // 2 + factor - 1, pad // 2 + 1), upsample_factor=factor)
        self.modulation = EqualLinear(style_dim, in_channel, bias_init=1.0)
        self.scale = 1.0 / math.sqrt(in_channel * kernel_size**2)
        self.padding = kernel_size // 2

    def styles(self, style: torch.Tensor) -> torch.Tensor:
        """w [B, style_dim] -> s [B, in], in fp32 whatever the weights' precision (W+ stays fp32)."""
        mod = self.modulation
        return F.linear(style.float(), mod.weight.float() * mod.scale, mod.bias.float() * mod.lr_mul)

    def forward(self, x: torch.Tensor, style: torch.Tensor, fast: bool = False) -> torch.Tensor:
        """x [B, in, H, W], style [B, style_dim] -> [B, out, H', W'] (H' = 2H when upsampling).
        fast=False: the reference arrangement (fused_modconv); fast=True: modulated activations."""
        return modulated_conv2d(x, self.scale * self.weight[0], self.styles(style), demodulate=self.demodulate,
                                upsample=self.upsample, blur=self.blur, padding=self.padding,
                                fused_modconv=not fast)


class NoiseInjection(nn.Module):
    """x + weight * noise (noise [1,1,H,W] broadcast over batch and channels)."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return x + self.weight * noise


class ConstantInput(nn.Module):
    """The learned 4x4 starting tensor, repeated over the batch."""

    def __init__(self, channel: int, size: int = 4):
        super().__init__()
        self.input = nn.Parameter(torch.randn(1, channel, size, size))

    def forward(self, batch: int) -> torch.Tensor:
        return self.input.repeat(batch, 1, 1, 1)


class StyledConv(nn.Module):
    """Modulated 3x3 conv -> noise -> sqrt(2) * leaky_relu(x + b, 0.2)."""

    def __init__(self, in_channel: int, out_channel: int, kernel_size: int, style_dim: int,
                 upsample: bool = False):
        super().__init__()
        self.conv = ModulatedConv2d(in_channel, out_channel, kernel_size, style_dim, upsample=upsample)
        self.noise = NoiseInjection()
        self.activate = FusedLeakyReLU(out_channel)

    def forward(self, x, style, noise, fast: bool = False):
        return self.activate(self.noise(self.conv(x, style, fast), noise))


class ToRGB(nn.Module):
    """Modulated 1x1 conv to RGB (no demodulation) + bias, added to the upsampled previous skip."""

    def __init__(self, in_channel: int, style_dim: int, upsample: bool = True):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(1, 3, 1, 1))
        if upsample:
            self.upsample = Upsample()
        self.conv = ModulatedConv2d(in_channel, 3, 1, style_dim, demodulate=False)

    def forward(self, x, style, skip=None, fast: bool = False):
        out = self.conv(x, style, fast) + self.bias
        if skip is not None:
            out = out + self.upsample(skip)
        return out


class Generator(nn.Module):
    """StyleGAN2 synthesis network; `forward` takes W+ [B, n_latent, style_dim] and returns [B, 3, size, size]."""

    def __init__(self, size: int = 1024, style_dim: int = 512, n_mlp: int = 8, channel_multiplier: int = 2,
                 lr_mlp: float = 0.01, width: int = 512):
        super().__init__()
        log_size = int(math.log2(size))
        if size < 64 or 2**log_size != size:
            raise ValueError(f"generator size must be a power of two >= 64, got {size}")
        self.size, self.style_dim, self.log_size = size, style_dim, log_size
        self.n_latent = log_size * 2 - 2
        self.num_layers = (log_size - 2) * 2 + 1
        channels = generator_channels(size, width, channel_multiplier)
        # The mapping network: kept so the checkpoint's keys load; SAM feeds W+ codes directly.
        self.style = nn.Sequential(PixelNorm(), *[
            EqualLinear(style_dim, style_dim, lr_mul=lr_mlp, activation="fused_lrelu") for _ in range(n_mlp)])
        self.input = ConstantInput(channels[4])
        self.conv1 = StyledConv(channels[4], channels[4], 3, style_dim)
        self.to_rgb1 = ToRGB(channels[4], style_dim, upsample=False)
        self.convs = nn.ModuleList()
        self.to_rgbs = nn.ModuleList()
        in_channel = channels[4]
        for log_res in range(3, log_size + 1):
            out_channel = channels[2**log_res]
            self.convs.append(StyledConv(in_channel, out_channel, 3, style_dim, upsample=True))
            self.convs.append(StyledConv(out_channel, out_channel, 3, style_dim))
            self.to_rgbs.append(ToRGB(out_channel, style_dim))
            in_channel = out_channel
        self.noises = nn.Module()
        for index in range(self.num_layers):
            res = 2 ** ((index + 5) // 2)
            self.noises.register_buffer(f"noise_{index}", torch.randn(1, 1, res, res))

    def forward(self, latent: torch.Tensor, fast: bool = False) -> torch.Tensor:
        """latent [B, n_latent, style_dim] -> image [B, 3, size, size] (stored noise: deterministic)."""
        noise = [getattr(self.noises, f"noise_{i}") for i in range(self.num_layers)]
        out = self.input(latent.shape[0])  # [B, C4, 4, 4]
        out = self.conv1(out, latent[:, 0], noise[0], fast)
        skip = self.to_rgb1(out, latent[:, 1], fast=fast)  # [B, 3, 4, 4]
        i = 1
        for up_conv, conv, noise1, noise2, to_rgb in zip(
                self.convs[::2], self.convs[1::2], noise[1::2], noise[2::2], self.to_rgbs, strict=True):
            out = up_conv(out, latent[:, i], noise1, fast)  # [B, C, 2H, 2W]
            out = conv(out, latent[:, i + 1], noise2, fast)
            skip = to_rgb(out, latent[:, i + 2], skip, fast)
            i += 2
        return skip
