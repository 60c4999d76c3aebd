"""`time-traveler package-model`: build model.tar.gz for SageMaker (`model.pt` plus `code/`).

Layout (what SageMaker unpacks into /opt/ml/model):
    model.pt                         the released SAM checkpoint dict, unchanged
    code/inference.py                model_fn / input_fn / predict_fn / output_fn
    code/requirements.txt            pip-installed by the PyTorch toolkit at start
    code/inference_container/...     this package (no torch pin: the toolkit image has torch)
"""

from __future__ import annotations

import argparse
import io
import tarfile
from pathlib import Path

import inference_container
from booth_core.errors import WeightsError

PACKAGE_DIR = Path(inference_container.__file__).resolve().parent
INFERENCE_SCRIPT = PACKAGE_DIR / "code" / "inference.py"
#: Base runtime needs of the engine inside the SageMaker PyTorch image (torch is already there).
REQUIREMENTS = (
    "numpy>=1.26",
    "pillow>=10.0",
    "opencv-python-headless>=4.8",
    "dlib-bin>=19.24",
    "face_recognition_models>=0.3.0",
    "platformdirs>=4.0",
)
SKIP_PARTS = {"__pycache__", "code"}
SKIP_SUFFIXES = {".pyc", ".pyo"}


def package_files() -> list[tuple[Path, str]]:
    """(source, archive name) for every file of the package that goes under code/."""
    files = []
    for path in sorted(PACKAGE_DIR.rglob("*")):
        relative = path.relative_to(PACKAGE_DIR)
        if not path.is_file() or SKIP_PARTS & set(relative.parts) or path.suffix in SKIP_SUFFIXES:
            continue
        files.append((path, f"code/inference_container/{relative.as_posix()}"))
    return files


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(data))


def build_model_archive(weights: Path, output: Path) -> Path:
    """Write model.tar.gz; the weights are stored as-is under the name SageMaker's server reads."""
    weights = Path(weights)
    if not weights.is_file():
        raise WeightsError(f"No weights file at {weights}.")
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with tarfile.open(partial, "w:gz") as archive:
        archive.add(weights, arcname="model.pt")
        archive.add(INFERENCE_SCRIPT, arcname="code/inference.py")
        _add_bytes(archive, "code/requirements.txt", ("\n".join(REQUIREMENTS) + "\n").encode())
        for source, name in package_files():
            archive.add(source, arcname=name)
    partial.replace(output)
    return output


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--weights", type=Path, required=True, help="SAM checkpoint (sam_ffhq_aging.pt)")
    parser.add_argument("-o", "--output", type=Path, default=Path("model.tar.gz"), help="archive to write")


def run(args: argparse.Namespace) -> int:
    path = build_model_archive(args.weights, args.output)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB); upload it to S3 and pass --model-data-url")
    return 0
