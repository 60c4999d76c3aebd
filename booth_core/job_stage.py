"""The job document's optional `stage` (docs/job_service.md): what an unfinished job is waiting on.

The job services send these values and the kiosk turns them into words; one list, so the two cannot drift.
"""

from __future__ import annotations

#: In line: every engine that could run the job is busy with jobs ahead of it.
WAITING = "waiting"
#: No engine (no model instance) is running yet: it is loading, restarting, or the endpoint is waking up.
WARMING_UP = "warming_up"
#: An engine is making this job's pictures now.
AGING = "aging"

STAGES = (WAITING, WARMING_UP, AGING)
