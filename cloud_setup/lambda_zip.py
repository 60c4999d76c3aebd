"""The job service's Lambda deployment package, built from this repository.

Deterministic: files are sorted and stamped with a fixed time, so the same sources give the same
bytes and the same CodeSha256, which is how a second deploy sees that there is nothing to update.
"""

from __future__ import annotations

import base64
import hashlib
import io
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

from job_service.lambda_bundle import LAMBDA_RUNTIME, lambda_source_paths

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXED_TIME = (2020, 1, 1, 0, 0, 0)
SKIP_PARTS = {"__pycache__", ".pytest_cache", ".complete"}
SKIP_SUFFIXES = {".pyc", ".pyo"}
LAMBDA_PYTHON = LAMBDA_RUNTIME.removeprefix("python")  # pip's --python-version for the wheels: "3.12"
LAMBDA_PLATFORM = "manylinux2014_x86_64"


def source_paths() -> list[Path]:
    """What the zip needs from the repo: `booth_core` and `job_service` whole (job_service.lambda_bundle)."""
    return [Path(path) for path in lambda_source_paths()]


def requirements() -> list[str]:
    """Third-party packages the handlers import that the Lambda runtime lacks (boto3 is there)."""
    from job_service.lambda_bundle import LAMBDA_REQUIREMENTS

    return list(LAMBDA_REQUIREMENTS)


def _files(paths: Iterable[Path], root: Path) -> list[tuple[Path, str]]:
    """(file, name in zip) for every file under the given files/folders."""
    found: dict[str, Path] = {}
    for path in paths:
        path = path if path.is_absolute() else root / path
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        base = root if path.is_relative_to(root) else path.parent
        for file in candidates:
            relative = file.relative_to(base)
            if file.is_file() and not (SKIP_PARTS & set(relative.parts)) and file.suffix not in SKIP_SUFFIXES:
                found[relative.as_posix()] = file
    return [(found[name], name) for name in sorted(found)]


def build_zip(paths: Iterable[Path], root: Path = REPO_ROOT, vendor_dir: Path | None = None) -> bytes:
    """Zip the sources (names relative to `root`) plus everything in `vendor_dir` at the zip's top."""
    entries = _files(paths, root)
    if vendor_dir is not None:
        entries += _files(sorted(Path(vendor_dir).iterdir()), Path(vendor_dir))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        seen = set()
        for file, name in entries:
            if name in seen:
                continue
            seen.add(name)
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, file.read_bytes())
    return buffer.getvalue()


def code_sha256(data: bytes) -> str:
    """Lambda's CodeSha256: base64 of the SHA-256 of the zip."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def vendor(requirement_list: list[str], cache_root: Path) -> Path | None:
    """pip-install Linux wheels for the Lambda runtime into a cache folder keyed by the requirements.

    This is the one place deploy downloads anything (from PyPI, through pip), and only once per set
    of requirements."""
    if not requirement_list:
        return None
    key = hashlib.sha256(
        "\n".join(sorted(requirement_list) + [LAMBDA_PLATFORM, LAMBDA_PYTHON]).encode()
    ).hexdigest()[:12]
    target = cache_root / f"lambda-deps-{key}"
    if (target / ".complete").is_file():
        return target
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target),
            "--platform", LAMBDA_PLATFORM, "--python-version", LAMBDA_PYTHON, "--implementation", "cp",
            "--only-binary=:all:", "--upgrade", *requirement_list,
        ],
        check=True,
    )  # fmt: skip
    for junk in target.rglob("__pycache__"):
        for file in junk.iterdir():
            file.unlink()
        junk.rmdir()
    (target / ".complete").write_text("\n".join(requirement_list))
    return target
