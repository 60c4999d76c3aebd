"""The SAM network: aging encoder + StyleGAN2 decoder + frozen pSp encoder, and its architecture config."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

from inference_container.sam.encoder import GradualStyleEncoder
from inference_container.sam.generator import Generator

# Extra opts keys a test checkpoint may carry; the released file lacks them and gets these defaults.
ARCH_DEFAULTS = {"style_dim": 512, "generator_width": 512, "n_mlp": 8, "channel_multiplier": 2}


@dataclass(frozen=True)
class SamConfig:
    """What the network's shape depends on; the released checkpoint is SamConfig() (1024, 512 wide)."""

    output_size: int = 1024
    input_nc: int = 4
    style_dim: int = 512
    generator_width: int = 512
    n_mlp: int = 8
    channel_multiplier: int = 2
    start_from_encoded_w_plus: bool = True
    start_from_latent_avg: bool = False

    @property
    def n_styles(self) -> int:
        return 2 * int(math.log2(self.output_size)) - 2

    @classmethod
    def small(cls, output_size: int = 64) -> SamConfig:
        """A few-MB variant with the released layout, for tests."""
        return cls(output_size=output_size, style_dim=32, generator_width=32, n_mlp=2)

    @classmethod
    def from_opts(cls, opts: dict) -> SamConfig:
        values = {name: opts.get(name, default) for name, default in ARCH_DEFAULTS.items()}
        return cls(output_size=int(opts["output_size"]), input_nc=int(opts["input_nc"]),
                   start_from_encoded_w_plus=bool(opts.get("start_from_encoded_w_plus", False)),
                   start_from_latent_avg=bool(opts.get("start_from_latent_avg", False)),
                   **{name: int(value) for name, value in values.items()})

    def to_opts(self) -> dict:
        """opts entries for a saved checkpoint; architecture keys only where they differ from the release."""
        opts = asdict(self)
        for name, default in ARCH_DEFAULTS.items():
            if opts[name] == default:
                del opts[name]
        return opts


class SamModel(nn.Module):
    """x [B, 4, 256, 256] (RGB in [-1,1] + age/100) -> raw generator image [B, 3, S, S].

    W+ = aging_encoder(x) + pretrained_encoder(rgb) + latent_avg (released start_from_encoded_w_plus mode).
    `latent_avg` is a non-persistent buffer: the checkpoint keeps it outside state_dict.
    """

    def __init__(self, config: SamConfig = SamConfig()):
        super().__init__()
        self.config = config
        n_styles = config.n_styles
        self.encoder = GradualStyleEncoder(n_styles, config.input_nc, config.style_dim)
        self.decoder = Generator(config.output_size, config.style_dim, config.n_mlp, config.channel_multiplier,
                                 width=config.generator_width)
        if config.start_from_encoded_w_plus:
            self.pretrained_encoder = GradualStyleEncoder(n_styles, 3, config.style_dim)
        self.register_buffer("latent_avg", torch.zeros(n_styles, config.style_dim), persistent=False)

    def set_latent_avg(self, latent_avg: torch.Tensor) -> None:
        """Accept [style_dim] or [n_styles, style_dim]; store [n_styles, style_dim]."""
        expected = (self.config.n_styles, self.config.style_dim)
        if latent_avg.dim() == 1:
            latent_avg = latent_avg[None].expand(expected[0], -1)
        if tuple(latent_avg.shape) != expected:
            raise ValueError(f"latent_avg has shape {list(latent_avg.shape)}, expected {list(expected)} "
                             f"or [{expected[1]}]")
        self.latent_avg = latent_avg.detach().to(self.latent_avg.device, self.latent_avg.dtype).clone()

    def base_codes(self, rgb: torch.Tensor) -> torch.Tensor:
        """The age-independent part of W+ in fp32: [B, n_styles, D] (or [1, n_styles, D] when it is just
        latent_avg)."""
        latent_avg = self.latent_avg.float()
        if self.config.start_from_latent_avg:
            return latent_avg[None]
        if self.config.start_from_encoded_w_plus:
            return self.pretrained_encoder(rgb).float() + latent_avg
        return torch.zeros_like(latent_avg)[None]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        codes = self.encoder(x).float() + self.base_codes(x[:, :3])  # W+ [B, n_styles, D], fp32 in any precision
        return self.decoder(codes)
