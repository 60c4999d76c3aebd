"""The StyleGAN2 generator arranged for CPU throughput: the same maths as `Generator`, fewer memory passes.

Two ways to apply a style, chosen per resolution:
* low resolutions (<= `batch_max_res`): the whole batch at once with one shared weight, the style scaling the
  input activations and the demodulation scaling the output (big GEMMs, no per-sample weight copies);
* high resolutions: one sample at a time with the style, the demodulation and the leaky ReLU's sqrt(2) gain
  folded into one small per-sample weight and the bias into the convolution, so only the noise add and the
  leaky ReLU remain, as in-place passes or (`compile_min_res`) as one pass compiled by torch.compile.

Upsampling layers (a stride-2 transposed 3x3 convolution, then a 4x4 blur) run one of three exact
rearrangements (`upsample_mode`): the two passes as written (fastest in fp32), one 6x6 transposed convolution,
or that kernel split into four phase 3x3 convolutions and a pixel shuffle (hardware bf16: the 6x6 kernel does
4x the multiply-adds but in one well-blocked pass); sam/tuning.py picks them per CPU. Everything per layer that depends only on the weights (the
modulation matrices with their scales, sum_k W^2 for the demodulation, the scaled noise, the rearranged
kernels) is computed once, in fp32.
"""

from __future__ import annotations

import functools
import time
import warnings

import torch
import torch.nn.functional as F
from torch import nn

from inference_container.sam.generator import DEMOD_EPS
from inference_container.sam.ops import LRELU_GAIN, LRELU_SLOPE
from inference_container.sam.tuning import CpuTuning, cpu_tuning

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


def phase_kernel(kernel6: torch.Tensor) -> torch.Tensor:
    """[in, out, 6, 6] stride-2 transposed kernel (padding 2) -> [out*4, in, 3, 3] ordinary 3x3 kernel (padding 1).

    Output pixel (2i+a, 2j+b) of the transposed convolution reads input rows i-1..i+1 with taps 4+a, 2+a, a (and
    the same for columns): one 3x3 convolution per phase (a, b), channels ordered (out, a, b) for pixel_shuffle.
    """
    phases = [kernel6[:, :, a::2, b::2].flip(2, 3).transpose(0, 1) for a in (0, 1) for b in (0, 1)]
    return torch.stack(phases, 1).reshape(-1, kernel6.shape[0], 3, 3)


def add_noise_leaky_relu_(x: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """leaky_relu(x + noise), in place: two passes over x. x [N, C, H, W], noise [1, 1, H, W]."""
    return F.leaky_relu_(x.add_(noise), LRELU_SLOPE)


def add_noise_leaky_relu(x: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """leaky_relu(x + noise) into a new tensor: what torch.compile turns into one pass."""
    return F.leaky_relu(x + noise, LRELU_SLOPE)


@functools.cache
def compiled_activation():
    """add_noise_leaky_relu compiled by inductor for static shapes (one compile per shape, ~1 to 3 s each).

    Measured on the bench machine at 1024x1024x32: 7 to 10 ms against 32 ms eager in bf16 (eager bf16 adds
    with a broadcast noise are slow) and 6 against 11 ms in fp32.
    """
    # not fullgraph, so that it still runs under a dispatch mode such as FlopCounterMode (eagerly; dynamo then
    # keeps it eager for good: count FLOPs under torch.compiler.set_stance("force_eager"), as the bench does)
    return torch.compile(add_noise_leaky_relu, dynamic=False)


class _Layer:
    """What one StyledConv needs at inference, precomputed in fp32 (plain attributes: never trained)."""

    def __init__(self, styled, noise, dtype, batched: bool, mode: str, compiled: bool = False):
        conv = styled.conv
        mod = conv.modulation
        # s = style @ mod_weight.T + mod_bias, already times the equalized-lr scale of the conv: [in]
        self.mod_weight = mod.weight.float() * (mod.scale * conv.scale)
        self.mod_bias = mod.bias.float() * (mod.lr_mul * conv.scale)
        raw = conv.weight[0].float()  # [out, in, k, k]
        self.weight_sq = raw.pow(2).sum([2, 3])  # [out, in]: sum_{in,k} (W s)^2 = weight_sq @ s^2
        self.bias = styled.activate.bias.float() * LRELU_GAIN  # [out]
        self.noise = (noise.float() * styled.noise.weight.float() * LRELU_GAIN).to(dtype)  # [1, 1, H, W]
        self.padding, self.out_channels = conv.padding, conv.out_channel
        self.mode = mode if conv.upsample else "conv"
        self.batched, self.dtype = batched, dtype
        self.activate = compiled_activation() if compiled else add_noise_leaky_relu_
        self.repeat = 4 if self.mode == "phases" else 1  # output channels per image channel
        if self.mode == "transpose":
            kernel = raw.transpose(0, 1)  # [in, out, 3, 3]; the transposed view: fastest for conv_transpose
            blur = conv.blur.kernel
            self.blur = blur.flip(0, 1).to(dtype).expand(conv.out_channel, 1, *blur.shape).contiguous(
                memory_format=CL)
        elif self.mode == "transpose6":
            kernel = blurred_transposed_kernel(raw, conv.blur.kernel)  # [in, out, 6, 6]
        elif self.mode == "phases":
            kernel = phase_kernel(blurred_transposed_kernel(raw, conv.blur.kernel))  # [out*4, in, 3, 3]
        else:
            kernel = raw  # [out, in, k, k]
        # batched: the shared weight in the compute dtype; per sample: fp32, scaled per sample at run time
        self.kernel = kernel.to(dtype) if batched else kernel
        if batched and self.mode in ("conv", "phases"):
            self.kernel = self.kernel.contiguous(memory_format=CL)

    def styles(self, latent: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """latent [N, D] -> s [N, in] and the demodulation times the gain [N, out], fp32."""
        s = torch.addmm(self.mod_bias, latent.float(), self.mod_weight.t())
        demod = torch.rsqrt(s.pow(2) @ self.weight_sq.t() + DEMOD_EPS) * LRELU_GAIN
        return s, demod

    def _convolve(self, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
        if self.mode == "transpose":
            out = F.conv_transpose2d(x, weight, stride=2)  # [N, out, 2H+1, 2W+1]
            # the blur (pad 1, 1) as a depthwise conv; the bias after it (the kernel sums to 4, not 1)
            return F.conv2d(out, self.blur, bias, padding=1, groups=self.out_channels)
        if self.mode == "transpose6":
            return F.conv_transpose2d(x, weight, bias, stride=2, padding=2)
        return F.conv2d(x, weight, bias, padding=self.padding)  # "phases": [N, out*4, H, W]

    def _finish(self, out: torch.Tensor) -> torch.Tensor:
        if self.mode == "phases":
            out = F.pixel_shuffle(out, 2)
        return self.activate(out, self.noise)

    def run_batched(self, x: torch.Tensor, latent: torch.Tensor) -> torch.Tensor:
        """x [N, in, H, W] -> [N, out, H', W']: modulated activations, one shared weight."""
        s, demod = self.styles(latent)
        out = self._convolve(x * s.to(self.dtype)[:, :, None, None], self.kernel, None)
        scale = demod.repeat_interleave(self.repeat, 1).to(self.dtype)[:, :, None, None]
        bias = self.bias.repeat_interleave(self.repeat).to(self.dtype)[None, :, None, None]
        return self._finish(torch.addcmul(bias, out, scale))

    def run_one(self, x: torch.Tensor, latent: torch.Tensor) -> torch.Tensor:
        """x [1, in, H, W] -> [1, out, H', W']: the style, demodulation and gain folded into the weight."""
        s, demod = self.styles(latent)
        s, demod = s[0], demod[0].repeat_interleave(self.repeat)
        if self.mode in ("transpose", "transpose6"):  # kernel [in, out, k, k]
            weight = (self.kernel * (s[:, None] * demod[None, :])[:, :, None, None]).to(self.dtype)
        else:  # kernel [out, in, k, k]
            weight = self.kernel * (demod[:, None] * s[None, :])[:, :, None, None]
            weight = weight.to(self.dtype, memory_format=CL)
        bias = self.bias.repeat_interleave(self.repeat).to(self.dtype)
        return self._finish(self._convolve(x, weight, bias))


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
        """x [N, in, H, W] -> fp32 [N, 3, H, W] plus the upsampled skip: a per-sample 1x1 weight [3, in]."""
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

    `batch_max_res`: the highest resolution run as a batch; above it, one sample at a time. `upsample`: force
    one way of running the upsampling layers ("transpose", "transpose6", "phases"). Defaults for both come
    from `tuning` (default: tuning.cpu_tuning for this CPU and dtype). `compile_min_res`:
    per-sample layers from this resolution on (default 256; None: none) add the noise and apply the leaky ReLU
    in one pass compiled by torch.compile (`warm_up()` compiles them ahead of the first image).
    """

    def __init__(self, generator, dtype, batch_max_res: int | None = None, upsample: str | None = None,
                 compile_min_res: int | None = None, tuning: CpuTuning | None = None):
        super().__init__()
        tuning = tuning or cpu_tuning(dtype)
        self.batch_max_res = batch_max_res if batch_max_res is not None else tuning.batch_max_res
        self.dtype = dtype
        self.constant = generator.input.input.to(dtype).contiguous(memory_format=CL)  # [1, C, 4, 4]
        styled = [generator.conv1, *generator.convs]
        noises = [getattr(generator.noises, f"noise_{i}") for i in range(generator.num_layers)]
        self.layers = []
        for layer, noise in zip(styled, noises, strict=True):
            res = noise.shape[-1]
            batched = res <= self.batch_max_res
            compiled = not batched and compile_min_res is not None and res >= compile_min_res
            self.layers.append(_Layer(layer, noise, dtype, batched, upsample or tuning.upsample_mode(res // 2),
                                      compiled))
        self.to_rgbs = [_ToRGB(t, dtype) for t in [generator.to_rgb1, *generator.to_rgbs]]

    def warm_up(self) -> float:
        """Compile the fused activations for their shapes now (seconds taken); a no-op without compiled layers.

        Where compiling fails (no C++ compiler on the machine, an unsupported Python), every layer falls back
        to the eager passes, with a warning: slower, same result.
        """
        start = time.perf_counter()
        for layer in self.layers:
            if layer.activate is not add_noise_leaky_relu_:
                size = layer.noise.shape[-1]
                try:
                    with torch.inference_mode():  # an inference tensor like the real ones, or the guards fail
                        x = torch.zeros(1, layer.out_channels, size, size, dtype=self.dtype,
                                        device=layer.noise.device)  # where the real activations live
                        layer.activate(x.contiguous(memory_format=CL), layer.noise)
                except Exception as error:  # noqa: BLE001 - any compiler failure: run eagerly instead
                    warnings.warn(f"torch.compile failed ({type(error).__name__}); running eagerly", stacklevel=2)
                    for each in self.layers:
                        each.activate = add_noise_leaky_relu_
                    break
        return time.perf_counter() - start

    def _blocks(self):
        """(layer indices, to_rgb) per resolution: the 4x4 block has one conv, the others two."""
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
