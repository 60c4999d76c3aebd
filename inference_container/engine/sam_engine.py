"""The SAM engine: every face of a photo, all target ages, through our PyTorch SAM in one batch.

Load once per process (`SamEngine.load`) and reuse: loading memory-maps the 2.3 GB checkpoint. `age` is
safe to call from several threads; the network itself runs one photo at a time (it uses all cores anyway).
Finding, aligning and pasting faces back is engine/pipeline.py's; this module is `age_faces` (FaceEngine).
Process-wide tuning (glibc's mallopt, sam/memory.py) is the caller's: the CLI and the servers set it at
start, loading an engine never does.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from booth_core.errors import InferenceError, WeightsError
from booth_core.result import AgingResult
from inference_container.engine.faces import FaceCrop, FaceFrames
from inference_container.engine.pipeline import age_photo
from inference_container.sam.checkpoint import load_checkpoint
from inference_container.sam.fast import FastSam, compile_by_default
from inference_container.sam.images import SAM_INPUT_SIZE, image_to_tensor, tensor_to_image
from inference_container.sam.model import SamModel
from inference_container.sam.precision import PrecisionError, precision_name
from inference_container.weights import find_weights

LOG = logging.getLogger(__name__)
NO_WEIGHTS = ("No SAM weights were found. Download them with `time-traveler weights download`, "
              "or point --weights / TIME_TRAVELER_WEIGHTS at sam_ffhq_aging.pt.")


def default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


class SamEngine:
    """`age(photo, ages, layout)` -> AgingResult; `age_faces(faces, ages)` -> SxS aged crops (FaceEngine)."""

    name = "sam"
    crop_size = SAM_INPUT_SIZE

    def __init__(self, model: SamModel, weights_path: Path | None = None, load_seconds: float = 0.0,
                 compile: bool | str = False):
        self.device = next(model.parameters()).device
        self.compile = compile
        self.weights_path, self.load_seconds = weights_path, load_seconds
        self._use(model)
        self._lock = threading.Lock()  # one forward at a time: it already uses every core

    def _use(self, model: SamModel) -> None:
        dtype = next(model.parameters()).dtype
        compile = compile_by_default(dtype, self.device) if self.compile == "auto" else bool(self.compile)
        self.fast = FastSam(model, compile=compile)
        self.compile_seconds = self.fast.warm_up()
        self.precision = precision_name(self.fast.dtype)
        self.output_size = model.config.output_size

    @classmethod
    def load(cls, weights: str | os.PathLike | None = None, device: str | None = None,
             precision: str = "auto", compile: bool | str = "auto") -> SamEngine:
        """Find the weights (explicit, $TIME_TRAVELER_WEIGHTS, cache) and load them; WeightsError if absent
        or if `precision` is one the device only emulates (sam/precision.py).

        `compile`: "auto" (on for CPU bf16/fp16), True or False: torch.compile the generator's fused activations,
        warmed up here (part of `load_seconds`, also in `compile_seconds`) so that no photo pays for it.
        """
        if weights is not None and not Path(weights).is_file():
            raise WeightsError(f"The SAM weights file {weights} does not exist.")
        path = find_weights(weights)
        if path is None:
            raise WeightsError(NO_WEIGHTS)
        start = time.perf_counter()
        device = device or default_device()
        try:
            model = load_checkpoint(path, device=device, precision=precision, channels_last=True)
        except PrecisionError as error:
            raise WeightsError(f"Precision {error}") from error
        engine = cls(model, weights_path=path, compile=compile)
        engine.load_seconds = time.perf_counter() - start
        return engine

    def age(self, photo: Image.Image | bytes, ages=None, layout: str = "photo", sitter: str | None = None
            ) -> AgingResult:
        """Every face of `photo` at each target age (NoFaceError without one); layout "photo" or "aligned".
        `sitter` is checked and otherwise unused: SAM needs no judgement of the sitter's age."""
        return age_photo(self, photo, ages, layout, sitter)

    def age_faces(self, faces: Sequence[FaceCrop], ages: Sequence[int],
                  timings: dict[str, float] | None = None,
                  sitters: Sequence[str | None] | None = None) -> list[FaceFrames]:
        """FaceEngine: all faces x ages in one batch -> per face, uint8 (S, S, 3) per age, S the model's size;
        SAM shows every asked age as asked (so `sitters` change nothing)."""
        timings = {} if timings is None else timings
        rgb = torch.cat([image_to_tensor(Image.fromarray(face.image)) for face in faces]).to(self.device)
        try:
            with self._lock:
                images = self._run(rgb, ages, timings)
                if not bool(torch.isfinite(images).all()):
                    images = self._fall_back_to_fp32(rgb, ages, timings)
        except RuntimeError as error:
            raise InferenceError(f"The SAM model failed on this photo ({error}).") from error
        frames = [np.asarray(tensor_to_image(image), dtype=np.uint8) for image in images.cpu()]
        return [FaceFrames(frames[i * len(ages): (i + 1) * len(ages)], list(ages)) for i in range(len(faces))]

    def _run(self, rgb: torch.Tensor, ages, timings: dict[str, float]) -> torch.Tensor:
        mark = time.perf_counter()
        wplus = self.fast.codes(rgb, ages)  # [F*N, n_styles, D], fp32
        timings["encode_s"] = timings.get("encode_s", 0.0) + time.perf_counter() - mark
        mark = time.perf_counter()
        images = self.fast.generate(wplus)  # [F*N, 3, S, S] fp32
        timings["generate_s"] = timings.get("generate_s", 0.0) + time.perf_counter() - mark
        return images

    def _fall_back_to_fp32(self, rgb: torch.Tensor, ages, timings) -> torch.Tensor:
        """fp16 overflowed (inf/NaN): reload the weights in fp32, for good, and run again."""
        if self.precision == "fp32" or self.weights_path is None:
            raise InferenceError("The SAM model produced an invalid image for this photo.")
        LOG.warning("SAM in %s gave non-finite output; reloading the weights in fp32", self.precision)
        self._use(load_checkpoint(self.weights_path, device=self.device, precision="fp32", channels_last=True))
        images = self._run(rgb, ages, timings)
        if not bool(torch.isfinite(images).all()):
            raise InferenceError("The SAM model produced an invalid image for this photo.")
        return images
