"""`msgflash-compliance run`: check a target, guarantee by guarantee, and write the reports.

    profile  → the target (a profile file, or the embedded reference server on a fresh database)
    probe    → is anything listening at base_url? (no: exit 3, one line)
    pytest   → the suites in process, with the compliance plugin, JUnit and Allure results
    reports  → compliance.json / .md, Allure environment and categories, the HTML report, a secret scan

Exit codes (`ExitCode`): 0 every checked guarantee held, 1 a guarantee failed, 2 usage or profile error,
3 target unreachable or broken (and nothing failed). Nothing secret is ever printed.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from msgflash_compliance import __version__
from msgflash_compliance.contract.paths import PROJECT_ROOT
from msgflash_compliance.errors import TargetBroken, UsageError
from msgflash_compliance.exit_codes import ExitCode
from msgflash_compliance.profile import TargetProfile, load_profile

SUITES_DIR = PROJECT_ROOT / "suites"
PROFILE_WAIT_SECONDS = 20.0
PROBE_TIMEOUT_SECONDS = 5.0
SERVER_STOP_SECONDS = 10.0
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
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    print(f"hypothesis seed: {seed} (replay with --seed {seed})", flush=True)
    reports_dir = Path(args.reports_dir).absolute()  # pytest may resolve relative paths elsewhere
    with (
        tempfile.TemporaryDirectory(prefix="msgflash-run-") as scratch,
        _target(args, Path(scratch)) as target,
    ):
        from msgflash_compliance.contract.settings import load_settings

        settings = load_settings(target.profile.settings)  # a bad override is a usage error (exit 2)
        probe(target.profile.base_url)
        return _run_and_report(args, target, settings, seed, reports_dir, Path(scratch), suites_dir)


# -- the target ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def _target(args: argparse.Namespace, scratch: Path) -> Iterator[Target]:
    if args.profile:
        path = Path(args.profile).absolute()
        yield Target(load_profile(path), path, embedded=False)
        return
    with embedded_server(scratch, faults=list(args.fault),
                         rate_limit=getattr(args, "embedded_rate_limit", None)) as path:
        yield Target(load_profile(path), path, embedded=True)


@contextlib.contextmanager
def embedded_server(scratch: Path, faults: list[str], wait: float = PROFILE_WAIT_SECONDS,
                    rate_limit: int | None = None) -> Iterator[Path]:
    """Start the reference server on a fresh database and a free port; yield its profile path; stop it."""
    profile_path = scratch / "embedded-profile.toml"
    log_path = scratch / "embedded-server.log"
    command = [sys.executable, "-m", "msgflash_compliance.cli", "serve", "--seed", "--port", "0",
               "--db", str(scratch / "reference.sqlite"), "--write-profile", str(profile_path)]
    for fault in faults:
        command += ["--fault", fault]
    if rate_limit is not None:
        command += ["--rate-limit", str(rate_limit)]
    with log_path.open("wb") as log:
        # Its own session: a Ctrl-C in the terminal reaches the runner, which then stops the server itself.
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT,
                                  start_new_session=True)
    try:
        _wait_for_profile(server, profile_path, log_path, wait)
        yield profile_path
    finally:
        _stop(server)


def _wait_for_profile(
    server: subprocess.Popen[bytes], profile_path: Path, log_path: Path, wait: float
) -> None:
    deadline = time.monotonic() + wait
    while not profile_path.exists():
        code = server.poll()
        if code is not None:
            last = _last_line(log_path)
            if code == ExitCode.USAGE:
                raise UsageError(f"embedded reference server: {last}")
            raise TargetBroken(f"embedded reference server exited with code {code}: {last}")
        if time.monotonic() > deadline:
            raise TargetBroken(f"embedded reference server did not write its profile within {wait:.0f} s")
        time.sleep(0.05)


def _last_line(log_path: Path) -> str:
    lines = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return lines[-1].removeprefix("msgflash-compliance: error: ") if lines else "no output"


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(SERVER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


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


class _SecretsCapture:
    """Takes the harness's secret list (profile secrets plus JWTs from logins) before pytest unconfigures."""

    def __init__(self) -> None:
        self.secrets: list[tuple[str, str]] = []

    @pytest.hookimpl(tryfirst=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        plugin = config.pluginmanager.get_plugin("msgflash-compliance")
        harness = getattr(plugin, "harness", None)
        if harness is not None:
            self.secrets = list(harness.secrets.labelled())


def pytest_arguments(args: argparse.Namespace, target: Target, *, seed: int, run_id: str, reports_dir: Path,
                     stream_path: Path, suites_dir: Path) -> list[str]:
    extra = list(args.pytest_args or [])
    if extra and extra[0] == "--":
        extra = extra[1:]
    arguments = [
        *(suite_paths(args.tests, suites_dir) if getattr(args, "tests", None) else [str(suites_dir)]),
        "-c", str(PROJECT_ROOT / "pyproject.toml"), "--rootdir", str(PROJECT_ROOT),
        # In process, httpx has imported anyio before pytest could mark its plugin for assert rewriting.
        "-p", "no:cacheprovider", "-p", "fixtures.plugin",
        "-W", "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning",
        "--target-profile", str(target.profile_path),
        "--results-stream", str(stream_path),
        "--run-id", run_id,
        f"--junitxml={reports_dir / 'junit.xml'}", "-o", "junit_suite_name=msgflash-compliance",
        f"--alluredir={reports_dir / 'allure-results'}", "--clean-alluredir",
        f"--hypothesis-seed={seed}",
    ]
    if args.suite == "smoke":
        arguments += ["-m", "smoke"]
    arguments += [f"--guarantee={guarantee_id}" for guarantee_id in args.guarantee]
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


def _run_and_report(args: argparse.Namespace, target: Target, settings: Any, seed: int, reports_dir: Path,
                    scratch: Path, suites_dir: Path) -> int:
    from msgflash_compliance.contract.catalog import CatalogError, load_catalog
    from msgflash_compliance.contract.settings import describe
    from msgflash_compliance.reporting.results import read_stream

    try:
        catalog = load_catalog()
    except CatalogError as err:
        raise UsageError(str(err)) from None
    _clean_reports(reports_dir)
    run_id = secrets.token_hex(3)
    stream_path = scratch / "results.jsonl"
    capture = _SecretsCapture()
    started_at = datetime.now(UTC)
    started = time.monotonic()
    arguments = pytest_arguments(args, target, seed=seed, run_id=run_id, reports_dir=reports_dir,
                                 stream_path=stream_path, suites_dir=suites_dir)
    pytest_code = pytest.main(arguments, plugins=[capture])
    duration = time.monotonic() - started
    stream = read_stream(stream_path)

    outcome = ReportInputs(
        target=target, catalog=catalog, settings=describe(settings), seed=seed, run_id=run_id,
        suite=args.suite, started_at=started_at.isoformat(timespec="seconds"), duration=duration,
        pytest_code=int(pytest_code), reports_dir=reports_dir,
        secrets=[*target.profile.secrets(), *capture.secrets],
        html=not getattr(args, "no_html", False),
        outside_selection=outside_selection(catalog, getattr(args, "tests", None)),
    )
    return write_reports(outcome, stream)


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


def write_reports(inputs: ReportInputs, stream: Any) -> int:
    from msgflash_compliance.reporting.allure_files import generate_html, write_categories, write_environment
    from msgflash_compliance.reporting.compliance import RunInfo, write_compliance_json, write_compliance_md
    from msgflash_compliance.reporting.secret_scan import scan_for_secrets
    from msgflash_compliance.reporting.verdicts import count_tests, count_verdicts, fold_verdicts

    verdicts = fold_verdicts(inputs.catalog, stream.results, inputs.outside_selection)
    counts = count_verdicts(verdicts)
    code, notes = exit_code(inputs.pytest_code, counts, stream.facts)
    reports_dir = inputs.reports_dir
    reports_dir.mkdir(parents=True, exist_ok=True)
    results_dir = reports_dir / "allure-results"
    results_dir.mkdir(exist_ok=True)
    base_url = inputs.target.profile.base_url
    run = RunInfo(
        target=base_url, embedded=inputs.target.embedded, suite=inputs.suite, suite_version=__version__,
        run_id=inputs.run_id, seed=inputs.seed, started_at=inputs.started_at,
        duration_seconds=inputs.duration,
        requests=stream.facts.requests, pace_floor_seconds=pace_floor(stream.facts),
        settings=inputs.settings, exit_code=int(code), notes=tuple(notes),
        test_counts=count_tests(stream.results),
    )
    write_compliance_json(reports_dir / "compliance.json", run, verdicts)
    write_compliance_md(reports_dir / "compliance.md", run, verdicts)
    categories = write_categories(results_dir)
    write_environment(results_dir, {
        "target": base_url + (" (embedded reference server)" if inputs.target.embedded else ""),
        "suite": f"{inputs.suite} {__version__}",
        "run_id": inputs.run_id,
        "hypothesis_seed": str(inputs.seed),
        **{f"setting.{name}": value for name, value in inputs.settings.items()},
    })
    warning: str | None = "HTML report skipped (--no-html)"
    if inputs.html:
        warning = generate_html(results_dir, reports_dir / "allure-report",
                                name=f"MsgFlash compliance: {base_url}", categories=categories)
    if warning and inputs.html:
        print(f"warning: {warning}", file=sys.stderr)
    leaks = scan_for_secrets([reports_dir / name for name in REPORT_OUTPUTS], inputs.secrets)
    for leak in leaks:
        print(f"error: secret {leak.label} found in {leak.path} (scrubbed); the run counts as broken",
              file=sys.stderr)
    if leaks:
        code = ExitCode.BROKEN
    _print_summary(counts, len(verdicts), stream.facts.requests, inputs, reports_dir, warning is None, notes)
    return int(code)


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
    if facts.interrupted:
        return ExitCode.BROKEN, [*notes, "interrupted"]
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
    print(f"guarantees: {counts['passed']} passed, {counts['failed']} failed, {counts['broken']} broken, "
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
