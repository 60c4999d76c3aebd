"""Which engine the local service starts with, and whether it upgrades itself to SAM later.

`--engine auto` starts on classic at once and lets `SamUpgrade` fetch, load, time and switch to SAM in the
background. `sam` or `classic` (or an injected engine) is used as asked, with no upgrade.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from job_service.local.engine_pool import EnginePool
from job_service.local.engine_process import EngineRecipe
from job_service.local.upgrade import DEFAULT_SAM_BUDGET_S, SamUpgrade, UpgradeSettings


@dataclass
class LocalEngines:
    """The worker pool (the service's inference queue) and the upgrade, if this service has one."""

    pool: EnginePool
    upgrade: SamUpgrade | None

    def health(self) -> dict:
        """The /health document: the pool's, plus the upgrade's `upgrade` object."""
        document = self.pool.health()
        if self.upgrade is not None:
            document["upgrade"] = self.upgrade.status()
        return document

    def start(self, service) -> None:
        self.pool.start(service)
        if self.upgrade is not None:
            self.upgrade.start()

    def stop(self) -> None:
        if self.upgrade is not None:
            self.upgrade.close()
        self.pool.stop()


def local_engines(
    engine: str,
    *,
    weights=None,
    engine_options: dict | None = None,
    engine_instance=None,
    workers: int = 1,
    data_dir: Path | None = None,
    ages: tuple[int, ...] | None = None,
    fetch_weights: bool = True,
    sam_budget_s: float = DEFAULT_SAM_BUDGET_S,
    upgrade_hooks: dict | None = None,
) -> LocalEngines:
    """Build (not start) the pool and the upgrade. `upgrade_hooks`: SamUpgrade's test seams and settings."""
    if engine_instance is not None:
        return LocalEngines(EnginePool(EngineRecipe.of(engine_instance), workers, data_dir), None)
    if engine == "auto":
        pool = EnginePool(EngineRecipe("classic", options=dict(engine_options or {})), workers, data_dir)
        hooks = dict(upgrade_hooks or {})
        settings = UpgradeSettings(
            fetch=fetch_weights,
            budget_s=float(sam_budget_s),
            weights=str(weights) if weights else None,
            **{key: hooks.pop(key) for key in list(hooks) if key in UpgradeSettings.__dataclass_fields__},
        )
        if ages:
            settings.ages = tuple(ages)
        return LocalEngines(pool, SamUpgrade(pool, settings, **hooks))
    from inference_container.engine import resolve_engine_name

    name = resolve_engine_name(engine, weights)
    spec = EngineRecipe(name, weights=str(weights) if weights else None, options=dict(engine_options or {}))
    return LocalEngines(EnginePool(spec, workers, data_dir), None)
