"""Issue 7's claim, on the clean embedded server: Schemathesis exercised EVERY operation of the contract and
each answered at least one 2xx; nothing was excluded (the console billing and team/key mutations ran as
scratch accounts, `suites/test_conformance_console_mutations.py`), and the scratch workspace left no team or
live key behind and every seeded identity's subscription as it found it.

Reads the record of the shared clean run (`clean_run` in conftest.py; no run of its own):
`conformance-coverage.json`, see `suites/conformance/record.py`.
"""

from __future__ import annotations

from typing import Any

import pytest

from msgflash_compliance.contract.openapi import operations
from suites.conformance.record import RECORD_NAME, read_record
from tests.selftest.conftest import CleanRun
from tests.selftest.runs import tail


@pytest.fixture(scope="module")
def record(clean_run: CleanRun) -> dict[str, Any]:
    assert (clean_run.reports / RECORD_NAME).exists(), f"the clean run wrote no {RECORD_NAME}:\n{tail(clean_run.done)}"
    return read_record(clean_run.reports)


@pytest.mark.slow
@pytest.mark.xdist_group("clean_run")
def test_every_operation_is_exercised_with_a_2xx_and_none_excluded(record: dict[str, Any]) -> None:
    labels = [op.label for op in operations()]
    assert record["excluded"] == {}, f"operations excluded on the clean embedded server: {record['excluded']}"
    assert record["without_2xx"] == [], f"operations exercised without a single 2xx: {record['without_2xx']}"
    missing = [label for label in labels if label not in record["with_2xx"]]
    assert not missing, f"operations of the spec without a 2xx in the record: {missing}"


@pytest.mark.slow
@pytest.mark.xdist_group("clean_run")
def test_the_scratch_workspace_leaves_nothing_behind(record: dict[str, Any]) -> None:
    scratch = record.get("scratch")
    assert scratch is not None, "the record has no scratch section: the console mutations did not run"
    assert len(scratch["accounts"]) == 2, scratch
    assert scratch["left_behind"] == {"teams": [], "keys": []}, f"the scratch accounts left: {scratch['left_behind']}"
    assert scratch["seeded_subscriptions_changed"] == [], (
        f"seeded subscriptions differ after the scratch work: {scratch['seeded_subscriptions_changed']}"
    )
