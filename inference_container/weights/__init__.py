"""Where SAM weights live: `--weights`, then $TIME_TRAVELER_WEIGHTS, then the user cache folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from booth_core.environment import env_value, variable

WEIGHTS_ENV = variable("WEIGHTS")
CHECKPOINT_NAME = "sam_ffhq_aging.pt"


def cache_dir() -> Path:
    """The per-user cache folder that `time-traveler weights download` fills."""
    return Path(env_value("CACHE") or platformdirs.user_cache_dir("time-traveler"))


def default_weights_path() -> Path:
    return cache_dir() / CHECKPOINT_NAME


def find_weights(explicit: str | os.PathLike | None = None) -> Path | None:
    """The first existing checkpoint of: explicit path, $TIME_TRAVELER_WEIGHTS, the cache; else None."""
    for candidate in (explicit, env_value("WEIGHTS"), default_weights_path()):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None
