"""The object store on disk: one file per key under a root folder, written atomically."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

#: Partial writes carry this suffix until renamed; leftovers of a crash are removed at start.
TEMP_SUFFIX = ".partial"


class FileObjectStore:
    """Keys are `/`-separated relative paths; anything that would leave the root is refused."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if path != self.root and self.root not in path.parents:
            raise ValueError("object key outside the store")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write to a temporary file beside the target, flush it to disk, then rename over the target."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=TEMP_SUFFIX)
        try:
            with os.fdopen(handle, "wb") as temp:
                temp.write(data)
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete_prefix(self, prefix: str) -> None:
        path = self._path(prefix)
        if path == self.root:
            raise ValueError("refusing to delete the whole store")
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)

    def url(self, key: str) -> str | None:
        return None

    def remove_partial_writes(self) -> int:
        """Delete temporary files a killed process left behind; returns how many."""
        leftovers = list(self.root.rglob(f".*{TEMP_SUFFIX}"))
        for path in leftovers:
            path.unlink(missing_ok=True)
        return len(leftovers)
