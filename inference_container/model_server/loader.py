"""Load the engine once, in the background, so `/ping` can answer 503 quickly until it is ready."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from inference_container.engine import load_engine, resolve_engine_name

log = logging.getLogger(__name__)

#: SageMaker unpacks ModelDataUrl here; `model.pt` is the released SAM checkpoint dict.
DEFAULT_MODEL_DIR = Path("/opt/ml/model")
MODEL_FILE = "model.pt"


class DeviceUnavailable(RuntimeError):
    """The server was started for a device (the image's CUDA) that this machine cannot give it."""


def check_device(device: str | None) -> None:
    """Refuse to load on anything but the device asked for: a GPU image whose CUDA cannot start (a driver
    too old for it) must fail its health check, not quietly run every photo on the CPU."""
    if device is None or not device.startswith("cuda"):
        return
    import torch

    if not torch.cuda.is_available():
        raise DeviceUnavailable(
            f"started for {device}, but CUDA {torch.version.cuda or '(none)'} is not available here "
            "(no GPU, or an NVIDIA driver too old for this CUDA)"
        )


def engine_factory(
    model_dir: Path, engine: str = "auto", device: str | None = None, precision: str = "auto"
) -> Callable[[], object]:
    """A no-argument callable that builds the engine from `model_dir/model.pt` on `device` (None: the best
    available) in `precision`."""
    model_file = Path(model_dir) / MODEL_FILE

    def build():
        # Without model.pt, `sam`/`auto` fall back on $TIME_TRAVELER_WEIGHTS and the cache (local runs).
        weights = model_file if model_file.is_file() else None
        name = resolve_engine_name(engine, weights)
        if name != "sam":
            return load_engine(name, weights=weights, device=device, precision=precision)
        check_device(device)
        loaded = load_engine(name, weights=weights, device=device, precision=precision)
        placed = str(getattr(loaded, "device", device))
        if device is not None and not placed.startswith(device.split(":")[0]):
            raise DeviceUnavailable(f"asked for {device}, but the engine was placed on {placed}")
        log.info("engine on %s in %s", placed, getattr(loaded, "precision", precision))
        return loaded

    return build


class EngineLoader:
    """Builds the engine on a worker thread; the engine is then shared read-only by every request.

    The only writes happen once, on the loading thread, before `ready` is set; readers wait on the
    event, so no lock is needed around `engine`/`error`.
    """

    def __init__(self, factory: Callable[[], object]):
        self._factory = factory
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self.engine = None
        self.error: BaseException | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._load, name="engine-loader", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        try:
            self.engine = self._factory()
            log.info("engine %s loaded", getattr(self.engine, "name", "?"))
        except BaseException as exc:  # noqa: BLE001 - reported through /ping, never raised into a request
            self.error = exc
            log.exception("engine failed to load")
        finally:
            self._ready.set()

    @property
    def ready(self) -> bool:
        """True once the engine loaded successfully."""
        return self._ready.is_set() and self.engine is not None

    def wait(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout) and self.engine is not None

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
