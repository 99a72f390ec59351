"""A compliance run against a reference server in a subprocess, with the target's inventory before and after.

`inventoried_run(scratch, *args, interrupt_after=...)` starts the reference server (fast pace), takes its
inventory (`fixtures.inventory`: every listable kind per identity and workspace, and the server's own rows),
runs `msgflash-compliance run --profile ...` (optionally sending SIGINT after some seconds, and a second one),
takes the inventory again and returns what differs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from fixtures.clients import Harness
from fixtures.inventory import (
    database_inventory,
    database_leftovers,
    deletable_count,
    leftovers,
    take_inventory,
)
from msgflash_compliance.contract.paths import PROJECT_ROOT
from msgflash_compliance.profile import load_profile
from tests.selftest.runs import ReferenceServer

FAST_PACE = "50"
RUN_TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class InventoriedRun:
    code: int
    output: str
    left: dict[str, tuple[str, ...]]  # listed through the API: added ids (and `-id` for removed ones)
    left_rows: dict[str, int]  # the server's rows per table and workspace (scratch accounts included)
    before_counts: int  # deletable resources listed before the run
    after_counts: int
    seconds: float


def inventoried_run(scratch: Path, *args: str, interrupt_after: float | None = None, signum: int = signal.SIGINT,
                    second_after: float | None = None) -> InventoriedRun:
    with ReferenceServer(scratch, rate_limit=FAST_PACE) as server:
        profile = load_profile(server.profile)
        before = take_inventory(Harness(profile))
        rows_before = database_inventory(server.db)
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "msgflash_compliance.cli", "run", "--profile", str(server.profile), *args],
            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
        if interrupt_after is not None:
            try:
                process.wait(interrupt_after)
            except subprocess.TimeoutExpired:
                process.send_signal(signum)
                if second_after is not None:
                    time.sleep(second_after)
                    if process.poll() is None:
                        process.send_signal(signum)
        output, _ = process.communicate(timeout=RUN_TIMEOUT_SECONDS)
        seconds = time.monotonic() - started
        after = take_inventory(Harness(profile))
        rows_after = database_inventory(server.db)
    return InventoriedRun(process.returncode, output, leftovers(before, after),
                          database_leftovers(rows_before, rows_after), deletable_count(before),
                          deletable_count(after), seconds)
