"""Self-tests of the suites (see test_fault_detection.py, test_run_outcomes.py).

`slow` marks the tests that start a compliance run (several seconds each); `pytest tests -n 2` runs them two
at a time. The terminal summary prints the fault → detected guarantees table the detection tests recorded.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.selftest.leftovers import InventoriedRun, InventoriedTarget
from tests.selftest.runs import suite_markers

# Self-test runs pace faster than the documented 10 requests/s (their reference servers are configured to match);
# the rate-limit checks themselves run in a separate clean run at the documented limit.
FAST_PACE = "50"


@dataclass(frozen=True)
class CleanRun:
    done: subprocess.CompletedProcess[str]
    reports: Path
    inventory: InventoriedRun  # what the target held after the run that it did not before


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> CleanRun:
    """One run of every suite but the rate-limit checks against a clean reference server (a subprocess at the
    fast pace), with the server's inventory before and after: the tests that judge a clean run share it (keep
    them in the `clean_run` xdist group so the run happens once). One full run judges both that a compliant
    server passes and that a completed run leaves nothing behind."""
    scratch = tmp_path_factory.mktemp("clean-run")
    reports = scratch / "reports"
    arguments = ("--no-html", "--reports-dir", str(reports), "--", "-m", "not rate_limit")
    with InventoriedTarget(scratch) as target:
        inventory = target.run(*arguments)
    done = subprocess.CompletedProcess(["run", *arguments], inventory.code, inventory.output, "")
    return CleanRun(done, reports, inventory)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: starts compliance runs (seconds each); run with -n 2 to halve")


@pytest.fixture(scope="session")
def suite_index() -> dict[str, list[str]]:
    """{test node id: guarantee IDs} of every test under suites/ (collected once per session)."""
    return suite_markers()


@pytest.fixture(scope="session")
def checked_guarantees(suite_index: dict[str, list[str]]) -> frozenset[str]:
    """The guarantee IDs some test under suites/ checks today."""
    return frozenset(i for ids in suite_index.values() for i in ids)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    rows = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == "fault_detection" and getattr(report, "when", "call") == "call":
                    rows.append(value)
    if not rows:
        return
    terminalreporter.section("fault detection")
    terminalreporter.write_line("fault | claims | checked | detected (failed) | not detected")
    for row in sorted(rows, key=lambda r: r["fault"]):
        terminalreporter.write_line(
            f"{row['fault']} | {', '.join(row['claims'])} | {', '.join(row['checked']) or '-'} | "
            f"{', '.join(row['detected']) or '-'} | {', '.join(row['missed']) or '-'}"
        )
