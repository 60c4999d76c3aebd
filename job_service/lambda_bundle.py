"""What the Lambda zip must contain besides numpy and Pillow (boto3 is in the Lambda runtime)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
#: Repo-relative roots: the job service, the torch-free core it shares with the model and the kiosk, and the handlers.
_ROOTS = (
    "job_service",
    "booth_core",
    "cloud_setup/__init__.py",
    "cloud_setup/handlers.py",
)
#: Never imported on Lambda: the local server (uvicorn, starlette) and the `serve` command.
_EXCLUDED = ("job_service/local", "job_service/serve_command.py")
#: Third-party packages to install into the zip.
LAMBDA_REQUIREMENTS = ("numpy", "pillow")


def lambda_source_paths(repo_root: str | Path = REPO_ROOT) -> list[str]:
    """Repo-relative paths of every source file the Lambda zip needs, sorted."""
    root = Path(repo_root)
    files = []
    for entry in _ROOTS:
        path = root / entry
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            relative = file.relative_to(root).as_posix()
            if not any(relative == skip or relative.startswith(skip + "/") for skip in _EXCLUDED):
                files.append(relative)
    return sorted(files)
