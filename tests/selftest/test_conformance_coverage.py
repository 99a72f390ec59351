"""The conformance suite reaches every operation of the contract with at least one 2xx on the clean server.

It reads the record the conformance and stateful suites write next to the reports (`conformance-coverage.json`,
see `suites/conformance/record.py`) after the shared clean run of every suite (`clean_run` in conftest.py: a
fresh embedded server, whose profile allows sends): every operation of the spec is either excluded from
generation with a reason (console billing and team/key mutations) or was exercised and answered 2xx at least
once. The failure message lists the operations without one.
"""

from __future__ import annotations

import pytest

from msgflash_compliance.contract.openapi import operations
from suites.conformance.record import RECORD_NAME, read_record
from tests.selftest.conftest import CleanRun
from tests.selftest.runs import tail


@pytest.mark.slow
@pytest.mark.xdist_group("clean_run")
def test_every_operation_answers_2xx_on_the_clean_server(clean_run: CleanRun) -> None:
    assert (clean_run.reports / RECORD_NAME).exists(), f"the clean run wrote no {RECORD_NAME}:\n{tail(clean_run.done)}"
    record = read_record(clean_run.reports)
    exercised, excluded = record["operations"], record["excluded"]
    labels = [op.label for op in operations()]
    never_sent = [label for label in labels if label not in exercised and label not in excluded]
    without_2xx = [label for label in labels if label in exercised and label in record["without_2xx"]]
    assert not never_sent, f"operations never exercised and not excluded: {never_sent}"
    assert not without_2xx, f"operations exercised without a single 2xx: {without_2xx}"
