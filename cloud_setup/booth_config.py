"""The booth's config file: `[backend] url` and `api_key`, merged into an existing file if there is one."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import tomli_w


def default_path(stack: str) -> Path:
    return Path(f"booth-{stack}.toml")


def write(path: Path, url: str, api_key: str) -> bool:
    """Set `[backend]`; other sections are kept. Returns True when the file changed. Mode 0600: it holds a key."""
    path = Path(path)
    config = tomllib.loads(path.read_text()) if path.is_file() else {}
    backend = config.setdefault("backend", {})
    if backend.get("url") == url and backend.get("api_key") == api_key:
        return False
    backend.update(url=url, api_key=api_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        tomli_w.dump(config, handle)
    partial.replace(path)
    return True


def read_backend(path: Path) -> dict:
    path = Path(path)
    return tomllib.loads(path.read_text()).get("backend", {}) if path.is_file() else {}


def remove_backend(path: Path, url: str | None) -> bool:
    """Drop `[backend]` if it points at `url` (the API being deleted); delete the file if nothing else is left."""
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
