"""A run leaves the target as it found it: completed, stopped by SIGINT or SIGTERM at any point, or killed by a
second signal (then the next run's sweep removes the rest).

Each test runs the full suite (`--no-html`; the completed run is the shared clean run of conftest.py) against a
reference server in a subprocess and compares the
target's inventory before and after (`leftovers.inventoried_run`): every deletable kind listed per identity and
workspace through the API, and the server's own rows (the scratch accounts' workspaces included). The seeded
target lists resources before the run (the inventory's positive control), so an empty difference means the
inventory looked and found the run's data gone.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from msgflash_compliance.lanes import DEFAULT_LANES
from tests.selftest.conftest import CleanRun
from tests.selftest.leftovers import InventoriedRun, InventoriedTarget, Phase, inventoried_run, printed, requests_sent
from tests.selftest.runs import compliance

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]
BROKEN = 3
NO_RATE_BURSTS = ("--", "-m", "not rate_limit")  # the fast pace (50/s) is not the documented 10/s the RATE checks prove
SMOKE = "suites/test_harness_smoke.py"  # a short run: its start sweeps what an earlier run left


def _run(scratch: Path, **interrupt: object) -> tuple[InventoriedRun, dict[str, object]]:
    reports = scratch / "reports"
    run = inventoried_run(scratch, "--no-html", "--reports-dir", str(reports), *NO_RATE_BURSTS,
                          **interrupt)  # type: ignore[arg-type]
    assert run.before_counts > 0, "the inventory listed nothing before the run (no positive control)"
    return run, compliance(reports) if (reports / "compliance.json").exists() else {}


def _nothing_left(run: InventoriedRun) -> None:
    assert not run.left, f"the run left (or removed) these, as listed through the API: {run.left}\n{run.output[-3000:]}"
    assert not run.left_rows, f"the run left (or removed) these rows in the server: {run.left_rows}"


@pytest.mark.xdist_group("clean_run")
def test_a_completed_run_leaves_nothing(clean_run: CleanRun) -> None:
    """The shared clean run (every suite, against a reference server in a subprocess) with its inventory."""
    run = clean_run.inventory
    assert run.before_counts > 0, "the inventory listed nothing before the run (no positive control)"
    assert run.code == 0, run.output[-3000:]
    assert compliance(clean_run.reports)["outcome"] == "completed"
    _nothing_left(run)


# Each signal is counted from a phase of the run, as the target and the run's output show it (a fixed time lands
# elsewhere on a faster or a more loaded machine: the run at this pace went from 61 s to 45 s as it got faster):
# the lanes checking (50 keyed requests sent), the lanes midway (800), the first lane ended while the others
# finish, the serial tests (every lane ended, then 3 s).
LANE_ENDED = r"^lane \d+: "
PHASES: dict[str, tuple[signal.Signals, Callable[[], Phase], float]] = {
    "SIGINT-lanes-begun": (signal.SIGINT, lambda: requests_sent(50), 0.0),
    "SIGTERM-lanes-midway": (signal.SIGTERM, lambda: requests_sent(800), 0.0),
    "SIGINT-first-lane-ended": (signal.SIGINT, lambda: printed(LANE_ENDED), 0.0),
    "SIGINT-serial-tests": (signal.SIGINT, lambda: printed(LANE_ENDED, times=DEFAULT_LANES), 3.0),
}


@pytest.mark.parametrize("phase", list(PHASES))
def test_an_interrupted_run_cleans_up_and_reports(tmp_path: Path, phase: str) -> None:
    signum, reached, seconds = PHASES[phase]
    run, document = _run(tmp_path, interrupt_after=seconds, signum=signum, counting_when=reached())
    assert run.code == BROKEN, run.output[-3000:]
    assert document, f"no compliance.json after {signum.name}:\n{run.output[-3000:]}"
    assert document["outcome"] == "interrupted", document["notes"]
    assert (tmp_path / "reports" / "junit.xml").exists() and (tmp_path / "reports" / "compliance.md").exists()
    summary = document["summary"]
    assert isinstance(summary, dict) and summary.get("failed", 0) == 0, f"a stop is not a violation: {summary}"
    _nothing_left(run)


def test_a_second_signal_exits_at_once_and_the_next_run_sweeps(tmp_path: Path) -> None:
    """Two SIGINTs 0.2 s apart, the lanes midway (800 keyed requests sent): exit 3 at once (no cleanup). Two
    hours later (the rows aged: the sweep leaves younger data alone, it may be a concurrent run's) the next run's
    sweep finds every prefixed resource the killed run left, of every kind, so the two runs together leave
    nothing."""
    with InventoriedTarget(tmp_path) as target:
        killed = target.run("--no-html", "--reports-dir", str(tmp_path / "killed"), *NO_RATE_BURSTS,
                            interrupt_after=0, second_after=0.2, counting_when=requests_sent(800))
        target.age(hours=2)
        swept = target.run("--no-html", "--reports-dir", str(tmp_path / "swept"), "--tests", SMOKE)
    assert killed.code == BROKEN, killed.output[-3000:]
    assert "second SIGINT" in killed.output
    assert killed.left or killed.left_rows, "the killed run left nothing to sweep (no positive control)"
    assert swept.code == 0, swept.output[-3000:]
    _nothing_left(swept)
