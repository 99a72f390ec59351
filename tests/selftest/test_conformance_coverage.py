"""The conformance suite reaches every operation of the contract with at least one 2xx on the clean server.

One compliance run of the conformance and stateful suites against a fresh embedded server (sends allowed: its
profile says `allow_send`), then the record they wrote (`conformance-coverage.json`, see
`suites/conformance/record.py`): every operation of the spec is either excluded from generation with a reason
(console billing and team/key mutations) or was exercised and answered 2xx at least once. The failure message
lists the operations without one.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from suites.conformance.contract import operations
from suites.conformance.record import read_record
from tests.selftest.runs import cli, tail

CONFORMANCE_TESTS = "test_operation_conforms or test_resource_lifecycles_follow_the_links"
WALL_LIMIT_SECONDS = 420  # "a few minutes" at 10 requests per second per key, on two shared cores


@pytest.mark.slow
def test_every_operation_answers_2xx_on_the_clean_server(tmp_path: Path, record_property) -> None:
    reports = tmp_path / "reports"
    started = time.monotonic()
    done = cli("run", "--reports-dir", str(reports), "--", "-k", CONFORMANCE_TESTS)
    wall = time.monotonic() - started
    record_property("conformance_wall_seconds", round(wall, 1))
    assert done.returncode == 0, f"the clean server is not conformant (exit {done.returncode}):\n{tail(done, 60)}"

    record = read_record(reports)
    exercised = record["operations"]
    excluded = record["excluded"]
    labels = [op.label for op in operations()]
    never_sent = [label for label in labels if label not in exercised and label not in excluded]
    without_2xx = [label for label in labels if label in exercised and label in record["without_2xx"]]
    assert not never_sent, f"operations never exercised and not excluded: {never_sent}"
    assert not without_2xx, f"operations exercised without a single 2xx: {without_2xx}"
    assert wall < WALL_LIMIT_SECONDS, f"the conformance run took {wall:.0f} s (limit {WALL_LIMIT_SECONDS} s)"
