"""Today's prints, for staff (photos are counted from the saved files, photobooth.retention): a small JSON
file that starts again at zero each day.

Numbers only (no job ids, no images), so it holds no personal data and needs no retention.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)
KINDS = ("prints",)


class DailyCounts:
    def __init__(self, path: str | Path, today: Callable[[], datetime.date] = datetime.date.today) -> None:
        self.path = Path(path)
        self.today = today
        self._day, self._counts = self._load()

    def _load(self) -> tuple[str, dict[str, int]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            counts = {kind: int(data.get(kind, 0)) for kind in KINDS}
            return str(data["day"]), counts
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return self.today().isoformat(), dict.fromkeys(KINDS, 0)

    def _roll(self) -> None:
        day = self.today().isoformat()
        if day != self._day:
            self._day, self._counts = day, dict.fromkeys(KINDS, 0)

    def get(self, kind: str) -> int:
        self._roll()
        return self._counts[kind]

    def add(self, kind: str) -> int:
        """Count one more `kind` today and save; a file that cannot be written only costs the record."""
        self._roll()
        self._counts[kind] += 1
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps({"day": self._day, **self._counts}), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as error:
            log.warning("could not save today's counts: %s", error)
        return self._counts[kind]
