"""`msgflash-compliance run`: check a target, guarantee by guarantee, and write the reports.

    target   → a profile file, or the embedded reference server on a fresh database (`embedded`, in process)
    config   → one `RunConfig`: profile, contract settings, catalog and selection, each loaded once
    probe    → is anything listening at base_url? (no: exit 3, one line)
    pytest   → `pytest.main(args, plugins=[CompliancePlugin(config)])`: the suites in process, JUnit and Allure
    verdicts → read from that plugin object after the session (results, run facts, secrets): no file between
    reports  → compliance.json / .md, Allure environment and categories, the HTML report, a secret scan

`--repeat N` (soak) runs N child processes against one target instead (`msgflash_compliance.soak`).

Exit codes (`ExitCode`): 0 every checked guarantee held, 1 a guarantee failed, 2 usage or profile error,
3 target unreachable or broken (and nothing failed). Nothing secret is ever printed.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from msgflash_compliance import __version__
from msgflash_compliance.contract.paths import PROJECT_ROOT, RUN_INI, make_suites_importable
from msgflash_compliance.errors import TargetBroken, UsageError
from msgflash_compliance.exit_codes import ExitCode
from msgflash_compliance.interrupts import STOP, stop_signals
from msgflash_compliance.models.run_config import RunConfig, build_run_config
from msgflash_compliance.profile import TargetProfile, load_profile
from msgflash_compliance.soak import repeat_count, soak

SUITES_DIR = PROJECT_ROOT / "suites"
PROBE_TIMEOUT_SECONDS = 5.0
# Written by a run into the reports dir, and only these (reports/README.md documents them).
REPORT_OUTPUTS = ("allure-results", "allure-report", "junit.xml", "compliance.json", "compliance.md")


@dataclass(frozen=True)
class Target:
    profile: TargetProfile
    profile_path: Path
    embedded: bool


def run_command(args: argparse.Namespace, suites_dir: Path = SUITES_DIR) -> int:
    if getattr(args, "embedded_rate_limit", None) is not None and args.profile:
        raise UsageError("--embedded-rate-limit applies to the embedded server only, not to --profile targets")
    if args.fault and args.profile:
        raise UsageError("--fault switches faults on the embedded server; it cannot be used with --profile")
    from msgflash_compliance.reporting.replay import replay_command, selection_from_args

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    selection = selection_from_args(args, seed)
    known = _load_baseline(getattr(args, "baseline", None))  # a bad file is exit 2 before anything runs
    reports_dir = Path(args.reports_dir).absolute()  # pytest may resolve relative paths elsewhere
    repeat = repeat_count(args)
    if repeat > 1:
        return _soak(args, selection, repeat, reports_dir)
    catalog = _load_catalog()
    make_suites_importable()  # `-p fixtures.plugin` and the suites' imports, from any working directory
    with (
        stop_signals(),  # SIGINT/SIGTERM stop the checks at a request boundary, never the cleanup or the reports
        tempfile.TemporaryDirectory(prefix="msgflash-run-") as scratch,
        _target(args, Path(scratch)) as target,
    ):
        # A bad [settings] override or --guarantee ID is a usage error (exit 2), before anything is sent.
        config = build_run_config(target.profile, catalog, selection, profile_path=target.profile_path)
        unknown = config.unknown_guarantees()
        if unknown:
            raise UsageError(f"--guarantee: unknown guarantee ID(s) {', '.join(unknown)}")
        # Printed once the profile is good (a profile error is the only line a bad profile gets).
        print(f"hypothesis seed: {seed}; replay with: {replay_command(selection)}", flush=True)
        probe(target.profile.base_url)
        return _run_and_report(args, target, config, reports_dir, suites_dir, known=known)


def _soak(args: argparse.Namespace, selection: Any, repeat: int, reports_dir: Path) -> int:
    """`--repeat N`: N child runs against one target (`msgflash_compliance.soak`)."""
    with tempfile.TemporaryDirectory(prefix="msgflash-soak-") as scratch, _target(args, Path(scratch)) as target:
        print(f"soak: {repeat} runs, seeds drawn from {selection.seed}", flush=True)
        probe(target.profile.base_url)
        return soak(selection, target.profile_path, repeat, reports_dir, selection.seed)


def _load_baseline(path: str | None) -> list[Any] | None:
    if not path:
        return None
    from msgflash_compliance.reporting.baseline import load_baseline

    return load_baseline(Path(path), (g.id for g in _load_catalog()))


def _load_catalog() -> Any:
    from msgflash_compliance.contract.catalog import CatalogError, load_catalog

    try:
        return load_catalog()  # cached: the baseline check and the run share one
    except CatalogError as err:
        raise UsageError(str(err)) from None


# -- the target ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def _target(args: argparse.Namespace, scratch: Path) -> Iterator[Target]:
    if args.profile:
        path = Path(args.profile).absolute()
        yield Target(load_profile(path), path, embedded=False)
        return
    from msgflash_compliance.embedded import embedded_server

    with embedded_server(scratch, faults=list(args.fault),
                         rate_limit=getattr(args, "embedded_rate_limit", None)) as path:
        yield Target(load_profile(path), path, embedded=True)


def probe(base_url: str, timeout: float = PROBE_TIMEOUT_SECONDS) -> None:
    """Any HTTP answer means reachable; no answer is exit 3 with one line saying why."""
    try:
        httpx.get(base_url + "/", timeout=timeout)
    except httpx.ConnectError as err:
        text = str(err)
        refused = "refused" in text.lower() or "Errno 111" in text
        reason = "connection refused" if refused else (text or "cannot connect")
        raise TargetBroken(f"target {base_url} unreachable: {reason}") from None
    except httpx.TimeoutException:
        raise TargetBroken(f"target {base_url} unreachable: no answer within {timeout:.0f} s") from None
    except httpx.HTTPError as err:
        raise TargetBroken(f"target {base_url} unreachable: {err.__class__.__name__}") from None


# -- running and reporting -----------------------------------------------------------------------------


class _PathsFromRoot:
    """Test files shown relative to the project root (`suites/test_x.py`, as in the reports) wherever the run
    started: an installed copy's would otherwise be a long climb into site-packages on every progress line."""

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.startpath = config.rootpath


def pytest_arguments(args: argparse.Namespace, *, seed: int, reports_dir: Path, suites_dir: Path) -> list[str]:
    """pytest's command line for a run; the target, the selection of guarantees and the run id travel in the
    plugin's `RunConfig`, not here."""
    extra = list(args.pytest_args or [])
    if extra and extra[0] == "--":
        extra = extra[1:]
    arguments = [
        *(suite_paths(args.tests, suites_dir) if getattr(args, "tests", None) else [str(suites_dir)]),
        # The run's own pytest settings (an installed copy has no pyproject.toml); the root conftest.py loads.
        "-c", str(RUN_INI), "--rootdir", str(PROJECT_ROOT), "--confcutdir", str(PROJECT_ROOT),
        # The plugin module's options and markers, also for suites outside the project root (self-tests).
        # In process, httpx has imported anyio before pytest could mark its plugin for assert rewriting.
        "-p", "no:cacheprovider", "-p", "fixtures.plugin",
        "-W", "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning",
        f"--junitxml={reports_dir / 'junit.xml'}", "-o", "junit_suite_name=msgflash-compliance",
        f"--alluredir={reports_dir / 'allure-results'}", "--clean-alluredir",
        f"--hypothesis-seed={seed}",
    ]
    if args.suite == "smoke":
        arguments += ["-m", "smoke"]
    return arguments + extra


def suite_paths(paths: list[str], suites_dir: Path) -> list[str]:
    """`--tests` values as absolute pytest arguments; each must name something under the suites folder."""
    resolved = []
    for raw in paths:
        file_part, _, rest = raw.partition("::")
        path = (PROJECT_ROOT / file_part).resolve()
        if not path.is_relative_to(suites_dir.resolve()) or not path.exists():
            raise UsageError(f"--tests {raw}: not a file or folder under {suites_dir}")
        resolved.append(str(path) + (f"::{rest}" if rest else ""))
    return resolved


def _run_and_report(args: argparse.Namespace, target: Target, config: RunConfig, reports_dir: Path,
                    suites_dir: Path, *, known: list[Any] | None) -> int:
    from fixtures.plugin import AllureTitles, CompliancePlugin  # importable now: make_suites_importable() ran
    from msgflash_compliance.contract.settings import describe

    _clean_reports(reports_dir)
    plugin = CompliancePlugin(config)
    started_at = datetime.now(UTC)
    started = time.monotonic()
    seed = config.selection.seed
    arguments = pytest_arguments(args, seed=seed, reports_dir=reports_dir, suites_dir=suites_dir)
    pytest_code = pytest.main(arguments, plugins=[plugin, AllureTitles(), _PathsFromRoot()])
    duration = time.monotonic() - started

    outcome = ReportInputs(
        target=target, catalog=config.catalog, settings=describe(config.settings), seed=seed,
        run_id=config.run_id, suite=args.suite, started_at=started_at.isoformat(timespec="seconds"),
        duration=duration, pytest_code=int(pytest_code), reports_dir=reports_dir, secrets=plugin.secrets(),
        html=not getattr(args, "no_html", False),
        outside_selection=outside_selection(config.catalog, getattr(args, "tests", None)),
        selection=config.selection, known=known,
        history=_history_path(getattr(args, "history", None), reports_dir),
    )
    return write_reports(outcome, plugin.stream())


def outside_selection(catalog: Any, tests: list[str] | None) -> frozenset[str]:
    """Guarantees some suite test checks (catalog `checked_by`) but none inside the `--tests` selection."""
    if not tests:
        return frozenset()
    selected = []
    for raw in tests:  # as the catalog names tests: project-relative path[::test]
        file_part, sep, rest = raw.partition("::")
        path = (PROJECT_ROOT / file_part).resolve().relative_to(PROJECT_ROOT.resolve()).as_posix()
        selected.append(path + sep + rest)

    def inside(node: str) -> bool:
        return any(node == s or node.startswith((s + "::", s + "/")) for s in selected)

    return frozenset(g.id for g in catalog if g.checked_by and not any(inside(n) for n in g.checked_by))


def _history_path(flag: str | None, reports_dir: Path) -> Path | None:
    """The Allure history file: kept beside the reports by default, `--history none` for no history."""
    if flag == "none":
        return None
    return Path(flag).absolute() if flag else reports_dir / "history.jsonl"


@dataclass
class ReportInputs:
    target: Target
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
    from msgflash_compliance.reporting.secret_scan import scan_for_secrets
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
    base_url = inputs.target.profile.base_url
    expected = {g.id: expected_answer(g.expected) for g in inputs.catalog}
    run = RunInfo(
        target=base_url, embedded=inputs.target.embedded, suite=inputs.suite, suite_version=__version__,
        run_id=inputs.run_id, seed=inputs.seed, started_at=inputs.started_at,
        duration_seconds=inputs.duration,
        requests=stream.facts.requests, pace_floor_seconds=pace_floor(stream.facts),
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
        "target": base_url + (" (embedded reference server)" if inputs.target.embedded else ""),
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
    if leaks:
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
    """Seconds the busiest credential needed at the harness pace: what a rate-limited run cannot beat."""
    if not facts.paced_requests or facts.pace_rate <= 0:
        return 0.0
    return max(facts.paced_requests.values()) / facts.pace_rate


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
    print(f"target: {inputs.target.profile.base_url}; {requests} requests in {inputs.duration:.1f} s; "
          f"hypothesis seed: {inputs.seed}")
    for note in notes:
        print(f"note: {note}")
    where = [reports_dir / "compliance.md", reports_dir / "junit.xml"]
    if html:
        where.insert(1, reports_dir / "allure-report" / "index.html")
    print("reports: " + ", ".join(str(p) for p in where))


def _clean_reports(reports_dir: Path) -> None:
    reports_dir.mkdir(parents=True, exist_ok=True)
    for name in REPORT_OUTPUTS:
        path = reports_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
