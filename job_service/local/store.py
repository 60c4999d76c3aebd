"""The object store on disk: one file per key under a root folder, written atomically.

Photos are personal data: every file is created 0600 and every folder 0700, so other accounts on the
venue machine cannot read them. A write that finds no room raises StorageFullError and leaves nothing behind.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

from booth_core.errors import StorageFullError

#: Partial writes carry this suffix until renamed; leftovers of a crash are removed at start.
TEMP_SUFFIX = ".partial"
_NO_ROOM = (errno.ENOSPC, errno.EDQUOT)


def make_private_dir(path: str | Path) -> None:
    """Create `path` and any missing parents as 0700 (pathlib would give the parents 0777 less the umask)."""
    missing = []
    path = Path(path)
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)


class FileObjectStore:
    """Keys are `/`-separated relative paths; anything that would leave the root is refused."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        make_private_dir(self.root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if path != self.root and self.root not in path.parents:
            raise ValueError("object key outside the store")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write to a temporary file beside the target, flush it to disk, then rename over the target."""
        path = self._path(key)
        try:
            make_private_dir(path.parent)
            handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=TEMP_SUFFIX)  # 0600
        except OSError as exc:
            raise (StorageFullError() if exc.errno in _NO_ROOM else exc) from exc
        try:
            with os.fdopen(handle, "wb") as temp:
                temp.write(data)
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, path)
        except BaseException as exc:
            Path(temp_name).unlink(missing_ok=True)
            if isinstance(exc, OSError) and exc.errno in _NO_ROOM:
                raise StorageFullError() from exc
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

    def job_ids(self) -> set[str]:
        """Ids that have a photo or frames on disk (the folder names under uploads/ and results/)."""
        ids = set()
        for folder in ("uploads", "results"):
            if (self.root / folder).is_dir():
                ids.update(
                    entry.name for entry in (self.root / folder).iterdir() if not entry.name.startswith(".")
                )
        return ids
