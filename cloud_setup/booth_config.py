"""The booth's config file: `[backend] url`, `api_key` and `job_timeout_seconds`, merged into an existing
file if there is one (the keys are photobooth.config.BackendConfig's)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import tomli_w


def default_path(stack: str) -> Path:
    return Path(f"booth-{stack}.toml")


def write(path: Path, url: str, api_key: str, job_timeout_seconds: float) -> bool:
    """Set `[backend]`; other keys and sections are kept. Returns True when the file changed. Mode 0600: it
    holds a key. The booth's job timeout must match the stack's, which allows for the endpoint waking up."""
    path = Path(path)
    config = tomllib.loads(path.read_text()) if path.is_file() else {}
    backend = config.setdefault("backend", {})
    wanted = {"url": url, "api_key": api_key, "job_timeout_seconds": float(job_timeout_seconds)}
    if all(backend.get(key) == value for key, value in wanted.items()):
        return False
    backend.update(wanted)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        tomli_w.dump(config, handle)
    partial.replace(path)
    return True


def remove_backend(path: Path, url: str | None) -> bool:
    """Drop `[backend]` if it points at `url` (the stack being deleted); delete the file if nothing else is left."""
    path = Path(path)
    if not path.is_file() or not url:
        return False
    config = tomllib.loads(path.read_text())
    if config.get("backend", {}).get("url") != url:
        return False
    del config["backend"]
    if config:
        path.write_bytes(tomli_w.dumps(config).encode())
    else:
        path.unlink()
    return True
