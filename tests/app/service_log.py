"""Which local job service processes a booth started, read from the line its supervisor logs for staff:
tests and benchmarks kill (and check on) the service by the pid the product itself reports."""

from __future__ import annotations

import logging
import re

SUPERVISOR_LOG = "photobooth.workers.supervisor"
STARTED = re.compile(r"^local job service started on \S+ \(pid (\d+)\)$")


class StartedServices(logging.Handler):
    """While entered, collects the pid of every local job service the supervisor logs starting, in order."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.pids: list[int] = []
        self._logger = logging.getLogger(SUPERVISOR_LOG)
        self._level = self._logger.level

    def emit(self, record: logging.LogRecord) -> None:
        match = STARTED.match(record.getMessage())
        if match:
            self.pids.append(int(match.group(1)))

    @property
    def current(self) -> int:
        assert self.pids, "the supervisor logged no local job service starting"
        return self.pids[-1]

    def __enter__(self) -> StartedServices:
        self._level = self._logger.level
        if not self._logger.isEnabledFor(logging.INFO):
            self._logger.setLevel(logging.INFO)
        self._logger.addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._level)
