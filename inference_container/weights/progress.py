"""A byte-count progress bar: tqdm when installed, else a plain line every 5%."""

from __future__ import annotations

import sys


class Progress:
    """Context manager fed with byte counts; silent when `enabled` is False."""

    def __init__(self, total: int | None, initial: int = 0, enabled: bool = True):
        self.total, self.done, self.enabled = total, initial, enabled
        self._bar = None
        self._last_step = -1
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(total=total, initial=initial, unit="B", unit_scale=True, unit_divisor=1024)

    def __enter__(self) -> Progress:
        return self

    def update(self, count: int) -> None:
        self.done += count
        if self._bar is not None:
            self._bar.update(count)
        elif self.enabled:
            self._plain()

    def _plain(self) -> None:
        if self.total:
            step = 20 * self.done // self.total
            if step != self._last_step:
                self._last_step = step
                print(
                    f"  {self.done / 1e6:,.0f} of {self.total / 1e6:,.0f} MB ({5 * step}%)", file=sys.stderr
                )
        elif self.done // (100 << 20) != self._last_step:
            self._last_step = self.done // (100 << 20)
            print(f"  {self.done / 1e6:,.0f} MB", file=sys.stderr)

    def __exit__(self, *exc_info) -> None:
        if self._bar is not None:
            self._bar.close()
