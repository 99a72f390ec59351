"""A run in lanes: the checks that may run side by side in N pytest processes at once, then the `serial` ones
alone, in the runner's own process.

The target limits each key on its own, so a run that sends one request at a time leaves every key but the one
in use idle. Lanes are processes, not threads or pytest-xdist workers: pytest runs one test at a time per
session, and a run's session state (the embedded server, the sweep, the data factory and its cleanup, the
interrupt switch, the result stream) is per process; a lane is a direct `pytest --target-profile` session. What
the lanes share lives in files of one pace folder (`fixtures.shared_numbers`): each key's token bucket, so the
run never passes the profile's rate on any key whichever lanes send; the request budget's count; the queue's
counter; and the run's key pool (`fixtures.key_pool.pool_for_lanes`). Each lane makes and deletes its own data
under its own run id.

    plan    → the selection collected once here; a test marked `serial` (it changes what other checks see: a
              plan, the clock, counters, a cap, a burst on a key, a whole listing) waits for the serial phase;
              the others make units of work: a test file (its module fixtures are set up once), or a group of
              tests of a file marked `spread(group)`; longest units first (by the seconds each test took in a
              recent full run, `suites/durations.json`; by test count where none is known), in the same
              order every run
    lanes   → `pytest ... --lane K --queue FILE --pace-dir DIR --results-stream FILE`, each forked from a warm
              interpreter that imported the libraries while the runner planned (`warm_start`): each lane
              claims the next unit when it is free (`fixtures.lane_queue`), so none idles while another has
              work; the first lane sweeps; each stop signal the runner gets is passed on to each lane (they run
              in their own sessions, so a terminal's Ctrl-C reaches them through the runner only, once), and
              each lane stops and cleans up, or exits at once, as a run does
    merge   → one result stream (`merge_streams`), one junit.xml, one allure-results folder, one conformance
              coverage record
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from msgflash_compliance.contract.paths import PROJECT_ROOT
from msgflash_compliance.interrupts import STOP
from msgflash_compliance.models.durations import cost
from msgflash_compliance.models.lane import Lane
from msgflash_compliance.models.results import NOT_RUN, ResultStream, TestResult, read_stream
from msgflash_compliance.models.selection import Selection
from msgflash_compliance.warm_start import Started, WarmStarter

DEFAULT_LANES = 4  # measured: 3 lanes 66 s, 4 lanes 57 s, 6 lanes 65 s for the same tests (make run, 2 cores)
MAX_LANES = 8
LANE_EXIT_FINE = {0, 1, 2, 5}  # pytest: passed, tests failed, interrupted, no tests collected
LOG_TAIL_LINES = 15


@dataclass(frozen=True)
class Planned:
    nodeid: str
    guarantees: tuple[str, ...]
    serial: bool = False
    spread: str | None = None  # a `spread` file's test: its group (tests of one group stay in one unit)


@dataclass
class LanePlan:
    units: list[list[Planned]] = field(default_factory=list)  # the lanes' work, in the order it is claimed
    serial: list[Planned] = field(default_factory=list)
    lanes: int = 0  # how many lanes to start (no more than units)
    # The tests the selection leaves out, as the planning pass deselected them: a lane and the serial session
    # collect only the files of their own share, so no other session reports them.
    deselected: list[TestResult] = field(default_factory=list)

    def parallel(self) -> list[Planned]:
        return [item for unit in self.units for item in unit]


def plan_lanes(items: list[Planned], count: int, durations: dict[str, float] | None = None) -> LanePlan:
    """Units of work for up to `count` lanes: whole files and the groups of `spread` files, the longest first
    (a unit's known durations, a test not in `durations` counting as a typical one), in collection order
    inside; serial tests apart. The last units claimed are the short ones, so the lanes end together."""
    durations = durations or {}
    plan = LanePlan(serial=[item for item in items if item.serial])
    files: dict[str, list[Planned]] = {}
    groups: dict[tuple[str, str], list[Planned]] = {}
    for item in items:
        file = item.nodeid.split("::")[0]
        if item.serial:
            continue
        if item.spread is not None:
            groups.setdefault((file, item.spread), []).append(item)
        else:
            files.setdefault(file, []).append(item)
    plan.units = sorted([*files.values(), *groups.values()],
                        key=lambda unit: -cost((item.nodeid for item in unit), durations))
    plan.lanes = min(count, len(plan.units))
    return plan


class Collector:
    """A plugin for the planning pass: the selected tests, their guarantees, and how they may be dealt."""

    def __init__(self) -> None:
        self.items: list[Planned] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        from fixtures.plugin import GUARANTEES_KEY

        self.items = [Planned(item.nodeid, item.stash.get(GUARANTEES_KEY, ()),
                              serial=item.get_closest_marker("serial") is not None, spread=_group(item))
                      for item in session.items]


def _group(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("spread")
    if marker is None:
        return None
    return str(marker.args[0]) if marker.args else item.nodeid


@dataclass
class LaneRun:
    number: int
    folder: Path
    process: subprocess.Popen[bytes] | Started | None = None
    started: float = 0.0
    took: float = 0.0

    @property
    def results(self) -> Path:
        return self.folder / "results.jsonl"

    @property
    def log(self) -> Path:
        return self.folder / "output.log"

    def stream(self) -> ResultStream:
        return read_stream(self.results)


def lane_arguments(base: list[str], lane: LaneRun, *, profile_path: Path, run_id: str, pace_dir: Path,
                   queue: Path, selection: Selection) -> list[str]:
    """A lane's pytest command line: the run's own arguments with the lane's reports, queue and pace, and what
    its plugin judges (the selected guarantees, whether to fail fast)."""
    arguments = [
        *base,
        *(f"--guarantee={i}" for i in selection.guarantees), *(["--fail-fast"] if selection.fail_fast else []),
        f"--junitxml={lane.folder / 'junit.xml'}", f"--alluredir={lane.folder / 'allure-results'}",
        "--target-profile", str(profile_path), "--run-id", f"{run_id}{lane.number}",
        "--lane", str(lane.number), "--queue", str(queue), "--pace-dir", str(pace_dir),
        "--results-stream", str(lane.results),
        "--key-pool", "0",  # the runner's pool, shared (`fixtures.key_pool.pool_for_lanes`), not one per lane
    ]
    return arguments if lane.number == 1 else [*arguments, "--no-sweep"]


def lane_environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    return env


@contextlib.contextmanager
def warm_starter() -> Iterator[WarmStarter]:
    """The fork server a run's lanes start from (`msgflash_compliance.warm_start`), importing its libraries
    while the runner plans; ended with the run's lanes."""
    starter = WarmStarter(lane_environment(), Path.cwd())
    try:
        yield starter
    finally:
        starter.close()


def start(lane: LaneRun, arguments: list[str], starter: WarmStarter | None = None) -> None:
    """A lane forked from the warm server, or, without one (or if it is gone), a fresh interpreter."""
    lane.folder.mkdir(exist_ok=True)
    lane.process = starter.start(arguments, lane.log) if starter is not None else None
    if lane.process is None and starter is not None:
        print(f"lane {lane.number}: started from a fresh interpreter (warning: the warm start server is gone)",
              flush=True)
    if lane.process is None:
        with lane.log.open("wb") as log:
            lane.process = subprocess.Popen(
                [sys.executable, "-m", "pytest", *arguments], stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, env=lane_environment(),
                start_new_session=True,  # a terminal's Ctrl-C reaches the runner, which passes it on once
            )
    lane.started = time.monotonic()
    STOP.pass_on_to(lane.process.pid)  # a stop signal reaches the lane through the runner


def wait_all(lanes: list[LaneRun], poll: float = 0.1) -> None:
    """Until every lane has ended. A stop signal is passed on to each lane as it comes (`STOP.pass_on_to`):
    the first, each stops at its next request, deletes its data and writes its results, while this waits; the
    second, each exits at once, as this process does."""
    running = [lane for lane in lanes if lane.process is not None]
    while running:
        try:
            time.sleep(poll)
            for lane in list(running):
                if lane.process.poll() is not None:  # type: ignore[union-attr]
                    lane.took = time.monotonic() - lane.started
                    running.remove(lane)
                    report(lane)
        except KeyboardInterrupt:  # never expected (the runner settled the switch): keep waiting for the lanes
            continue


def report(lane: LaneRun) -> None:
    """One line per lane, its failures' lines, and the end of its log when pytest itself went wrong."""
    code = lane.process.returncode if lane.process is not None else None
    lines = lane.log.read_text(encoding="utf-8", errors="replace").splitlines() if lane.log.exists() else []
    summary = next((line.strip("= ") for line in reversed(lines) if line.startswith("=")), "no summary")
    print(f"lane {lane.number}: {lane.took:.1f} s: {summary}", flush=True)
    for line in lines:
        if line.startswith(("FAILED ", "ERROR ")):
            print(f"  {line}", flush=True)
    if code not in LANE_EXIT_FINE:
        for line in lines[-LOG_TAIL_LINES:]:
            print(f"  | {line}", flush=True)


def missing(plan: LanePlan, streams: list[ResultStream], runs: list[LaneRun]) -> ResultStream:
    """Planned parallel tests no lane reported (a lane that ended without its results): broken, saying so."""
    reported = {r.nodeid for stream in streams for r in stream.results if r.outcome != "deselected"}
    codes = ", ".join(f"lane {run.number} exit {run.process.returncode}" for run in runs
                      if run.process is not None and run.process.returncode not in LANE_EXIT_FINE)
    why = f"{NOT_RUN}{'interrupted' if STOP.requested else 'no lane reported it'}{f' ({codes})' if codes else ''}"
    return ResultStream(results=[TestResult(item.nodeid, item.guarantees, "broken", message=why)
                                 for item in plan.parallel() if item.nodeid not in reported])


def merge_allure(lanes: list[LaneRun], into: Path) -> None:
    into.mkdir(parents=True, exist_ok=True)
    for lane in lanes:
        folder = lane.folder / "allure-results"
        if folder.is_dir():
            for path in folder.iterdir():
                shutil.copy2(path, into / path.name)


def serial_lane(plan: LanePlan, pace_dir: Path) -> Lane:
    """The runner's own process after the lanes: the serial tests only, the shared pool, no second sweep."""
    return Lane(items=frozenset(item.nodeid for item in plan.serial), pace_dir=pace_dir, sweep=not plan.units)


def never_ran(items: list[Planned], why: str = "interrupted") -> ResultStream:
    """Tests that never started (a stop came first, or the run's key pool could not be made): broken, saying so."""
    message = f"{NOT_RUN}{why}"
    return ResultStream(results=[TestResult(item.nodeid, item.guarantees, "broken", message=message)
                                 for item in items])


def combined_code(codes: list[int]) -> int:
    """pytest's exit code for the run from its sessions': the gravest (a usage or internal error, then an
    interruption, then failed tests); a lane with no test is no error."""
    for code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.INTERRUPTED,
                 pytest.ExitCode.TESTS_FAILED):
        if code in codes:
            return int(code)
    return int(pytest.ExitCode.OK)


EMPTY_JUNIT = ('<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite '
               'name="msgflash-compliance" errors="0" failures="0" skipped="0" tests="0" time="0" /></testsuites>')


def report_never_ran(stream: ResultStream, reports_dir: Path, secrets: list[tuple[str, str]]) -> None:
    """JUnit and Allure entries for the tests no session started (a stop before their lane or the serial phase,
    a lane that ended without results): each session writes its own, these had none."""
    from fixtures.outcomes import Scrubber
    from fixtures.redaction import Redactor
    from fixtures.report_sync import sync_allure, sync_junit

    never = {r.nodeid: r for r in stream.results if r.outcome == "broken" and r.message.startswith(NOT_RUN)}
    if not never:
        return
    scrub = Scrubber(Redactor.from_secrets(secrets))
    junit = reports_dir / "junit.xml"
    if not junit.exists():
        junit.write_text(EMPTY_JUNIT, encoding="utf-8")
    sync_junit(junit, never, scrub)
    (reports_dir / "allure-results").mkdir(parents=True, exist_ok=True)
    sync_allure(reports_dir / "allure-results", never, scrub)
