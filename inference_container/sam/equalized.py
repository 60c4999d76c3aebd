"""Equalized-learning-rate layers: weights stored at unit scale, rescaled by 1/sqrt(fan_in) at run time."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from inference_container.sam.ops import fused_leaky_relu


class EqualLinear(nn.Module):
    """y = x (W * lr_mul/sqrt(in))^T + b * lr_mul, optionally through the fused leaky ReLU."""

    def __init__(self, in_dim: int, out_dim: int, bias: bool = True, bias_init: float = 0.0,
                 lr_mul: float = 1.0, activation: str | None = None):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_dim, in_dim).div_(lr_mul))  # [out, in]
        self.bias = nn.Parameter(torch.full((out_dim,), float(bias_init))) if bias else None
        self.scale = lr_mul / math.sqrt(in_dim)
        self.lr_mul = lr_mul
        self.activation = activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.activation == "fused_lrelu":
            out = F.linear(x, self.weight * self.scale)
            return fused_leaky_relu(out, self.bias * self.lr_mul)
        bias = self.bias * self.lr_mul if self.bias is not None else None
        return F.linear(x, self.weight * self.scale, bias)
