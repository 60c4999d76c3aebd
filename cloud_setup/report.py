"""Progress lines for people, and a record of every change for tests and the final summary."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO

#: Actions that leave things as they were.
QUIET = ("unchanged", "absent", "planned")


@dataclass(frozen=True)
class Change:
    action: str
    kind: str
    name: str
    detail: str = ""


@dataclass
class Report:
    """Collects changes and prints one line per change as it happens."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    changes: list[Change] = field(default_factory=list)

    def record(self, action: str, kind: str, name: str, detail: str = "") -> None:
        change = Change(action, kind, name, detail)
        self.changes.append(change)
        suffix = f"  ({detail})" if detail else ""
        print(f"  {action:<10} {kind:<22} {name}{suffix}", file=self.out, flush=True)

    def note(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def changed(self) -> list[Change]:
        return [c for c in self.changes if c.action not in QUIET]
