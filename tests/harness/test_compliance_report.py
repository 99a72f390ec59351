"""compliance.md is a CI summary (verdict first, failed then broken, capped evidence, folded test ids, a replay
line each, the full table collapsed) and compliance.json the record (selection, gate, counts with `known`)."""

from __future__ import annotations

from msgflash_compliance.models.selection import Selection
from msgflash_compliance.reporting.compliance import (
    EVIDENCE_LINES,
    RunInfo,
    clean_note,
    compliance_document,
    compliance_markdown,
    fold_tests,
    gating_failures,
)
from msgflash_compliance.reporting.verdicts import GuaranteeVerdict

TESTS = tuple(f"suites/test_envelopes.py::test_envelope[GET /api/v1/r{n}]" for n in range(40))
NOTES = tuple(f"fixtures.errors.ContractViolation: [ENV-02] GET /api/v1/r{n} answered 404: not an envelope"
              for n in range(40))


def _verdicts() -> list[GuaranteeVerdict]:
    return [
        GuaranteeVerdict("ENV-02", "ENV", "MUST", "errors come in the envelope", "https://docs/x", "failed", TESTS,
                         NOTES),
        GuaranteeVerdict("AUTH-04", "AUTH", "SHOULD", "a Bearer key is refused", None, "failed",
                         ("suites/t.py::test_bearer",), ("[AUTH-04] expected 401 UNAUTHORIZED, got 200",)),
        GuaranteeVerdict("TEAM-04", "TEAM", "MUST", "team header", None, "broken", ("suites/t.py::test_team",),
                         ("harness: ReadTimeout",)),
        GuaranteeVerdict("AUTH-01", "AUTH", "MUST", "no key is 401", None, "known", ("suites/t.py::test_nokey",),
                         ("known deviation (baseline): ticket 12",)),
        GuaranteeVerdict("AUTH-02", "AUTH", "MUST", "unknown key is 401", None, "passed", ("suites/t.py::t2",)),
        GuaranteeVerdict("CNT-01", "CNT", "MUST", "contacts", None, "skipped", (), ("not selected in this run",)),
    ]


def _run(fail_on: str = "should") -> RunInfo:
    selection = Selection(guarantees=("ENV-02",), faults=("error-envelope-flat",), seed=42,
                          embedded_rate_limit=50, fail_on=fail_on)
    gating = tuple(v.id for v in gating_failures(_verdicts(), fail_on))
    return RunInfo(target="http://127.0.0.1:9", embedded=True, suite="full", suite_version="0.1.0", run_id="abc",
                   seed=42, started_at="2027-01-01T00:00:00+00:00", duration_seconds=3.0, requests=9,
                   pace_floor_seconds=0.1, settings={"plan_lineup": "free-starter-pro-plus"}, exit_code=1,
                   selection=selection, checked_against={"suite_version": "0.1.0", "openapi": "openapi/a.yaml",
                                                         "openapi_sha256": "1" * 64, "catalog": "openapi/g.yaml",
                                                         "catalog_sha256": "2" * 64},
                   gating=gating, expected={"ENV-02": 'body {"error": ...}'})


def test_the_summary_leads_with_the_verdict_then_failed_then_broken() -> None:
    markdown = compliance_markdown(_run(), _verdicts())
    lines = markdown.splitlines()
    assert lines[2] == ("**FAILED** (exit 1): 2 failed, 1 broken, 1 known, 1 passed, 1 skipped, 0 not covered of 6 "
                        "guarantees; gate: --fail-on should, failing on ENV-02, AUTH-04")
    assert "- selection: full suite, narrowed to guarantees ENV-02" in lines
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == ["## Failed: 2", "## Broken (nothing was judged): 1", "## Known deviations (baseline): 1"]
    assert markdown.index("### AUTH-04") < markdown.index("### ENV-02") < markdown.index("### TEAM-04")
    assert "<details><summary>All 6 guarantees</summary>" in markdown
    assert markdown.index("## Failed") < markdown.index("<details>")


def test_a_failed_guarantee_has_capped_evidence_folded_tests_and_its_own_replay() -> None:
    markdown = compliance_markdown(_run(), _verdicts())
    section = markdown[markdown.index("### ENV-02"):markdown.index("### TEAM-04")]
    assert "- expected: body {\"error\": ...}" in section
    assert f"- tests: 40 tests, e.g. `{TESTS[0]}`, `{TESTS[1]}`, `{TESTS[2]}`" in section
    assert TESTS[3] not in section
    evidence = [line for line in section.splitlines() if line.startswith("  - ")]
    assert len(evidence) == EVIDENCE_LINES + 1 and evidence[-1] == "  - … 34 more in compliance.json"
    assert "fixtures.errors" not in markdown
    assert ("- replay: `msgflash-compliance run --fault error-envelope-flat --embedded-rate-limit 50 "
            "--guarantee ENV-02 --seed 42`") in section
    assert len(section.splitlines()) < 20


def test_fail_on_must_reports_a_should_failure_without_gating_on_it() -> None:
    run = _run("must")
    assert run.gating == ("ENV-02",)
    markdown = compliance_markdown(run, _verdicts())
    assert "### AUTH-04 (SHOULD) a Bearer key is refused — reported, not gating (--fail-on must)" in markdown
    assert "failing on ENV-02" in markdown.splitlines()[2]


def test_the_json_record_holds_selection_gate_digests_and_known_counts() -> None:
    document = compliance_document(_run(), _verdicts())
    assert document["summary"] == {"passed": 1, "failed": 2, "broken": 1, "skipped": 1, "not_covered": 0,
                                   "known": 1}
    assert document["gate"] == {"fail_on": "should", "levels": ["MUST", "SHOULD"], "failing": ["ENV-02", "AUTH-04"]}
    assert document["selection"]["faults"] == ["error-envelope-flat"]  # type: ignore[index]
    assert document["checked_against"]["catalog_sha256"] == "2" * 64  # type: ignore[index]
    assert document["replay"] == ("msgflash-compliance run --fault error-envelope-flat --embedded-rate-limit 50 "
                                  "--guarantee ENV-02 --seed 42")
    env02 = next(g for g in document["guarantees"] if g["id"] == "ENV-02")  # type: ignore[union-attr]
    assert len(env02["notes"]) == 40 and not env02["notes"][0].startswith("fixtures")


def test_notes_and_tests_read_short() -> None:
    assert clean_note("fixtures.errors.ContractViolation: [AUTH-01] got 403") == "[AUTH-01] got 403"
    assert clean_note("suites/test_a.py::test_b: stopped at AUTH-01") == "suites/test_a.py::test_b: stopped at AUTH-01"
    assert fold_tests(("a",)) == "1 test: `a`" and fold_tests(()) == "none"
