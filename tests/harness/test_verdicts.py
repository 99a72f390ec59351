"""Folding per-test outcomes into one verdict per guarantee, and the run's exit code."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from msgflash_compliance.exit_codes import ExitCode
from msgflash_compliance.models.results import RunFacts, TestResult
from msgflash_compliance.reporting.run_reports import exit_code
from msgflash_compliance.reporting.verdicts import count_verdicts, fold_verdicts


@dataclass(frozen=True)
class G:
    id: str
    level: str = "MUST"
    area: str = "AUTH"
    statement: str = "a promise"
    doc_url: str | None = None
    scope: str = "black-box"
    out_reason: str | None = None


def verdict(
    results: list[TestResult], guarantee: G | None = None
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    folded = fold_verdicts([guarantee or G("AUTH-01")], results)[0]
    return folded.verdict, folded.tests, folded.notes


def r(nodeid: str, outcome: str, *ids: str, failed: tuple[str, ...] = (), message: str = "",
      observation: bool = False) -> TestResult:
    return TestResult(nodeid, ids or ("AUTH-01",), outcome, failed, 0.1, message, observation)  # type: ignore[arg-type]


@pytest.mark.parametrize(("outcomes", "expected"), [
    (["passed", "passed"], "passed"),
    (["passed", "skipped"], "skipped"),
    (["skipped", "broken"], "broken"),
    (["broken", "failed", "passed"], "failed"),
    (["passed", "not_covered"], "skipped"),
    (["not_covered", "not_covered"], "not_covered"),
    (["deselected", "passed"], "passed"),
    (["deselected"], "skipped"),
])
def test_worst_outcome_decides(outcomes: list[str], expected: str) -> None:
    results = [r(f"t{i}", outcome) for i, outcome in enumerate(outcomes)]
    assert verdict(results)[0] == expected


def test_the_deciding_tests_are_named() -> None:
    results = [r("t1", "passed"), r("t2", "failed", message="boom"), r("t3", "failed", message="bang")]
    assert verdict(results) == ("failed", ("t2", "t3"), ("boom", "bang"))


def test_a_guarantee_without_tests_is_not_covered_with_the_reason() -> None:
    assert verdict([]) == ("not_covered", (), ("no test checks it",))
    out = G("PLAN-06", scope="out", out_reason="needs a month to pass")
    assert verdict([], out)[0::2] == ("not_covered", ("needs a month to pass",))


def test_only_not_covered_tests_report_their_reasons() -> None:
    decided, _, notes = verdict([r("t", "not_covered", message="not covered: the profile has no [team]")])
    assert decided == "not_covered" and notes == ("not covered: the profile has no [team]",)


def test_a_violation_of_another_guarantee_leaves_this_one_unfinished() -> None:
    results = [r("t", "failed", "AUTH-01", "AUTH-02", failed=("AUTH-02",), message="boom")]
    folded = {v.id: v for v in fold_verdicts([G("AUTH-01"), G("AUTH-02")], results)}
    assert folded["AUTH-02"].verdict == "failed"
    assert folded["AUTH-01"].verdict == "skipped"
    assert "stopped at a violation of AUTH-02" in folded["AUTH-01"].notes[0]


def test_info_guarantees_never_fail() -> None:
    info = G("TEAM-13", level="INFO", area="TEAM")
    observed = r("t", "passed", "TEAM-13", message="expected 403, got 200", observation=True)
    assert verdict([observed], info)[0] == "passed"
    assert verdict([observed], info)[2] == ("observed (INFO, not a failure): expected 403, got 200",)
    assert verdict([r("t", "failed", "TEAM-13", message="x")], info)[0] == "passed"


def test_counts_cover_every_verdict() -> None:
    folded = fold_verdicts([G("AUTH-01"), G("AUTH-02")], [r("t", "failed")])
    assert count_verdicts(folded) == {"passed": 0, "failed": 1, "broken": 0, "skipped": 0, "not_covered": 1}


@pytest.mark.parametrize(("pytest_code", "counts", "facts", "expected"), [
    (0, {"failed": 0, "broken": 0}, RunFacts(), ExitCode.COMPLIANT),
    (1, {"failed": 1, "broken": 3}, RunFacts(), ExitCode.VIOLATIONS),
    (1, {"failed": 0, "broken": 1}, RunFacts(), ExitCode.BROKEN),
    (2, {"failed": 0, "broken": 1}, RunFacts(stop_reason="request budget of 3 spent"), ExitCode.BROKEN),
    (2, {"failed": 0, "broken": 0}, RunFacts(collection_errors=1), ExitCode.USAGE),
    (2, {"failed": 1, "broken": 0}, RunFacts(interrupted=True), ExitCode.BROKEN),
    (4, {"failed": 0, "broken": 0}, RunFacts(), ExitCode.USAGE),
    (5, {"failed": 0, "broken": 0}, RunFacts(), ExitCode.USAGE),
])
def test_exit_codes(pytest_code: int, counts: dict[str, int], facts: RunFacts, expected: ExitCode) -> None:
    assert exit_code(pytest_code, counts, facts)[0] == expected


def test_a_guarantee_whose_tests_lie_outside_the_selected_files_is_skipped_not_uncovered() -> None:
    folded = fold_verdicts([G("AUTH-01"), G("AUTH-02")], [], outside_selection=frozenset({"AUTH-01"}))
    assert [(v.verdict, v.notes) for v in folded] == [
        ("skipped", ("not selected in this run (its tests are outside the --tests files)",)),
        ("not_covered", ("no test checks it",)),
    ]
