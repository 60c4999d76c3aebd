"""Fast batched SAM inference: the same maths as SamModel, arranged for throughput.

* All target ages of one photo go through the aging encoder and the generator as one batch; the pretrained
  encoder (which sees only RGB) runs once per photo.
* Encoder: BatchNorms that follow a convolution are folded into it; the BatchNorm in front of each unit's
  first convolution becomes a per-channel scale and shift (it cannot be folded across zero padding).
* Generator on CPU: FastGenerator (fast_generator.py): the batch together at low resolutions, one sample at a
  time with folded weights at high ones; on GPU: the batch at once, modulating activations instead of weights.
* channels_last memory layout, weights kept in the model's dtype.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from inference_container.sam.encoder import GradualStyleEncoder, pyramid, style_codes
from inference_container.sam.fast_generator import FastGenerator
from inference_container.sam.model import SamModel


def _bn_affine(bn: nn.BatchNorm2d) -> tuple[torch.Tensor, torch.Tensor]:
    """Eval-mode BatchNorm as y = x*a + b (computed in fp32)."""
    a = bn.weight.float() * torch.rsqrt(bn.running_var.float() + bn.eps)
    return a, bn.bias.float() - bn.running_mean.float() * a


def _fold(conv: nn.Conv2d, bn: nn.BatchNorm2d, dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """conv (no bias) followed by BN -> one conv weight and bias."""
    a, b = _bn_affine(bn)
    weight = conv.weight.float() * a[:, None, None, None]
    return weight.to(dtype).contiguous(memory_format=torch.channels_last), b.to(dtype)


class FastUnit(nn.Module):
    """One IR-SE bottleneck with folded BatchNorms."""

    def __init__(self, unit, dtype):
        super().__init__()
        res = unit.res_layer
        a, b = _bn_affine(res[0])
        self.register_buffer("pre_scale", a.to(dtype).view(1, -1, 1, 1))
        self.register_buffer("pre_shift", b.to(dtype).view(1, -1, 1, 1))
        self.conv1 = res[1].weight.contiguous(memory_format=torch.channels_last)
        self.prelu = res[2].weight
        self.stride = res[3].stride[0]
        self.conv2, self.bias2 = _fold(res[3], res[4], dtype)
        self.se_fc1, self.se_fc2 = res[5].fc1.weight, res[5].fc2.weight
        if isinstance(unit.shortcut_layer, nn.MaxPool2d):
            self.short_conv = self.short_bias = None
        else:
            self.short_conv, self.short_bias = _fold(unit.shortcut_layer[0], unit.shortcut_layer[1], dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        r = torch.addcmul(self.pre_shift, x, self.pre_scale)
        r = F.prelu(F.conv2d(r, self.conv1, padding=1), self.prelu)
        r = F.conv2d(r, self.conv2, self.bias2, stride=self.stride, padding=1)
        gate = F.adaptive_avg_pool2d(r, 1)
        gate = torch.sigmoid(F.conv2d(F.relu(F.conv2d(gate, self.se_fc1)), self.se_fc2))
        if self.short_conv is None:
            shortcut = x[:, :, :: self.stride, :: self.stride] if self.stride > 1 else x
        else:
            shortcut = F.conv2d(x, self.short_conv, self.short_bias, stride=self.stride)
        return torch.addcmul(shortcut, r, gate)


class FastEncoder(nn.Module):
    """GradualStyleEncoder with folded BatchNorms, channels_last; same outputs."""

    def __init__(self, encoder: GradualStyleEncoder, dtype):
        super().__init__()
        conv, bn, prelu = encoder.input_layer
        self.in_conv, self.in_bias = _fold(conv, bn, dtype)
        self.in_prelu = prelu.weight
        self.units = nn.ModuleList(FastUnit(unit, dtype) for unit in encoder.body)
        self.styles, self.latlayer1, self.latlayer2 = encoder.styles, encoder.latlayer1, encoder.latlayer2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.contiguous(memory_format=torch.channels_last)
        x = F.prelu(F.conv2d(x, self.in_conv, self.in_bias, padding=1), self.in_prelu)
        return style_codes(self.styles, *pyramid(x, self.units, self.latlayer1, self.latlayer2))


COMPILE_MIN_RES = 256  # compiled activations from 256x256 on: below, the passes are small (measured)


def compile_by_default(dtype: torch.dtype, device: torch.device | str) -> bool:
    """compile="auto": on CPU in bf16/fp16, where it saved about a quarter of the generator's time (0.89 -> 0.68 s
    for four ages); in fp32 it saved nothing measurable; GPUs use the batched path, which it does not touch."""
    return torch.device(device).type == "cpu" and dtype != torch.float32


class FastSam(nn.Module):
    """Batched inference over faces and target ages: forward(rgb [F,3,256,256], ages) -> images [F*N,3,S,S]
    (float32, face-major: all ages of face 0, then face 1, ...)."""

    def __init__(self, model: SamModel, compile: bool = False):
        """`compile`: fuse the generator's big noise + leaky ReLU passes with torch.compile (CPU, see
        FastGenerator); call `warm_up()` once after construction so that no photo pays the compile time."""
        super().__init__()
        self.config = model.config
        self.dtype = next(model.parameters()).dtype
        self.device = next(model.parameters()).device
        self.encoder = FastEncoder(model.encoder, self.dtype)
        self.pretrained_encoder = (FastEncoder(model.pretrained_encoder, self.dtype)
                                   if model.config.start_from_encoded_w_plus else None)
        self.decoder = model.decoder
        # the per-sample CPU arrangement; a GPU runs the batched decoder instead and never builds it
        self.per_sample_decoder = (FastGenerator(model.decoder, self.dtype,
                                                 compile_min_res=COMPILE_MIN_RES if compile else None)
                                   if self.device.type == "cpu" else None)
        self.register_buffer("latent_avg", model.latent_avg.float())
        self.eval()

    def warm_up(self) -> float:
        """Compile what `compile=True` compiles, now (seconds taken; 0 without it)."""
        return self.per_sample_decoder.warm_up() if self.per_sample_decoder is not None else 0.0

    @torch.inference_mode()
    def base_codes(self, rgb: torch.Tensor) -> torch.Tensor:
        """The age-independent part of W+, once per face, fp32: [F, n_styles, D] ([1, ...] if latent_avg only)."""
        if self.config.start_from_latent_avg:
            return self.latent_avg[None]
        if self.pretrained_encoder is not None:
            return self.pretrained_encoder(rgb.to(self.dtype)).float() + self.latent_avg
        return torch.zeros_like(self.latent_avg)[None]

    @torch.inference_mode()
    def age_codes(self, rgb: torch.Tensor, ages) -> torch.Tensor:
        """The aging encoder over every (face, age) at once, fp32: [F*N, n_styles, D], face-major."""
        faces, count = rgb.shape[0], len(ages)
        age_channel = torch.tensor([a / 100 for a in ages], dtype=rgb.dtype, device=rgb.device)
        x = torch.cat([rgb.repeat_interleave(count, 0),
                       age_channel.repeat(faces).view(faces * count, 1, 1, 1).expand(-1, 1, *rgb.shape[2:])], dim=1)
        return self.encoder(x.to(self.dtype)).float()

    @torch.inference_mode()
    def codes(self, rgb: torch.Tensor, ages) -> torch.Tensor:
        """W+ for every (face, age), summed and kept in fp32: [F*N, n_styles, D]."""
        base = self.base_codes(rgb)
        if base.shape[0] > 1:
            base = base.repeat_interleave(len(ages), 0)
        return self.age_codes(rgb, ages) + base

    @torch.inference_mode()
    def generate(self, wplus: torch.Tensor) -> torch.Tensor:
        """W+ [N, n_styles, D] (fp32) -> float32 images [N, 3, S, S].

        CPU: one sample at a time with folded weights (FastGenerator). GPU: the whole batch at once with
        modulated activations, which keeps the GPU busy (styles computed from the fp32 W+).
        """
        if self.per_sample_decoder is not None:
            return self.per_sample_decoder(wplus)
        return self.decoder(wplus, fast=True).float()

    @torch.inference_mode()
    def forward(self, rgb: torch.Tensor, ages) -> torch.Tensor:
        return self.generate(self.codes(rgb, ages))
