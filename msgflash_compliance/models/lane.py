"""`Lane`: which part of a run one process checks, when the run is split into lanes (`msgflash_compliance.lanes`).

A run in one process is `Lane()`: every selected test, its own pace, the leftover sweep. A run in lanes starts
N pytest processes at once, each with a share of the tests that may run side by side, then checks the
`serial` tests alone in the runner's own process: every process gets its `Lane`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Lane:
    number: int = 0  # 1, 2, ... for a parallel lane; 0 for the runner's own process
    pace_dir: Path | None = None  # the buckets and the request count every lane shares (None: this process's own)
    items: frozenset[str] | None = None  # the node IDs this process checks (None: its whole selection)
    queue: Path | None = None  # a parallel lane: the run's units of work, claimed one at a time (`fixtures.lane_queue`)
    sweep: bool = True  # the leftover sweep: one process of the run does it
