"""Our PyTorch SAM (Style-based Age Manipulation, arXiv 2102.02754): model, checkpoint I/O, fast inference."""

from inference_container.sam.checkpoint import load_checkpoint, save_checkpoint, verify_checkpoint
from inference_container.sam.model import SamConfig, SamModel
from inference_container.sam.precision import resolve_precision
from inference_container.sam.random_checkpoint import save_random_checkpoint

__all__ = ["SamConfig", "SamModel", "load_checkpoint", "resolve_precision", "save_checkpoint",
           "save_random_checkpoint", "verify_checkpoint"]
