"""`run --fail-fast` gives every guarantee the verdict the whole run gives, sooner.

One fault breaking workspace isolation for contacts, the isolation checks run twice: in full, then failing
fast. Same verdict for every guarantee of the catalog; the second run skipped the checks of the guarantees
already failed (the skip says why), its three reports agree, and its replay command keeps `--fail-fast`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.selftest.report_counts import allure_counts, compliance_counts, junit_counts
from tests.selftest.runs import cli, compliance, tail, verdicts

FAULT = "contacts-cross-workspace-by-id"
SELECTION = ("--guarantee", "TEAM-10", "--tests", "suites/test_workspace_isolation.py")


def _run(reports: Path, *extra: str) -> None:
    done = cli("run", "--fault", FAULT, *SELECTION, "--embedded-rate-limit", "200", "--key-pool", "0",
               "--lanes", "1", "--no-html", "--reports-dir", str(reports), *extra)
    assert done.returncode == 1, f"expected exit 1 (violations), got {done.returncode}:\n{tail(done)}"


@pytest.mark.slow
def test_fail_fast_keeps_every_verdict_and_skips_what_cannot_change_one(tmp_path: Path) -> None:
    full, fast = tmp_path / "full", tmp_path / "fast"
    _run(full)
    _run(fast, "--fail-fast")

    assert verdicts(full)["TEAM-10"] == "failed"  # the positive control: the fault is seen
    assert verdicts(fast) == verdicts(full)
    skips = [case.find("skipped").get("message", "") for case in ET.parse(fast / "junit.xml").getroot().iter("testcase")
             if case.find("skipped") is not None]
    assert skips and all("fail fast: TEAM-10 already failed" in message for message in skips), skips[:3]
    assert compliance_counts(fast)["skipped"] == len(skips)
    assert compliance_counts(fast)["passed"] < compliance_counts(full)["passed"]
    counts = {"compliance.json": compliance_counts(fast), "junit.xml": junit_counts(fast),
              "allure-results": allure_counts(fast)}
    assert len({tuple(sorted(c.items())) for c in counts.values()}) == 1, f"the reports disagree: {counts}"
    assert "--fail-fast" in compliance(fast)["replay"]
