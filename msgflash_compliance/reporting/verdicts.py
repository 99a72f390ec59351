"""From per-test results to one verdict per catalog guarantee.

A guarantee's verdict folds the outcomes of the tests that name it, worst first:
**failed > broken > skipped > passed**. The other cases:

* no test names it → `not_covered` (for `scope: out` entries, with the catalog's reason);
* every test naming it was `not_covered` (an identity or team missing from the profile, a read-only
  target) → `not_covered`; mixed with other outcomes, a `not_covered` test counts as `skipped`;
* tests exist but none was selected in this run (`--suite smoke`, `--guarantee`, `-m`, `-k`) → `skipped`;
  likewise a guarantee whose tests (the catalog's `checked_by`) all lie outside the files `--tests` named;
* a failed test whose violation names other guarantees did not finish checking this one → `skipped` for it;
* INFO guarantees never fail: the plugin turns an INFO check's violation into a pass carrying the observation,
  so they end `passed` with the observation in `notes` (and a failed INFO outcome from elsewhere is folded the
  same way).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from msgflash_compliance.models.results import TestResult

Verdict = Literal["passed", "failed", "broken", "skipped", "not_covered"]
VERDICTS: tuple[Verdict, ...] = ("passed", "failed", "broken", "skipped", "not_covered")
_RANK: dict[str, int] = {"failed": 4, "broken": 3, "skipped": 2, "passed": 1}


class GuaranteeLike(Protocol):
    id: str
    area: str
    level: str
    statement: str
    doc_url: str | None
    scope: str
    out_reason: str | None


@dataclass(frozen=True)
class GuaranteeVerdict:
    id: str
    area: str
    level: str
    statement: str
    doc_url: str | None
    verdict: Verdict
    tests: tuple[str, ...]  # the tests that decided the verdict
    notes: tuple[str, ...] = ()


def fold_verdicts(
    guarantees: Iterable[GuaranteeLike], results: Iterable[TestResult],
    outside_selection: frozenset[str] = frozenset(),
) -> list[GuaranteeVerdict]:
    """`outside_selection`: IDs whose tests were never collected because `--tests` named other files."""
    by_guarantee: dict[str, list[TestResult]] = {}
    for result in results:
        for guarantee_id in result.guarantees:
            by_guarantee.setdefault(guarantee_id, []).append(result)
    return [_verdict(g, by_guarantee.get(g.id, []), g.id in outside_selection) for g in guarantees]


def _verdict(guarantee: GuaranteeLike, results: list[TestResult], unselected: bool = False) -> GuaranteeVerdict:
    def make(verdict: Verdict, tests: Iterable[str] = (), notes: Iterable[str] = ()) -> GuaranteeVerdict:
        return GuaranteeVerdict(guarantee.id, guarantee.area, guarantee.level, guarantee.statement,
                                guarantee.doc_url, verdict, tuple(tests), tuple(dict.fromkeys(notes)))

    if not results and unselected:
        return make("skipped", notes=["not selected in this run (its tests are outside the --tests files)"])
    if not results:
        out = guarantee.scope == "out" and guarantee.out_reason
        reason = guarantee.out_reason if out else "no test checks it"
        return make("not_covered", notes=[reason])
    ran = [r for r in results if r.outcome != "deselected"]
    if not ran:
        return make("skipped", notes=["not selected in this run"])
    if all(r.outcome == "not_covered" for r in ran):
        return make("not_covered", [r.nodeid for r in ran], [r.message for r in ran if r.message])

    contributions = [(r, _contribution(guarantee, r)) for r in ran]
    verdict: Verdict = max((c for _, c in contributions), key=_RANK.__getitem__)  # type: ignore[assignment]
    deciding = [r.nodeid for r, c in contributions if c == verdict]
    notes = [_note(guarantee, r, c) for r, c in contributions if c == verdict or r.observation]
    return make(verdict, deciding, [n for n in notes if n])


def _contribution(guarantee: GuaranteeLike, result: TestResult) -> str:
    if result.outcome == "failed":
        if guarantee.id not in result.violated:
            return "skipped"  # the test stopped at another guarantee's violation
        return "passed" if guarantee.level == "INFO" else "failed"
    if result.outcome == "not_covered":
        return "skipped"
    return result.outcome


def _note(guarantee: GuaranteeLike, result: TestResult, contribution: str) -> str:
    if result.outcome == "failed" and contribution == "skipped":
        named = ", ".join(result.failed_guarantees)
        return f"{result.nodeid}: stopped at a violation of {named} before finishing this check"
    if result.observation or (result.outcome == "failed" and guarantee.level == "INFO"):
        return f"observed (INFO, not a failure): {result.message}"
    if contribution in ("failed", "broken", "skipped") and result.message:
        return result.message
    return ""


def count_verdicts(verdicts: Iterable[GuaranteeVerdict]) -> dict[str, int]:
    counts = Counter(v.verdict for v in verdicts)
    return {name: counts.get(name, 0) for name in VERDICTS}


TEST_OUTCOMES: tuple[str, ...] = ("passed", "failed", "broken", "skipped", "not_covered")


def count_tests(results: Iterable[TestResult]) -> dict[str, int]:
    """Per-test outcomes, as JUnit and Allure show them too (`fixtures.report_sync`): a deselected test is in
    no report, an INFO observation is a pass."""
    counts = Counter(r.outcome for r in results if r.outcome != "deselected")
    return {name: counts.get(name, 0) for name in TEST_OUTCOMES}
