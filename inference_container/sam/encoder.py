"""IR-SE50 GradualStyleEncoder (pSp): a 256x256 image (+ age channel) -> W+ codes [B, n_styles, style_dim].

SAM carries two: the aging encoder (input_nc=4: RGB + age/100) and the frozen pSp encoder (input_nc=3).
`style_dim` = 8 x the first stage width (512 in the release); smaller values only serve test models.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from inference_container.sam.equalized import EqualLinear

COARSE_END, MIDDLE_END = 3, 7  # styles 0-2 from c3 (16x16), 3-6 from p2 (32x32), the rest from p1 (64x64)
TAPS = (6, 20, 23)  # body units whose outputs are c1 (64x64), c2 (32x32), c3 (16x16)
SE_REDUCTION = 16


class SEModule(nn.Module):
    """Squeeze-and-excitation: x * sigmoid(fc2(relu(fc1(avgpool(x)))))."""

    def __init__(self, channels: int, reduction: int = SE_REDUCTION):
        super().__init__()
        hidden = max(1, channels // reduction)
        self.fc1 = nn.Conv2d(channels, hidden, 1, bias=False)
        self.fc2 = nn.Conv2d(hidden, channels, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate = F.adaptive_avg_pool2d(x, 1)  # [B, C, 1, 1]
        gate = torch.sigmoid(self.fc2(F.relu(self.fc1(gate))))
        return x * gate


class BottleneckIRSE(nn.Module):
    """residual(BN-conv-PReLU-conv(stride)-BN-SE) + shortcut (max-pool subsample or 1x1 conv + BN)."""

    def __init__(self, in_channel: int, depth: int, stride: int):
        super().__init__()
        if in_channel == depth:
            self.shortcut_layer = nn.MaxPool2d(1, stride)
        else:
            self.shortcut_layer = nn.Sequential(
                nn.Conv2d(in_channel, depth, 1, stride, bias=False), nn.BatchNorm2d(depth))
        self.res_layer = nn.Sequential(
            nn.BatchNorm2d(in_channel),
            nn.Conv2d(in_channel, depth, 3, 1, 1, bias=False),
            nn.PReLU(depth),
            nn.Conv2d(depth, depth, 3, stride, 1, bias=False),
            nn.BatchNorm2d(depth),
            SEModule(depth),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.res_layer(x) + self.shortcut_layer(x)


def ir_se50_units(width: int = 64) -> list[tuple[int, int, int]]:
    """(in, depth, stride) of the 24 units: stages of 3, 4, 14, 3; each stage starts with stride 2."""
    stages = [(width, width, 3), (width, 2 * width, 4), (2 * width, 4 * width, 14), (4 * width, 8 * width, 3)]
    units = []
    for in_channel, depth, count in stages:
        units.append((in_channel, depth, 2))
        units.extend((depth, depth, 1) for _ in range(count - 1))
    return units


class GradualStyleBlock(nn.Module):
    """log2(spatial) stride-2 3x3 convs (LeakyReLU slope 0.01) down to 1x1, then an EqualLinear."""

    def __init__(self, in_channel: int, out_channel: int, spatial: int):
        super().__init__()
        self.out_channel = out_channel
        layers: list[nn.Module] = [nn.Conv2d(in_channel, out_channel, 3, 2, 1), nn.LeakyReLU()]
        for _ in range(int(math.log2(spatial)) - 1):
            layers += [nn.Conv2d(out_channel, out_channel, 3, 2, 1), nn.LeakyReLU()]
        self.convs = nn.Sequential(*layers)
        self.linear = EqualLinear(out_channel, out_channel, lr_mul=1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(self.convs(x).reshape(-1, self.out_channel))  # [B, C]


def upsample_add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """FPN merge: bilinear resize of x to y's size (align_corners=True) plus y."""
    return F.interpolate(x, size=y.shape[2:], mode="bilinear", align_corners=True) + y


def pyramid(x: torch.Tensor, units, latlayer1: nn.Module, latlayer2: nn.Module):
    """Run the body units on the stem's output [B,w,256,256], tap c1/c2/c3 and merge them FPN-style.

    Returns c3 [B,8w,16,16], p2 [B,D,32,32], p1 [B,D,64,64]; the reference and the fast encoder share it.
    """
    taps = []
    for index, unit in enumerate(units):
        x = unit(x)
        if index in TAPS:
            taps.append(x)
    c1, c2, c3 = taps
    p2 = upsample_add(c3, latlayer1(c2))
    p1 = upsample_add(p2, latlayer2(c1))
    return c3, p2, p1


def style_codes(heads, c3: torch.Tensor, p2: torch.Tensor, p1: torch.Tensor) -> torch.Tensor:
    """Coarse heads read c3, middle heads p2, fine heads p1 -> codes [B, n_styles, D]."""
    n_styles = len(heads)
    sources = [c3] * COARSE_END + [p2] * (MIDDLE_END - COARSE_END) + [p1] * (n_styles - MIDDLE_END)
    return torch.stack([head(src) for head, src in zip(heads, sources, strict=True)], dim=1)


class GradualStyleEncoder(nn.Module):
    """x [B, input_nc, 256, 256] -> codes [B, n_styles, style_dim]."""

    def __init__(self, n_styles: int = 18, input_nc: int = 3, style_dim: int = 512):
        super().__init__()
        if style_dim % 8:
            raise ValueError(f"style_dim must be a multiple of 8, got {style_dim}")
        width = style_dim // 8
        self.n_styles, self.style_dim = n_styles, style_dim
        self.input_layer = nn.Sequential(
            nn.Conv2d(input_nc, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.PReLU(width))
        self.body = nn.Sequential(*[BottleneckIRSE(*unit) for unit in ir_se50_units(width)])
        spatial = [16] * COARSE_END + [32] * (MIDDLE_END - COARSE_END) + [64] * (n_styles - MIDDLE_END)
        self.styles = nn.ModuleList(GradualStyleBlock(style_dim, style_dim, s) for s in spatial[:n_styles])
        self.latlayer1 = nn.Conv2d(4 * width, style_dim, 1)
        self.latlayer2 = nn.Conv2d(2 * width, style_dim, 1)

    def features(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The three FPN inputs c3 [B,8w,16,16], p2 [B,D,32,32], p1 [B,D,64,64]."""
        x = self.input_layer(x)  # [B, w, 256, 256]
        return pyramid(x, self.body, self.latlayer1, self.latlayer2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return style_codes(self.styles, *self.features(x))
