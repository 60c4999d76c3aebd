"""Random SAM checkpoints in the released format, for tests (small) and the benchmark (full size)."""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

from inference_container.sam.checkpoint import save_checkpoint
from inference_container.sam.generator import ToRGB
from inference_container.sam.model import SamConfig, SamModel

CODE_GAIN = 20.0  # default-initialised style heads give codes of std ~0.02; real ones are ~0.5
AGE_GAIN = 20.0


def random_model(config: SamConfig, seed: int = 0) -> SamModel:
    """A SamModel whose random weights keep activations and images in a realistic range.

    Beyond the default init: non-trivial BatchNorm statistics, nonzero noise strengths and biases, and
    quieter ToRGB weights so the image is not saturated (a saturated image would hide numeric differences),
    louder style heads and age channel so codes (and the age's effect on them) have the released scale.
    """
    torch.manual_seed(seed)
    model = SamModel(config)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.weight.uniform_(0.8, 1.2)
                module.bias.normal_(0.0, 0.1)
                module.running_mean.normal_(0.0, 0.1)
                module.running_var.uniform_(0.5, 1.5)
            elif isinstance(module, ToRGB):
                module.conv.weight.mul_(0.15)
                module.bias.normal_(0.0, 0.1)
        for encoder in (model.encoder, getattr(model, "pretrained_encoder", None)):
            if encoder is not None:
                for head in encoder.styles:
                    head.linear.weight.mul_(CODE_GAIN)
        if config.input_nc == 4:
            model.encoder.input_layer[0].weight[:, 3].mul_(AGE_GAIN)
        for name, param in model.decoder.named_parameters():
            if name.endswith("noise.weight"):
                param.normal_(0.0, 0.1)
            elif name.endswith("activate.bias"):
                param.normal_(0.0, 0.1)
        model.set_latent_avg(torch.randn(config.style_dim) * 0.5)
    return model.eval()


def save_random_checkpoint(path: str | os.PathLike, output_size: int = 64, seed: int = 0,
                           small: bool = True) -> Path:
    """Write a random checkpoint: small=True is a few-MB test model, small=False the released 564M layout."""
    config = SamConfig.small(output_size) if small else SamConfig(output_size=output_size)
    return save_checkpoint(random_model(config, seed), path)
