"""Each layer whose maths SAM_FACTS spells out, against a direct, slow computation of the same formula."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from inference_container.sam.encoder import upsample_add
from inference_container.sam.equalized import EqualLinear
from inference_container.sam.fast_generator import upsample2x
from inference_container.sam.generator import Blur, ModulatedConv2d, Upsample, generator_channels
from inference_container.sam.ops import fused_leaky_relu, make_kernel, upfirdn2d


def slow_upfirdn2d(x, kernel, up, down, pad):
    """Zero-insert, pad/crop, true 2-D convolution, subsample: explicit loops over output pixels."""
    p0, p1 = pad
    batch, channels, height, width = x.shape
    upsampled = torch.zeros(batch, channels, height * up, width * up, dtype=torch.float64)
    upsampled[:, :, ::up, ::up] = x.double()
    size_h, size_w = height * up + p0 + p1, width * up + p0 + p1
    padded = torch.zeros(batch, channels, size_h, size_w, dtype=torch.float64)
    for i in range(size_h):
        for j in range(size_w):
            si, sj = i - p0, j - p0
            if 0 <= si < height * up and 0 <= sj < width * up:
                padded[:, :, i, j] = upsampled[:, :, si, sj]
    kh, kw = kernel.shape
    out_h, out_w = (size_h - kh) // down + 1, (size_w - kw) // down + 1
    out = torch.zeros(batch, channels, out_h, out_w, dtype=torch.float64)
    for oi in range(out_h):
        for oj in range(out_w):
            acc = torch.zeros(batch, channels, dtype=torch.float64)
            for a in range(kh):
                for b in range(kw):  # true convolution: kernel index reversed
                    acc += padded[:, :, oi * down + a, oj * down + b] * kernel[kh - 1 - a, kw - 1 - b].double()
            out[:, :, oi, oj] = acc
    return out


@pytest.mark.parametrize("up,down,pad", [(1, 1, (1, 1)), (2, 1, (2, 1)), (1, 2, (1, 1)), (2, 2, (-1, 2)),
                                         (1, 1, (-2, 1)), (3, 1, (0, -1))])
def test_upfirdn2d_matches_direct_loop_with_asymmetric_kernel(up, down, pad):
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 6, 6, generator=generator)
    kernel = torch.rand(4, 3, generator=generator)  # asymmetric, non-square: the flip matters
    kernel[0, 0] = 2.0
    out = upfirdn2d(x, kernel, up=up, down=down, pad=pad)
    expected = slow_upfirdn2d(x, kernel, up, down, pad)
    assert out.shape == expected.shape
    assert torch.allclose(out.double(), expected, atol=1e-5)


def test_upsample_preserves_constants_and_fast_form_matches():
    x = torch.full((1, 2, 5, 5), 0.7)
    up = Upsample()
    assert up.pad == (2, 1)
    interior = up(x)[:, :, 2:-2, 2:-2]  # borders see the zero padding
    assert torch.allclose(interior, torch.full_like(interior, 0.7), atol=1e-6)
    y = torch.randn(2, 3, 7, 9)
    assert torch.allclose(upsample2x(y), up(y), atol=1e-6)


def test_kernel_construction():
    kernel = make_kernel([1, 3, 3, 1])
    assert kernel.shape == (4, 4)
    assert kernel[1, 2].item() == pytest.approx(9 / 64)
    assert Blur((1, 1), upsample_factor=2).kernel.sum().item() == pytest.approx(4.0)


def test_fused_leaky_relu_formula():
    x = torch.randn(3, 4, 5, 5)
    bias = torch.randn(4)
    out = fused_leaky_relu(x, bias)
    for c in range(4):
        z = x[:, c] + bias[c]
        expected = torch.where(z >= 0, z, 0.2 * z) * math.sqrt(2)
        assert torch.allclose(out[:, c], expected, atol=1e-6)
    features = torch.randn(2, 4)
    assert torch.allclose(fused_leaky_relu(features, bias), F.leaky_relu(features + bias, 0.2) * math.sqrt(2))


def test_equal_linear_formula():
    layer = EqualLinear(8, 5, bias_init=0.5, lr_mul=0.01, activation="fused_lrelu")
    x = torch.randn(3, 8)
    pre = x @ (layer.weight * 0.01 / math.sqrt(8)).t() + layer.bias * 0.01
    assert torch.allclose(layer(x), F.leaky_relu(pre, 0.2) * math.sqrt(2), atol=1e-6)


def direct_modulated_conv(conv: ModulatedConv2d, x, style):
    """Per sample: explicit weight w = scale*W*s (then demodulated), explicit sums over taps."""
    outs = []
    k = conv.kernel_size
    for b in range(x.shape[0]):
        s = conv.modulation(style[b: b + 1])[0].double()  # [in]
        weight = conv.scale * conv.weight[0].double() * s[None, :, None, None]  # [out, in, k, k]
        if conv.demodulate:
            weight = weight / torch.sqrt((weight**2).sum(dim=(1, 2, 3), keepdim=True) + 1e-8)
        xb = x[b].double()
        _, height, width = xb.shape
        if conv.upsample:  # transposed conv, stride 2: out[o, 2p+a, 2q+c] += x[i, p, q] * w[o, i, a, c]
            out = torch.zeros(conv.out_channel, 2 * height + k - 2, 2 * width + k - 2, dtype=torch.float64)
            for a in range(k):
                for c in range(k):
                    out[:, a: a + 2 * height: 2, c: c + 2 * width: 2] += torch.einsum("ihw,oi->ohw", xb, weight[:, :, a, c])
            out = slow_upfirdn2d(out[None].float(), conv.blur.kernel, 1, 1, conv.blur.pad)[0]
        else:
            pad = k // 2
            padded = F.pad(xb, (pad, pad, pad, pad))
            out = torch.zeros(conv.out_channel, height, width, dtype=torch.float64)
            for a in range(k):
                for c in range(k):
                    out += torch.einsum("ihw,oi->ohw", padded[:, a: a + height, c: c + width], weight[:, :, a, c])
        outs.append(out)
    return torch.stack(outs)


@pytest.mark.slow
@pytest.mark.parametrize("demodulate,upsample,kernel_size", [(True, False, 3), (False, False, 1), (True, True, 3),
                                                             (False, True, 3)])
def test_modulated_conv_matches_direct_per_sample_computation(demodulate, upsample, kernel_size):
    torch.manual_seed(0)
    conv = ModulatedConv2d(5, 4, kernel_size, style_dim=6, demodulate=demodulate, upsample=upsample)
    with torch.no_grad():
        conv.modulation.weight.mul_(2)
        x = torch.randn(3, 5, 6, 6)
        style = torch.randn(3, 6)
        expected = direct_modulated_conv(conv, x, style)
        for fast in (False, True):  # grouped per-sample weights vs modulated activations
            out = conv(x, style, fast=fast)
            assert out.shape == expected.shape
            assert torch.allclose(out.double(), expected, atol=1e-4), fast


def test_fpn_merge_is_bilinear_with_align_corners():
    x = torch.randn(1, 2, 4, 4)
    y = torch.randn(1, 2, 7, 7)
    out = upsample_add(x, y)
    expected = torch.empty_like(y)
    for i in range(7):
        for j in range(7):  # align_corners=True: output corners map onto input corners
            fi, fj = i * 3 / 6, j * 3 / 6
            i0, j0 = min(int(fi), 2), min(int(fj), 2)
            di, dj = fi - i0, fj - j0
            expected[:, :, i, j] = ((1 - di) * (1 - dj) * x[:, :, i0, j0] + (1 - di) * dj * x[:, :, i0, j0 + 1]
                                    + di * (1 - dj) * x[:, :, i0 + 1, j0] + di * dj * x[:, :, i0 + 1, j0 + 1])
    assert torch.allclose(out, expected + y, atol=1e-5)


def test_released_generator_channels():
    assert generator_channels(1024) == {4: 512, 8: 512, 16: 512, 32: 512, 64: 512, 128: 256, 256: 128,
                                        512: 64, 1024: 32}
