"""A run's reports from its per-test results: verdicts per guarantee, the exit code, the files, the console lines.

    results  → verdicts (`verdicts.fold_verdicts`), the baseline applied, the gate (`--fail-on`)
    files    → compliance.json / .md, Allure environment, categories and unchecked guarantees, the HTML report
    scan     → every written file searched for the run's secrets (a leak is scrubbed and makes the run broken)
    console  → the summary, the failed guarantees with their replay line, the baseline's flags

Called by the runner once pytest is done; reads nothing but what it is given.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from msgflash_compliance import __version__
from msgflash_compliance.exit_codes import ExitCode
from msgflash_compliance.interrupts import STOP
from msgflash_compliance.profile import paced_as_console

# Written by a run into the reports dir, and only these (reports/README.md documents them).
REPORT_OUTPUTS = ("allure-results", "allure-report", "junit.xml", "compliance.json", "compliance.md",
                  "conformance-coverage.json")


@dataclass
class ReportInputs:
    base_url: str
    embedded: bool  # the embedded reference server (said beside the URL)
    catalog: Any
    settings: dict[str, str]
    seed: int
    run_id: str
    suite: str
    started_at: str
    duration: float
    pytest_code: int
    reports_dir: Path
    secrets: list[tuple[str, str]]
    html: bool = True
    outside_selection: frozenset[str] = frozenset()
    selection: Any = None  # replay.Selection; None: built from `suite` and `seed` alone
    known: list[Any] | None = None  # baseline.KnownDeviation entries of `--baseline`, if given
    history: Path | None = None


def write_reports(inputs: ReportInputs, stream: Any) -> int:
    from fixtures.secret_scan import scan_for_secrets
    from msgflash_compliance.models.guarantee_text import expected_answer
    from msgflash_compliance.reporting import allure_files
    from msgflash_compliance.reporting.baseline import apply_baseline, count_reported
    from msgflash_compliance.reporting.compliance import (
        RunInfo,
        gating_failures,
        write_compliance_json,
        write_compliance_md,
    )
    from msgflash_compliance.reporting.replay import Selection, checked_against
    from msgflash_compliance.reporting.verdicts import count_tests, fold_verdicts

    selection = inputs.selection or Selection(suite=inputs.suite, seed=inputs.seed)
    verdicts = fold_verdicts(inputs.catalog, stream.results, inputs.outside_selection)
    baseline = None
    if inputs.known is not None:
        verdicts, outcome = apply_baseline(verdicts, inputs.known, date.today(), selection.baseline or "")
        baseline = outcome.as_dict()
    counts = count_reported(verdicts)
    gating = [v.id for v in gating_failures(verdicts, selection.fail_on)]
    code, notes = exit_code(inputs.pytest_code, {**counts, "failed": len(gating)}, stream.facts)
    reports_dir = inputs.reports_dir
    reports_dir.mkdir(parents=True, exist_ok=True)
    results_dir = reports_dir / "allure-results"
    results_dir.mkdir(exist_ok=True)
    base_url = inputs.base_url
    expected = {g.id: expected_answer(g.expected) for g in inputs.catalog}
    run = RunInfo(
        target=base_url, embedded=inputs.embedded, suite=inputs.suite, suite_version=__version__,
        run_id=inputs.run_id, seed=inputs.seed, started_at=inputs.started_at,
        duration_seconds=inputs.duration,
        requests=stream.facts.requests, pace_floor_seconds=pace_floor(stream.facts),
        paced_requests=dict(stream.facts.paced_requests),
        settings=inputs.settings, exit_code=int(code), notes=tuple(notes),
        selection=selection, checked_against=checked_against(), gating=tuple(gating), baseline=baseline,
        expected=expected, test_counts=count_tests(stream.results), outcome=run_outcome(stream.facts),
    )
    write_compliance_json(reports_dir / "compliance.json", run, verdicts)
    write_compliance_md(reports_dir / "compliance.md", run, verdicts)
    categories = allure_files.write_categories(results_dir)
    started_ms = int(datetime.fromisoformat(inputs.started_at).timestamp() * 1000)
    allure_files.write_unchecked_results(results_dir, verdicts, started_ms, expected)
    if baseline and baseline["known"]:
        from msgflash_compliance.reporting import junit_files

        accepted = known_tests(stream.results, set(baseline["known"]))
        allure_files.mark_known(results_dir, accepted)
        junit_files.mark_known(reports_dir / "junit.xml", accepted)
    allure_files.write_environment(results_dir, {
        "target": base_url + (" (embedded reference server)" if inputs.embedded else ""),
        "selection": selection.describe(),
        "suite version": __version__,
        "run": inputs.run_id,
        "hypothesis seed": str(inputs.seed),
        "gate": f"--fail-on {selection.fail_on}",
        **inputs.settings,
    })
    # Scan (and scrub) before the HTML report is built: a single-file report embeds the results base64-encoded,
    # where a plain search cannot see them; what it embeds is then already clean.
    leaks = scan_for_secrets([reports_dir / name for name in REPORT_OUTPUTS], inputs.secrets)
    warning: str | None = "HTML report skipped (--no-html)"
    if inputs.html:
        warning = allure_files.generate_html(
            results_dir, reports_dir / "allure-report", name=f"MsgFlash compliance: {base_url}",
            categories=categories, history=inputs.history, statements={g.id: g.statement for g in inputs.catalog},
            attachments=[reports_dir / "compliance.md"])
        leaks += scan_for_secrets([reports_dir / "allure-report", *filter(None, [inputs.history])], inputs.secrets)
    if warning and inputs.html:
        print(f"warning: {warning}", file=sys.stderr)
    for leak in leaks:
        print(f"error: secret {leak.label} found in {leak.path} (scrubbed); the run counts as broken",
              file=sys.stderr)
    for found in stream.facts.secret_leaks:  # a lane's own scan, of what only it knew
        print(f"error: secret {found} (scrubbed by its lane); the run counts as broken", file=sys.stderr)
    if leaks or stream.facts.secret_leaks:
        code = ExitCode.BROKEN
    _print_summary(counts, len(verdicts), stream.facts.requests, inputs, reports_dir, warning is None, notes)
    _print_attention(run, verdicts)
    return int(code)


def run_outcome(facts: Any) -> str:
    if facts.interrupted or STOP.requested:
        return "interrupted"
    return "stopped" if facts.stop_reason else "completed"


def known_tests(results: list[Any], known: set[str]) -> set[str]:
    """Node ids of the failed tests whose violation names only baseline-accepted guarantees."""
    return {r.nodeid for r in results
            if r.outcome == "failed" and set(r.failed_guarantees or r.guarantees) <= known}


def _print_attention(run: Any, verdicts: list[Any]) -> None:
    """The failed guarantees with their replay line, and the baseline's flags: what a CI log reader acts on."""
    from msgflash_compliance.reporting.replay import guarantee_replay

    for verdict in verdicts:
        if verdict.verdict == "failed":
            gate = "" if verdict.id in run.gating else f" (not gating: --fail-on {run.selection.fail_on})"
            print(f"failed: {verdict.id} ({verdict.level}){gate}: replay with "
                  f"{guarantee_replay(run.selection, verdict.id)}")
    if run.baseline:
        for key, what in (("known", "known (baseline)"), ("expired", "baseline entry EXPIRED, failing again"),
                          ("stale", "baseline entry STALE, it passes now")):
            for guarantee_id in run.baseline[key]:
                print(f"{what}: {guarantee_id}")


def pace_floor(facts: Any) -> float:
    """Seconds the busiest credential needed at the harness pace (API keys at the key rate, the credentials
    the docs give no limit at the console rate): what a rate-limited run cannot beat."""
    if not facts.paced_requests or facts.pace_rate <= 0:
        return 0.0
    console = facts.console_pace_rate or facts.pace_rate
    return max(count / (console if paced_as_console(label) else facts.pace_rate)
               for label, count in facts.paced_requests.items())


def exit_code(pytest_code: int, counts: dict[str, int], facts: Any) -> tuple[ExitCode, list[str]]:
    """The run's exit code from pytest's and the verdicts; with the notes explaining a non-verdict outcome."""
    notes = [f"stopped: {facts.stop_reason}"] if facts.stop_reason else []
    notes += [f"cleanup: {problem}" for problem in facts.cleanup_problems]
    if pytest_code == pytest.ExitCode.USAGE_ERROR:
        return ExitCode.USAGE, [*notes, "pytest rejected its arguments (see above)"]
    if pytest_code == pytest.ExitCode.INTERNAL_ERROR:
        return ExitCode.BROKEN, [*notes, "pytest internal error (see above)"]
    if facts.interrupted or STOP.requested:
        return ExitCode.BROKEN, [*notes, f"interrupted ({STOP.requested or 'SIGINT'})"]
    if facts.collection_errors:
        return ExitCode.USAGE, [*notes, "the suites could not be collected (see the errors above)"]
    if pytest_code == pytest.ExitCode.NO_TESTS_COLLECTED:
        return ExitCode.USAGE, [*notes, "no test selected"]
    if counts["failed"]:
        return ExitCode.VIOLATIONS, notes
    if counts["broken"] or facts.stop_reason or pytest_code == pytest.ExitCode.INTERRUPTED:
        return ExitCode.BROKEN, notes
    return ExitCode.COMPLIANT, notes


def _print_summary(counts: dict[str, int], total: int, requests: int, inputs: ReportInputs, reports_dir: Path,
                   html: bool, notes: list[str]) -> None:
    print()
    known = f", {counts['known']} known" if counts.get("known") else ""
    print(f"guarantees: {counts['passed']} passed, {counts['failed']} failed{known}, {counts['broken']} broken, "
          f"{counts['skipped']} skipped, {counts['not_covered']} not covered (of {total})")
    print(f"target: {inputs.base_url}; {requests} requests in {inputs.duration:.1f} s; "
          f"hypothesis seed: {inputs.seed}")
    for note in notes:
        print(f"note: {note}")
    where = [reports_dir / "compliance.md", reports_dir / "junit.xml"]
    if html:
        where.insert(1, reports_dir / "allure-report" / "index.html")
    print("reports: " + ", ".join(str(p) for p in where))


def clean_reports(reports_dir: Path) -> None:
    reports_dir.mkdir(parents=True, exist_ok=True)
    for name in REPORT_OUTPUTS:
        path = reports_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
