"""The clean run's three reports count the same tests (the fault runs' agreement is checked in
test_fault_detection.py, one run per fault): compliance.json's `tests`, junit.xml and the Allure results.
Reuses the shared clean run, so it costs no run of its own."""

from __future__ import annotations

import pytest

from tests.selftest.conftest import CleanRun
from tests.selftest.report_counts import allure_counts, compliance_counts, junit_counts


@pytest.mark.slow
@pytest.mark.xdist_group("clean_run")
def test_the_clean_runs_reports_count_the_same_tests(clean_run: CleanRun) -> None:
    reports = clean_run.reports
    counts = {"compliance.json": compliance_counts(reports), "junit.xml": junit_counts(reports),
              "allure-results": allure_counts(reports)}
    assert len({tuple(sorted(c.items())) for c in counts.values()}) == 1, f"the reports disagree: {counts}"
    assert counts["junit.xml"]["passed"] > 0 and counts["junit.xml"]["failed"] == 0, counts
