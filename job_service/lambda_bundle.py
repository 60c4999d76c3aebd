"""What the Lambda zip holds: whole torch-free packages, no hand-kept file list.

The handlers (`job_service.aws.handlers`) import only `job_service` and `booth_core`, the torch-free core;
numpy, Pillow and PyAV (the share page's MP4, with its own FFmpeg and libx264) come as Linux wheels (boto3 is
in the Lambda runtime). Unpacked, the three wheels for cp312 manylinux2014 take 199.8 MB (PyAV 119.5 MB of
it; numpy and Pillow 80.1 MB), inside Lambda's 250 MB limit for an unzipped package; zipped, 64.4 MB.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LAMBDA_RUNTIME = "python3.12"
#: Packages bundled whole (every .py file under them).
BUNDLED_PACKAGES = ("booth_core", "job_service")
#: Third-party packages to install into the zip.
LAMBDA_REQUIREMENTS = ("numpy", "pillow", "av")


def _module_files(root: Path, dotted: str) -> list[Path]:
    """A package's .py files, or one module (with its parent packages' __init__.py)."""
    path = root.joinpath(*dotted.split("."))
    parents = [root.joinpath(*dotted.split(".")[:n], "__init__.py") for n in range(1, dotted.count(".") + 1)]
    files = sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]
    return [p for p in parents if p.is_file()] + files


def lambda_source_paths(repo_root: str | Path = REPO_ROOT) -> list[str]:
    """Repo-relative paths of every source file the Lambda zip holds, sorted."""
    root = Path(repo_root)
    files = {
        file.relative_to(root).as_posix() for name in BUNDLED_PACKAGES for file in _module_files(root, name)
    }
    return sorted(files)
