"""Whether a second core is free now: work is handed to a thread or a child only then (issue 20)."""
from __future__ import annotations

import os


def idle_core() -> bool:
    """Whether a core is likely free for a helper thread or child: the 1-minute load
    average (which counts this process' own work) below the CPUs this process may use,
    less a quarter (on 2 cores: others' work under 0.75 of a core; a quiet machine
    running a sync shows 1.0-1.3, one busy with other work far more). Work moved to another core pays only on a core nobody else uses; on a
    machine busy with other work it only adds its cost (a fork's copy-on-write faults)
    or takes turns with this process' own. True where the load cannot be read."""
    try:
        load = os.getloadavg()[0]
        cpus = len(os.sched_getaffinity(0))
    except (OSError, AttributeError):
        return True
    return load < cpus - 0.25
