"""A compliance run against a reference server in a subprocess, with the target's inventory before and after.

`InventoriedTarget(scratch)` starts the reference server (fast pace) and takes its
inventory (`fixtures.inventory`: every listable kind per identity and workspace, and the server's own rows),
then each `.run(...)` runs `msgflash-compliance run --profile ...` (optionally sending SIGINT after some seconds,
and a second one), takes the inventory again and returns what differs from the start; `inventoried_run` is one
run on a fresh target.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
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
from msgflash_reference.clock import iso
from tests.selftest.runs import ReferenceServer

FAST_PACE = "50"
# A phase of a run, seen from outside: (the target's database, the run's output lines so far) -> reached.
Phase = Callable[[sqlite3.Connection, list[str]], bool]
RUN_TIMEOUT_SECONDS = 900
ACK_TIMEOUT_SECONDS = 60  # how long a run may take to print that it took a signal
PHASE_TIMEOUT_SECONDS = 120  # how long a run may take to reach the phase an interrupt is counted from


@dataclass(frozen=True)
class InventoriedRun:
    code: int
    output: str
    left: dict[str, tuple[str, ...]]  # listed through the API: added ids (and `-id` for removed ones)
    left_rows: dict[str, int]  # the server's rows per table and workspace (scratch accounts included)
    before_counts: int  # deletable resources listed before the run
    after_counts: int
    seconds: float


class InventoriedTarget:
    """A reference server in a subprocess and its inventory when it started; each `run` is compared with it."""

    def __init__(self, scratch: Path) -> None:
        self._server = ReferenceServer(scratch, rate_limit=FAST_PACE)

    def __enter__(self) -> InventoriedTarget:
        self._server.__enter__()
        self._profile = load_profile(self._server.profile)
        self._before = take_inventory(Harness(self._profile))
        self._rows_before = database_inventory(self._server.db)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.__exit__(*exc)

    @property
    def profile_path(self) -> Path:
        """The server's profile (a run may be given a variant of it with `--profile`, the last one counts)."""
        return self._server.profile

    def age(self, hours: float) -> None:
        """Make every row of the server `hours` older (`created_at`): as if the runs so far were that long ago,
        so the next run's sweep, which leaves data younger than an hour alone (a concurrent run's), takes it."""
        shift = timedelta(hours=hours)
        with sqlite3.connect(self._server.db) as conn:
            tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                if "created_at" not in {column[1] for column in conn.execute(f"PRAGMA table_info({table})")}:
                    continue
                rows = conn.execute(f"SELECT rowid, created_at FROM {table} WHERE created_at IS NOT NULL").fetchall()
                conn.executemany(f"UPDATE {table} SET created_at = ? WHERE rowid = ?",
                                 [(iso(datetime.fromisoformat(stamp.replace("Z", "+00:00")) - shift), rowid)
                                  for rowid, stamp in rows])

    def run(self, *args: str, interrupt_after: float | None = None, signum: int = signal.SIGINT,
            second_after: float | None = None, counting_when: Phase | None = None) -> InventoriedRun:
        """`msgflash-compliance run --profile ... *args`, optionally signalled after `interrupt_after` seconds
        (counted from when `counting_when` first holds of the target's database and the run's output, when
        given: a phase of the run, however fast or loaded the machine) and again `second_after` seconds later;
        what the target holds afterwards that it did not at start."""
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "msgflash_compliance.cli", "run", "--profile", str(self._server.profile), *args],
            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
        lines: list[str] = []
        stopping = threading.Event()  # the run printed that it took the first signal
        reader = threading.Thread(target=_read_lines, args=(process, lines, stopping), daemon=True)
        reader.start()
        if interrupt_after is not None and counting_when is not None:
            self._wait_for(counting_when, process, lines)
        if interrupt_after is not None:
            try:
                process.wait(interrupt_after)
            except subprocess.TimeoutExpired:
                process.send_signal(signum)
                if second_after is not None:
                    # Two signals before the run's handler ran are one signal to Python (on a loaded machine
                    # the main thread may not run for a while): the second goes once the first was taken.
                    stopping.wait(ACK_TIMEOUT_SECONDS)
                    time.sleep(second_after)
                    if process.poll() is None:
                        process.send_signal(signum)
        process.wait(RUN_TIMEOUT_SECONDS)
        reader.join(10)
        output = "".join(lines)
        seconds = time.monotonic() - started
        after = take_inventory(Harness(self._profile))
        rows_after = database_inventory(self._server.db)
        return InventoriedRun(process.returncode, output, leftovers(self._before, after),
                              database_leftovers(self._rows_before, rows_after), deletable_count(self._before),
                              deletable_count(after), seconds)


    def _wait_for(self, phase: Phase, process: subprocess.Popen[str], lines: list[str]) -> None:
        """Until `phase` holds of the target's database and the run's output so far (polled; a read the server's
        write holds up counts as not yet), the run ends, or the phase timeout passes."""
        deadline = time.monotonic() + PHASE_TIMEOUT_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with contextlib.closing(sqlite3.connect(self._server.db, timeout=1)) as conn:
                    if phase(conn, list(lines)):
                        return
            except sqlite3.OperationalError:
                pass
            time.sleep(0.1)


def _read_lines(process: subprocess.Popen[str], lines: list[str], stopping: threading.Event) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if ": stopping," in line:
            stopping.set()


def inventoried_run(scratch: Path, *args: str, interrupt_after: float | None = None, signum: int = signal.SIGINT,
                    second_after: float | None = None, counting_when: Phase | None = None) -> InventoriedRun:
    """One run against a fresh reference server, compared with its inventory before the run."""
    with InventoriedTarget(scratch) as target:
        return target.run(*args, interrupt_after=interrupt_after, signum=signum, second_after=second_after,
                          counting_when=counting_when)


def keyed_requests(conn: sqlite3.Connection) -> int:
    """Requests the target has counted on API keys (the inventory's own included)."""
    (count,) = conn.execute("SELECT COALESCE(SUM(request_count), 0) FROM api_key_usage").fetchone()
    return int(count)


def requests_sent(count: int) -> Phase:
    """The run has sent `count` keyed requests (counted from the target's total when first polled)."""
    start: list[int] = []

    def reached(conn: sqlite3.Connection, _: list[str]) -> bool:
        total = keyed_requests(conn)
        start[:] = start or [total]
        return total - start[0] >= count

    return reached


def printed(pattern: str, times: int = 1) -> Phase:
    """The run has printed `times` lines matching `pattern` (a regular expression)."""
    found = re.compile(pattern)
    return lambda _, lines: sum(1 for line in lines if found.search(line)) >= times
