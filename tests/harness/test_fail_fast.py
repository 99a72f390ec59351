"""`run --fail-fast`: a test is skipped only when every guarantee it judges has failed; lanes share the list."""

from __future__ import annotations

from pathlib import Path

from fixtures.fail_fast import FailFast, cheapest_files_first
from msgflash_compliance.models.results import TestResult


def test_nothing_is_skipped_before_a_failure() -> None:
    assert FailFast().skip_reason(["CNT-01"]) is None


def test_a_test_is_skipped_once_every_guarantee_it_judges_failed() -> None:
    fail_fast = FailFast()
    fail_fast.note(["CNT-01"])
    assert fail_fast.skip_reason(["CNT-01"]) == "fail fast: CNT-01 already failed in this run"
    assert fail_fast.skip_reason(["CNT-01", "CNT-02"]) is None  # CNT-02 is still open: the test runs
    fail_fast.note(["CNT-02"])
    assert fail_fast.skip_reason(["CNT-01", "CNT-02"]) is not None


def test_a_test_judging_nothing_always_runs() -> None:
    """INFO-only or unselected guarantees: nothing the test could change, nothing fail-fast may decide."""
    fail_fast = FailFast()
    fail_fast.note(["CNT-01"])
    assert fail_fast.skip_reason([]) is None


def test_lanes_see_each_others_failures(tmp_path: Path) -> None:
    first, second = FailFast(tmp_path), FailFast(tmp_path)
    first.note(["ENV-01", "ERR-10"])
    first.note(["ENV-01"])  # written once
    assert second.skip_reason(["ERR-10"]) is not None
    assert (tmp_path / "failed-guarantees").read_text().split() == ["ENV-01", "ERR-10"]


def test_a_violation_counts_only_for_the_guarantees_it_named() -> None:
    """What fail-fast notes is what the verdicts fold as failed (`TestResult.violated`)."""
    named = TestResult("t", ("ENV-01", "ENV-02"), "failed", ("ENV-02",))
    unnamed = TestResult("t", ("ENV-01", "ENV-02"), "failed")
    assert named.violated == ("ENV-02",)
    assert unnamed.violated == ("ENV-01", "ENV-02")
    assert TestResult("t", ("ENV-01",), "broken").violated == ()


def test_cheapest_files_run_first_whole_and_in_their_own_order() -> None:
    """A guarantee judged by a long file and a short one: the short one first, so its failure spares the long
    one's checks. Files move whole (module fixtures once); an unknown test counts as a typical one (the median)."""
    items = ["suites/test_long.py::a", "suites/test_long.py::b", "suites/test_short.py::c",
             "suites/test_short.py::d", "suites/test_unknown.py::e"]
    durations = {"suites/test_long.py::a": 30.0, "suites/test_long.py::b": 2.0, "suites/test_short.py::c": 0.5,
                 "suites/test_short.py::d": 0.5}
    ordered = cheapest_files_first(items, str, durations)
    assert ordered == ["suites/test_short.py::c", "suites/test_short.py::d", "suites/test_unknown.py::e",
                       "suites/test_long.py::a", "suites/test_long.py::b"]
    assert cheapest_files_first(items[:2], str, {}) == items[:2]  # no durations: each test counts 1 s
