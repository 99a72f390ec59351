"""Self-tests of the suites (see test_fault_detection.py, test_run_outcomes.py).

`slow` marks the tests that start a compliance run (several seconds each); `pytest tests -n 2` runs them two
at a time. The terminal summary prints the fault → detected guarantees table the detection tests recorded.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.selftest.runs import cli, suite_markers

# The clean runs pace faster than the documented 10 requests/s (the reference server is configured to match);
# the rate-limit checks themselves run in a separate clean run at the documented limit.
FAST_PACE = "50"


@dataclass(frozen=True)
class CleanRun:
    done: subprocess.CompletedProcess[str]
    reports: Path


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> CleanRun:
    """One run of every suite but the rate-limit checks against a clean embedded server (shared by the tests
    that judge a clean run: keep them in the `clean_run` xdist group so the run happens once)."""
    reports = tmp_path_factory.mktemp("clean-run") / "reports"
    done = cli("run", "--embedded-rate-limit", FAST_PACE, "--no-html", "--reports-dir", str(reports),
               "--", "-m", "not rate_limit")
    return CleanRun(done, reports)


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
