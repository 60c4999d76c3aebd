"""The one environment prefix, `TIME_TRAVELER_`, for every setting any part reads from the environment.

Older deployments set `TT_...` (the Lambdas); those spellings are still read, with one deprecation line in
the log per variable, so an old stack keeps working until it is redeployed. Names that belong to others
(SageMaker's `SM_MODEL_DIR`, Qt's `QT_QPA_PLATFORM`) are not ours to rename and are read as they are.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping

PREFIX = "TIME_TRAVELER_"
#: Prefixes read when the new name is absent, oldest last.
OLD_PREFIXES = ("TT_",)

log = logging.getLogger("time_traveler.environment")
_warned: set[str] = set()
_warned_lock = threading.Lock()


def variable(name: str) -> str:
    """`INPUT_BUCKET` -> `TIME_TRAVELER_INPUT_BUCKET`."""
    return PREFIX + name


def env_value(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The value of TIME_TRAVELER_<name>, else of an old spelling (logged once as deprecated), else None.

    A variable set to the empty string is returned as "" (callers decide whether that clears a setting).
    """
    environ = os.environ if environ is None else environ
    value = environ.get(variable(name))
    if value is not None:
        return value
    for prefix in OLD_PREFIXES:
        old = prefix + name
        value = environ.get(old)
        if value is not None:
            _deprecated(old, variable(name))
            return value
    return None


def _deprecated(old: str, new: str) -> None:
    with _warned_lock:
        if old in _warned:
            return
        _warned.add(old)
    log.warning("environment variable %s is deprecated; set %s instead", old, new)
