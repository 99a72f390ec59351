"""`msgflash-compliance run`: check a target, guarantee by guarantee, and write the reports.

    target   → a profile file, or the embedded reference server on a fresh database (`embedded`, in process)
    config   → one `RunConfig`: profile, contract settings, catalog and selection, each loaded once
    probe    → is anything listening at base_url? (no: exit 3, one line)
    pytest   → `pytest.main(args, plugins=[CompliancePlugin(config)])`: the suites in process, JUnit and Allure;
               with `--lanes N` (default 4) the tests that may run side by side first, in N pytest processes
               (`msgflash_compliance.lanes`), then the `serial` ones in process
    verdicts → read from that plugin object after the session (results, run facts, secrets): no file between;
               a run in lanes merges the lanes' result streams with it
    reports  → compliance.json / .md, Allure environment and categories, the HTML report, a secret scan

`--repeat N` (soak) runs N child processes against one target instead (`msgflash_compliance.soak`).

Exit codes (`ExitCode`, decided in `reporting.run_reports`): 0 every checked guarantee held, 1 a guarantee
failed, 2 usage or profile error, 3 target unreachable or broken (and nothing failed). Nothing secret is ever
printed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from msgflash_compliance import lanes
from msgflash_compliance.contract.paths import PROJECT_ROOT, RUN_INI, make_suites_importable
from msgflash_compliance.errors import TargetBroken, UsageError
from msgflash_compliance.interrupts import STOP, stop_signals
from msgflash_compliance.models.durations import load_durations
from msgflash_compliance.models.run_config import RunConfig, build_run_config
from msgflash_compliance.profile import TargetProfile, load_profile, with_key_pool
from msgflash_compliance.soak import fresh_api_month, repeat_count, soak

SUITES_DIR = PROJECT_ROOT / "suites"
PROBE_TIMEOUT_SECONDS = 5.0
MAX_KEY_POOL = 20  # as the profile's field allows


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
    if getattr(args, "key_pool", None) is not None and not 0 <= args.key_pool <= MAX_KEY_POOL:
        raise UsageError(f"--key-pool must be from 0 to {MAX_KEY_POOL}, got {args.key_pool}")
    if getattr(args, "lanes", None) is not None and not 1 <= args.lanes <= lanes.MAX_LANES:
        raise UsageError(f"--lanes must be from 1 to {lanes.MAX_LANES}, got {args.lanes}")
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
        target = _with_key_pool(target, getattr(args, "key_pool", None))
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
        # Its own embedded server serves every run: each starts in a fresh month of API requests (the Free
        # outsider's 1,000 last about three runs; a spent quota would break the fourth run's checks).
        before_each = (lambda: fresh_api_month(target.profile)) if target.embedded else None
        return soak(selection, target.profile_path, repeat, reports_dir, selection.seed, before_each=before_each)


def _with_key_pool(target: Target, key_pool: int | None) -> Target:
    """`--key-pool N` in place of the profile's [safety] key_pool."""
    if key_pool is None:
        return target
    return replace(target, profile=with_key_pool(target.profile, key_pool))


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
    return [
        *session_arguments(args, seed=seed, suites_dir=suites_dir),
        f"--junitxml={reports_dir / 'junit.xml'}", f"--alluredir={reports_dir / 'allure-results'}",
        "--clean-alluredir",
        *selection_arguments(args),
    ]


def session_arguments(args: argparse.Namespace, *, seed: int, suites_dir: Path) -> list[str]:
    """What every pytest session of a run gets, whichever process runs it: the suites, settings and seed."""
    return [
        *(suite_paths(args.tests, suites_dir) if getattr(args, "tests", None) else [str(suites_dir)]),
        # The run's own pytest settings (an installed copy has no pyproject.toml); the root conftest.py loads.
        "-c", str(RUN_INI), "--rootdir", str(PROJECT_ROOT), "--confcutdir", str(PROJECT_ROOT),
        # The plugin module's options and markers, also for suites outside the project root (self-tests).
        # In process, httpx has imported anyio before pytest could mark its plugin for assert rewriting.
        "-p", "no:cacheprovider", "-p", "fixtures.plugin",
        # pytest's unraisable-exception warnings cost a full garbage collection per session (0.2 s with the
        # schema and Hypothesis loaded, per lane and per self-test run) and tell a target's owner nothing.
        "-p", "no:unraisableexception",
        "-W", "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning",
        "-o", "junit_suite_name=msgflash-compliance", f"--hypothesis-seed={seed}",
    ]


def selection_arguments(args: argparse.Namespace) -> list[str]:
    """The selection's markers and the user's own pytest arguments (after `--`), last."""
    extra = list(args.pytest_args or [])
    if extra and extra[0] == "--":
        extra = extra[1:]
    return (["-m", "smoke"] if args.suite == "smoke" else []) + extra


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
    from msgflash_compliance.reporting.run_reports import ReportInputs, clean_reports, write_reports

    clean_reports(reports_dir)
    started_at = datetime.now(UTC)
    started = time.monotonic()
    seed = config.selection.seed
    arguments = pytest_arguments(args, seed=seed, reports_dir=reports_dir, suites_dir=suites_dir)
    count = getattr(args, "lanes", None) or lanes.DEFAULT_LANES
    if {"--collect-only", "--co"} & set(selection_arguments(args)):
        count = 1  # nothing is checked: the one session lists the selection
    with lanes.warm_starter() if count > 1 else contextlib.nullcontext() as starter:
        plan = _plan_lanes(args, config, suites_dir, count) if count > 1 else None
        if plan is None or plan.lanes < 2:  # one lane would only run before the serial tests: one process does both
            plugin = CompliancePlugin(config)
            pytest_code = pytest.main(arguments, plugins=[plugin, AllureTitles(), _PathsFromRoot()])
            stream, secrets = plugin.stream(), plugin.secrets()
        else:
            stream, secrets, pytest_code = _run_in_lanes(args, target, config, plan, arguments, reports_dir,
                                                         suites_dir, starter)
    duration = time.monotonic() - started

    outcome = ReportInputs(
        base_url=target.profile.base_url, embedded=target.embedded, catalog=config.catalog,
        settings=describe(config.settings), seed=seed, run_id=config.run_id, suite=args.suite,
        started_at=started_at.isoformat(timespec="seconds"), duration=duration, pytest_code=int(pytest_code),
        reports_dir=reports_dir, secrets=secrets, html=not getattr(args, "no_html", False),
        outside_selection=outside_selection(config.catalog, getattr(args, "tests", None)),
        selection=config.selection, known=known,
        history=_history_path(getattr(args, "history", None), reports_dir),
    )
    return write_reports(outcome, stream)


def _plan_lanes(args: argparse.Namespace, config: RunConfig, suites_dir: Path, count: int) -> lanes.LanePlan:
    """The selection, collected once in this process (no request sent), dealt to lanes."""
    from fixtures.plugin import CompliancePlugin

    collector, planner = lanes.Collector(), CompliancePlugin(config)
    arguments = [*session_arguments(args, seed=config.selection.seed, suites_dir=suites_dir),
                 *selection_arguments(args), "--collect-only", "-qq"]
    with contextlib.redirect_stdout(io.StringIO()):  # the list of tests is not news; the lanes print theirs
        code = pytest.main(arguments, plugins=[planner, collector])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        return lanes.LanePlan()  # collection errors: the one-process run reports them as usual
    plan = lanes.plan_lanes(collector.items, count, load_durations(suites_dir))
    plan.deselected = [result for result in planner.stream().results if result.outcome == "deselected"]
    return plan


def _run_in_lanes(args: argparse.Namespace, target: Target, config: RunConfig, plan: lanes.LanePlan,
                  arguments: list[str], reports_dir: Path, suites_dir: Path,
                  starter: lanes.WarmStarter | None) -> tuple[Any, list[Any], int]:
    """The lanes side by side, then the serial tests here; one result stream, junit.xml and allure folder."""
    from fixtures.key_pool import pool_for_lanes
    from fixtures.lane_queue import write_units
    from fixtures.plugin import AllureTitles, CompliancePlugin
    from msgflash_compliance.models.results import ResultStream, merge_streams
    from msgflash_compliance.reporting.junit_files import merge_junit
    from suites.conformance.record import RECORD_NAME, merge_records

    with tempfile.TemporaryDirectory(prefix="msgflash-lanes-") as folder:
        scratch = Path(folder)
        pace_dir, queue = scratch / "pace", scratch / "queue.txt"
        pace_dir.mkdir()
        write_units(queue, [[item.nodeid for item in unit] for unit in plan.units])
        runs = [lanes.LaneRun(number, scratch / f"lane-{number}") for number in range(1, plan.lanes + 1)]
        base = session_arguments(args, seed=config.selection.seed, suites_dir=suites_dir)
        streams: list[ResultStream] = [ResultStream(results=plan.deselected)]
        codes: list[int] = []
        STOP.settle()  # a signal from here to the serial tests is noted here and passed on to the lanes
        with pool_for_lanes(target.profile, config.run_id, pace_dir) as pool:
            if pool.problem is not None:  # as in a one-process run, whose every check the pool fixture breaks
                streams.append(lanes.never_ran([*plan.parallel(), *plan.serial], f"key pool: {pool.problem}"))
            else:
                print(f"lanes: {len(plan.parallel())} tests in {len(runs)} lanes side by side, then "
                      f"{len(plan.serial)} serial tests", flush=True)
                for run in runs:
                    if STOP.requested is None:
                        lanes.start(run, [*lanes.lane_arguments(base, run, pace_dir=pace_dir, queue=queue,
                                                                profile_path=target.profile_path,
                                                                run_id=config.run_id,
                                                                selection=config.selection),
                                          *selection_arguments(args)], starter)
                lanes.wait_all(runs)
                streams += [run.stream() for run in runs]
                streams.append(lanes.missing(plan, streams, runs))
                codes += [run.process.returncode for run in runs if run.process is not None]
                if plan.serial and STOP.requested is None:
                    STOP.reset()  # the serial tests stop at a request boundary again
                    plugin = CompliancePlugin(replace(config, lane=lanes.serial_lane(plan, pace_dir)))
                    codes.append(pytest.main(arguments, plugins=[plugin, AllureTitles(), _PathsFromRoot()]))
                    streams.append(plugin.stream())
                elif plan.serial:  # stopped before the serial tests started
                    streams.append(lanes.never_ran(plan.serial))
        if STOP.requested is not None:
            codes.append(pytest.ExitCode.INTERRUPTED)
        streams.append(ResultStream(facts=pool.facts()))  # the pool's own requests, made and revoked here
        merge_junit([reports_dir / "junit.xml", *(run.folder / "junit.xml" for run in runs)],
                    reports_dir / "junit.xml")
        lanes.merge_allure(runs, reports_dir / "allure-results")
        merge_records([reports_dir / RECORD_NAME, *(run.folder / RECORD_NAME for run in runs)],
                      reports_dir / RECORD_NAME)
        secrets = [*target.profile.secrets(), *pool.harness.secrets.labelled()]
        merged = merge_streams(streams)
        lanes.report_never_ran(merged, reports_dir, secrets)
        return merged, secrets, lanes.combined_code(codes)


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
