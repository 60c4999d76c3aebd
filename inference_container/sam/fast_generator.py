"""The StyleGAN2 generator arranged for CPU throughput: the same maths as `Generator`, fewer memory passes.

Two ways to apply a style, chosen per resolution:
* low resolutions (<= `batch_max_res`): the whole batch at once with one shared weight, the style scaling the
  input activations and the demodulation scaling the output (big GEMMs, no per-sample weight copies);
* high resolutions: one sample at a time with the style, the demodulation and the leaky ReLU's sqrt(2) gain
  folded into one small per-sample weight and the bias into the convolution, so only the noise add and the
  leaky ReLU remain as in-place passes over the big image.

In bf16 an upsampling layer's stride-2 transposed 3x3 convolution and the 4x4 blur after it are one 6x6
transposed convolution (measured 1.3x to 4x faster with AMX than the two passes; in fp32 the two passes are
faster, so they stay). Everything per layer that depends only on the weights (the modulation matrices with
their scales, sum_k W^2 for the demodulation, the scaled noise, the 6x6 kernels) is computed once, in fp32.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from inference_container.sam.generator import DEMOD_EPS
from inference_container.sam.ops import LRELU_GAIN, LRELU_SLOPE

CL = torch.channels_last


def upsample2x(x: torch.Tensor) -> torch.Tensor:
    """upfirdn2d(x, [1,3,3,1] x4, up=2, pad=(2,1)), computed as a bilinear x2 resize.

    Per axis the FIR gives out[2i] = (x[i-1] + 3 x[i]) / 4 and out[2i+1] = (3 x[i] + x[i+1]) / 4 with zeros
    outside, which is bilinear (align_corners=False) except at the two border samples, where bilinear repeats
    the edge instead of reading a zero: those rows and columns are scaled by 3/4.
    """
    out = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
    for dim in (2, 3):
        out.narrow(dim, 0, 1).mul_(0.75)
        out.narrow(dim, out.shape[dim] - 1, 1).mul_(0.75)
    return out


def blurred_transposed_kernel(weight: torch.Tensor, blur: torch.Tensor) -> torch.Tensor:
    """[out, in, 3, 3] and the 4x4 blur -> the [in, out, 6, 6] kernel of transpose-conv-then-blur (fp32).

    conv_transpose(x, W, stride 2) followed by a true convolution with the blur (pad 1, 1) equals
    conv_transpose(x, W (*) blur, stride 2, padding 2), where (*) is the full 2-D convolution of the kernels.
    """
    out_c, in_c, k, _ = weight.shape
    taps = blur.shape[0]
    full = F.conv2d(weight.reshape(out_c * in_c, 1, k, k).float(), blur.flip(0, 1).float()[None, None],
                    padding=taps - 1)  # correlation with the flipped blur = convolution: [out*in, 1, 6, 6]
    return full.reshape(out_c, in_c, k + taps - 1, k + taps - 1).transpose(0, 1).contiguous()


class _Layer:
    """What one StyledConv needs at inference, precomputed in fp32 (plain attributes: never trained)."""

    def __init__(self, styled, noise, dtype, batched: bool, fuse_blur: bool):
        conv = styled.conv
        mod = conv.modulation
        # s = style @ mod_weight.T + mod_bias, already times the equalized-lr scale of the conv: [in]
        self.mod_weight = mod.weight.float() * (mod.scale * conv.scale)
        self.mod_bias = mod.bias.float() * (mod.lr_mul * conv.scale)
        raw = conv.weight[0].float()  # [out, in, k, k]
        self.weight_sq = raw.pow(2).sum([2, 3])  # [out, in]: sum_{in,k} (W s)^2 = weight_sq @ s^2
        self.bias = styled.activate.bias.float() * LRELU_GAIN  # [out]
        self.noise = (noise.float() * styled.noise.weight.float() * LRELU_GAIN).to(dtype)  # [1, 1, H, W]
        self.upsample, self.padding, self.out_channels = conv.upsample, conv.padding, conv.out_channel
        self.batched, self.fuse_blur, self.dtype = batched, fuse_blur and conv.upsample, dtype
        blur = conv.blur.kernel if conv.upsample else None
        if self.fuse_blur:
            kernel = blurred_transposed_kernel(raw, blur)  # [in, out, 6, 6]
        elif conv.upsample:
            kernel = raw.transpose(0, 1)  # [in, out, 3, 3]; the transposed view: fastest for conv_transpose
            self.blur = blur.flip(0, 1).to(dtype).expand(conv.out_channel, 1, *blur.shape).contiguous(
                memory_format=CL)
        else:
            kernel = raw
        # batched: the shared weight in the compute dtype; per sample: fp32, scaled per sample at run time
        self.kernel = kernel.to(dtype) if batched else kernel
        if batched and not conv.upsample:
            self.kernel = self.kernel.contiguous(memory_format=CL)

    def styles(self, latent: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """latent [N, D] -> s [N, in] and the demodulation times the gain [N, out], fp32."""
        s = torch.addmm(self.mod_bias, latent.float(), self.mod_weight.t())
        demod = torch.rsqrt(s.pow(2) @ self.weight_sq.t() + DEMOD_EPS) * LRELU_GAIN
        return s, demod

    def _activate(self, out: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu_(out.add_(self.noise), LRELU_SLOPE)

    def run_batched(self, x: torch.Tensor, latent: torch.Tensor) -> torch.Tensor:
        """x [N, in, H, W] -> [N, out, H', W']: modulated activations, one shared weight."""
        s, demod = self.styles(latent)
        x = x * s.to(self.dtype)[:, :, None, None]
        if self.fuse_blur:
            out = F.conv_transpose2d(x, self.kernel, stride=2, padding=2)
        elif self.upsample:
            out = F.conv_transpose2d(x, self.kernel, stride=2)
            out = F.conv2d(out, self.blur, padding=1, groups=self.out_channels)
        else:
            out = F.conv2d(x, self.kernel, padding=self.padding)
        scale = demod.to(self.dtype)[:, :, None, None]
        out = torch.addcmul(self.bias.to(self.dtype)[None, :, None, None], out, scale)
        return self._activate(out)

    def run_one(self, x: torch.Tensor, latent: torch.Tensor) -> torch.Tensor:
        """x [1, in, H, W] -> [1, out, H', W']: the style, demodulation and gain folded into the weight."""
        s, demod = self.styles(latent)
        bias = self.bias.to(self.dtype)
        if self.upsample:  # kernel [in, out, k, k]
            weight = (self.kernel * (s[0][:, None] * demod[0][None, :])[:, :, None, None]).to(self.dtype)
            if self.fuse_blur:
                out = F.conv_transpose2d(x, weight, bias, stride=2, padding=2)
            else:
                out = F.conv_transpose2d(x, weight, stride=2)
                out = F.conv2d(out, self.blur, bias, padding=1, groups=self.out_channels)
        else:  # kernel [out, in, k, k]
            weight = self.kernel * (demod[0][:, None] * s[0][None, :])[:, :, None, None]
            out = F.conv2d(x, weight.to(self.dtype, memory_format=CL), bias, padding=self.padding)
        return self._activate(out)


class _ToRGB:
    """A modulated 1x1 conv to RGB (no demodulation) plus its bias, in fp32 out; adds the upsampled skip."""

    def __init__(self, to_rgb, dtype):
        conv = to_rgb.conv
        mod = conv.modulation
        self.mod_weight = mod.weight.float() * (mod.scale * conv.scale)
        self.mod_bias = mod.bias.float() * (mod.lr_mul * conv.scale)
        self.weight = conv.weight[0].float()  # [3, in, 1, 1]
        self.bias = to_rgb.bias.reshape(3).to(dtype)
        self.dtype = dtype

    def __call__(self, x: torch.Tensor, latent: torch.Tensor, skip: torch.Tensor | None) -> torch.Tensor:
        """x [N, in, H, W] (any N): a per-sample 1x1 weight [N*3, in] as one grouped conv -> fp32 [N, 3, H, W]."""
        s = torch.addmm(self.mod_bias, latent.float(), self.mod_weight.t())  # [N, in]
        count, channels = x.shape[:2]
        weight = (self.weight[None] * s[:, None, :, None, None]).reshape(count * 3, channels, 1, 1)
        if count == 1:
            out = F.conv2d(x, weight.to(self.dtype, memory_format=CL), self.bias)
        else:
            out = torch.einsum("nchw,noc->nohw", x, weight.reshape(count, 3, channels).to(self.dtype))
            out = out + self.bias[None, :, None, None]
        out = out.float()
        if skip is not None:
            out = out.add_(upsample2x(skip))
        return out


class FastGenerator(nn.Module):
    """forward(latent [N, n_latent, D]) -> float32 images [N, 3, S, S], equal to Generator(latent).

    `batch_max_res`: the highest resolution run as a batch (default: 64 in bf16/fp16, 32 in fp32, as measured
    on a 2-core AMX Xeon); above it, one sample at a time. `fuse_blur` (default: on for bf16/fp16): the 6x6
    transposed convolution for upsampling layers.
    """

    def __init__(self, generator, dtype, batch_max_res: int | None = None, fuse_blur: bool | None = None):
        super().__init__()
        reduced = dtype != torch.float32
        self.batch_max_res = batch_max_res if batch_max_res is not None else (64 if reduced else 32)
        fuse_blur = reduced if fuse_blur is None else fuse_blur
        self.dtype = dtype
        self.constant = generator.input.input.to(dtype).contiguous(memory_format=CL)  # [1, C, 4, 4]
        styled = [generator.conv1, *generator.convs]
        noises = [getattr(generator.noises, f"noise_{i}") for i in range(generator.num_layers)]
        self.layers = [_Layer(layer, noise, dtype, noise.shape[-1] <= self.batch_max_res, fuse_blur)
                       for layer, noise in zip(styled, noises, strict=True)]
        self.to_rgbs = [_ToRGB(t, dtype) for t in [generator.to_rgb1, *generator.to_rgbs]]

    def _blocks(self):
        """(first layer index, to_rgb) per resolution; the 4x4 block has one conv, the others two."""
        yield (0,), self.to_rgbs[0]
        for j, to_rgb in enumerate(self.to_rgbs[1:]):
            yield (2 * j + 1, 2 * j + 2), to_rgb

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        count = latent.shape[0]
        x = self.constant.expand(count, -1, -1, -1)
        skip = None
        blocks = list(self._blocks())
        split = next((i for i, (idx, _) in enumerate(blocks) if not self.layers[idx[0]].batched), len(blocks))
        for indices, to_rgb in blocks[:split]:  # the batch together
            for i in indices:
                x = self.layers[i].run_batched(x, latent[:, i])
            skip = to_rgb(x, latent[:, indices[-1] + 1], skip)
        if split == len(blocks):
            return skip
        images = []
        for n in range(count):  # then one sample at a time
            xn, skip_n = x[n: n + 1], skip[n: n + 1] if skip is not None else None
            for indices, to_rgb in blocks[split:]:
                for i in indices:
                    xn = self.layers[i].run_one(xn, latent[n: n + 1, i])
                skip_n = to_rgb(xn, latent[n: n + 1, indices[-1] + 1], skip_n)
            images.append(skip_n)
        return torch.cat(images)
