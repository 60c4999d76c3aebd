"""The SAM engine: align the face, run every target age through our PyTorch SAM in one batch, return frames.

Load once per process (`SamEngine.load`) and reuse: loading memory-maps the 2.3 GB checkpoint. `age` is
safe to call from several threads; the network itself runs one photo at a time (it uses all cores anyway).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import torch
from PIL import Image

from booth_core.ages import DEFAULT_AGES, validate_ages
from booth_core.errors import InferenceError, WeightsError
from booth_core.result import AgedFrame, AgingResult
from inference_container.sam.checkpoint import load_checkpoint
from inference_container.sam.fast import FastSam, compile_by_default
from inference_container.sam.images import SAM_INPUT_SIZE, image_to_tensor, tensor_to_image
from inference_container.sam.memory import keep_freed_memory
from inference_container.sam.model import SamModel
from inference_container.sam.precision import precision_name
from inference_container.weights import find_weights

NO_WEIGHTS = (
    "No SAM weights were found. Download them with `time-traveler weights download`, "
    "or point --weights / TIME_TRAVELER_WEIGHTS at sam_ffhq_aging.pt."
)


def default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def default_aligner(photo, output_size: int = SAM_INPUT_SIZE) -> Image.Image:
    from inference_container.align import align_face

    return align_face(photo, output_size)


class SamEngine:
    """`age(photo, ages)` -> AgingResult with the aligned 256x256 original and one SxS frame per age."""

    name = "sam"

    def __init__(
        self,
        model: SamModel,
        weights_path: Path | None = None,
        load_seconds: float = 0.0,
        aligner: Callable[..., Image.Image] | None = None,
        compile: bool | str = False,
    ):
        device = next(model.parameters()).device
        dtype = next(model.parameters()).dtype
        if compile == "auto":
            compile = compile_by_default(dtype, device)
        self.fast = FastSam(model, compile=bool(compile))
        self.compile_seconds = self.fast.warm_up()
        self.device = device
        self.precision = precision_name(self.fast.dtype)
        self.output_size = model.config.output_size
        self.weights_path, self.load_seconds = weights_path, load_seconds
        self._align = aligner or default_aligner
        self._lock = threading.Lock()  # one forward at a time: it already uses every core

    @classmethod
    def load(
        cls,
        weights: str | os.PathLike | None = None,
        device: str | None = None,
        precision: str = "auto",
        aligner=None,
        compile: bool | str = "auto",
        keep_memory: bool = True,
    ) -> SamEngine:
        """Find the weights (explicit, $TIME_TRAVELER_WEIGHTS, cache) and load them; WeightsError if absent.

        `compile`: "auto" (on for CPU bf16/fp16), True or False: torch.compile the generator's fused activations,
        warmed up here (part of `load_seconds`, also in `compile_seconds`) so that no photo pays for it.
        `keep_memory` (CPU): keep freed activation memory in the process for the next layer and photo
        (inference_container.sam.memory; process-wide), about 20 % faster per photo.
        """
        if weights is not None and not Path(weights).is_file():
            raise WeightsError(f"The SAM weights file {weights} does not exist.")
        path = find_weights(weights)
        if path is None:
            raise WeightsError(NO_WEIGHTS)
        start = time.perf_counter()
        device = device or default_device()
        if keep_memory and torch.device(device).type == "cpu":
            keep_freed_memory()
        try:
            model = load_checkpoint(path, device=device, precision=precision, channels_last=True)
        except ValueError as error:  # an unknown precision name
            raise WeightsError(str(error)) from error
        engine = cls(model, weights_path=path, aligner=aligner, compile=compile)
        engine.load_seconds = time.perf_counter() - start
        return engine

    def age(self, photo: Image.Image | bytes, ages=None) -> AgingResult:
        """Align the face (NoFaceError without one) and render it at each target age, in order."""
        ages = validate_ages(DEFAULT_AGES if ages is None else ages)
        start = time.perf_counter()
        aligned = self._align(photo, SAM_INPUT_SIZE)
        rgb = image_to_tensor(aligned).to(self.device)
        timings = {"align_s": time.perf_counter() - start}
        try:
            with self._lock:
                mark = time.perf_counter()
                wplus = self.fast.age_codes(rgb, ages) + self.fast.base_codes(rgb)  # [N, n_styles, D]
                timings["encode_s"] = time.perf_counter() - mark
                mark = time.perf_counter()
                images = self.fast.generate(wplus).cpu()  # [N, 3, S, S]
                timings["generate_s"] = time.perf_counter() - mark
        except RuntimeError as error:
            raise InferenceError(f"The SAM model failed on this photo ({error}).") from error
        frames = [AgedFrame(age, tensor_to_image(image)) for age, image in zip(ages, images, strict=True)]
        timings["total_s"] = time.perf_counter() - start
        return AgingResult(original=aligned, frames=frames, engine=self.name, timings=timings)
