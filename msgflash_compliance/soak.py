"""`msgflash-compliance run --repeat N`: the same selection N times against one target, a new seed each time.

A guarantee whose verdict is not the same in every run is a flake — of the target or of the suite — and is named
with the seeds that replay each verdict. Each run is a child `msgflash-compliance run --profile …` (its own
process, so no state carries over) writing its reports to `REPORTS/runs/<n>/` (no HTML); the soak writes
`stability.json` and `stability.md` beside them. Without `--profile` one embedded server serves every run.

Exit code: 1 when a guarantee failed in any run (a violation seen once is a violation); else 3 when a run was
broken or a verdict changed (passed once, broken or not covered another time: not a verdict to trust); else 0.
A signal stops the current run as a signal stops any run (cleanup, reports) and ends the soak there.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx

from msgflash_compliance.errors import TargetBroken, UsageError
from msgflash_compliance.exit_codes import ExitCode
from msgflash_compliance.models.selection import Selection
from msgflash_compliance.profile import IDENTITY_NAMES, TargetProfile
from msgflash_compliance.reporting.replay import guarantee_replay, run_flags

SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass(frozen=True)
class SoakRun:
    number: int
    seed: int
    exit_code: int
    seconds: float
    reports: Path
    verdicts: dict[str, str]  # guarantee id -> verdict ({} when the run wrote no compliance.json)
    summary: dict[str, int]


@dataclass(frozen=True)
class Flake:
    id: str
    level: str
    statement: str
    seeds: dict[str, list[int]]  # verdict -> the seeds of the runs that gave it


def soak(selection: Selection, profile: Path, repeat: int, reports_dir: Path, seed: int,
         before_each: Callable[[], None] | None = None) -> int:
    """Run `selection` `repeat` times against `profile` (seeds drawn from `seed`); write and print the result.
    `before_each` runs before every run (the embedded target's fresh month of API requests)."""
    seeds = random.Random(seed).sample(range(2**32), repeat)
    shutil.rmtree(reports_dir / "runs", ignore_errors=True)  # an earlier soak's runs would read as this one's
    runs: list[SoakRun] = []
    with _forwarded_signals() as current:
        for number, run_seed in enumerate(seeds, start=1):
            if before_each is not None:
                before_each()
            run = _one_run(selection, profile, number, run_seed, reports_dir / "runs" / str(number), current)
            runs.append(run)
            print(f"run {number}/{repeat} (seed {run_seed}): exit {run.exit_code} in {run.seconds:.0f} s; "
                  + ", ".join(f"{n} {k}" for k, n in run.summary.items()), flush=True)
            if run.exit_code == ExitCode.USAGE or current.stopped:
                break
    flakes = find_flakes(runs, _catalog_entries(runs))
    code = soak_exit_code(runs, flakes)
    write_stability(reports_dir, selection, runs, flakes, code, repeat=repeat, interrupted=current.stopped)
    print(_headline(runs, repeat, flakes, code))
    for flake in flakes:
        print(f"  flake: {flake.id} ({flake.level}) " + "; ".join(
            f"{verdict} with seed {', '.join(map(str, seeds_))}" for verdict, seeds_ in flake.seeds.items()))
    print(f"reports: {reports_dir / 'stability.md'}, {reports_dir / 'stability.json'}")
    return int(code)


def fresh_api_month(profile: TargetProfile) -> None:
    """Every identity's API request counter of this month back to 0, through the sandbox's counters control."""
    for name in IDENTITY_NAMES:
        identity = profile.identity(name)
        if identity is None or identity.email is None:
            continue
        try:
            answer = httpx.post(f"{profile.base_url}/__sandbox/counters",
                                json={"user": identity.email, "apiRequests": 0}, timeout=10)
        except httpx.HTTPError as err:
            raise TargetBroken(f"sandbox counters control: {err.__class__.__name__}") from None
        if answer.status_code != 200:
            raise TargetBroken(f"sandbox counters control answered {answer.status_code} for the {name}")


def find_flakes(runs: list[SoakRun], catalog: dict[str, dict[str, Any]]) -> list[Flake]:
    """Guarantees whose verdict differs between the runs that wrote a compliance.json."""
    complete = [run for run in runs if run.verdicts]
    flakes = []
    for guarantee_id in sorted({g for run in complete for g in run.verdicts}):
        seen: dict[str, list[int]] = {}
        for run in complete:
            seen.setdefault(run.verdicts.get(guarantee_id, "absent"), []).append(run.seed)
        if len(seen) > 1:
            entry = catalog.get(guarantee_id, {})
            flakes.append(Flake(guarantee_id, str(entry.get("level", "")), str(entry.get("statement", "")), seen))
    return flakes


def soak_exit_code(runs: list[SoakRun], flakes: list[Flake]) -> ExitCode:
    codes = {run.exit_code for run in runs}
    if ExitCode.USAGE in codes:
        return ExitCode.USAGE
    if ExitCode.VIOLATIONS in codes:
        return ExitCode.VIOLATIONS
    if codes - {ExitCode.COMPLIANT} or flakes or not runs:
        return ExitCode.BROKEN
    return ExitCode.COMPLIANT


def write_stability(reports_dir: Path, selection: Selection, runs: list[SoakRun], flakes: list[Flake],
                    code: ExitCode, *, repeat: int, interrupted: bool) -> None:
    reports_dir.mkdir(parents=True, exist_ok=True)
    document = {
        "repeat": repeat, "runs_done": len(runs), "interrupted": interrupted, "exit_code": int(code),
        "selection": selection.describe(), "flakes": len(flakes),
        "runs": [{"number": r.number, "seed": r.seed, "exit_code": r.exit_code, "seconds": round(r.seconds, 1),
                  "summary": r.summary, "reports": str(r.reports)} for r in runs],
        "changed": [{"id": f.id, "level": f.level, "statement": f.statement, "seeds": f.seeds,
                     "replay": {verdict: guarantee_replay(replace(selection, seed=seeds[0]), f.id)
                                for verdict, seeds in f.seeds.items()}} for f in flakes],
    }
    (reports_dir / "stability.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    lines = ["# MsgFlash stability (soak)", "", _headline(runs, repeat, flakes, code), "",
             f"- selection: {selection.describe()}", "",
             "| run | seed | exit | seconds | verdicts |", "|---|---|---|---|---|"]
    lines += [f"| {r.number} | {r.seed} | {r.exit_code} | {r.seconds:.0f} | "
              + ", ".join(f"{n} {k}" for k, n in r.summary.items()) + " |" for r in runs]
    lines += ["", f"## Verdicts that changed: {len(flakes)}", ""]
    for flake in flakes:
        lines.append(f"### {flake.id} ({flake.level}) {flake.statement}".rstrip())
        lines.append("")
        for verdict, seeds in flake.seeds.items():
            lines.append(f"- {verdict} in {len(seeds)} run(s); replay: "
                         f"`{guarantee_replay(replace(selection, seed=seeds[0]), flake.id)}`")
        lines.append("")
    (reports_dir / "stability.md").write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


def _headline(runs: list[SoakRun], repeat: int, flakes: list[Flake], code: ExitCode) -> str:
    return f"soak: {len(runs)} of {repeat} runs, {len(flakes)} guarantee(s) changed verdict; exit {int(code)}"


class _Current:
    """The child run in progress, and whether a signal asked the soak to stop."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.stopped = False

    def forward(self, signum: int, frame: Any) -> None:
        self.stopped = True
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signum)  # the child stops as any run does (twice: at once)


def _one_run(selection: Selection, profile: Path, number: int, seed: int, reports: Path,
             current: _Current) -> SoakRun:
    reports.mkdir(parents=True, exist_ok=True)
    child = replace(selection, profile=str(profile), faults=(), embedded_rate_limit=None, seed=seed)
    flags = run_flags(child)
    tail = flags.index("--seed") + 2  # the reports flags go before a `-- pytest args` tail
    argv = [sys.executable, "-m", "msgflash_compliance.cli", *flags[:tail], "--reports-dir", str(reports),
            "--no-html", "--history", "none", *flags[tail:]]
    started = time.monotonic()
    with (reports / "output.log").open("w", encoding="utf-8") as log:
        # Its own session: a Ctrl-C reaches the soak only, which forwards it once (twice would kill the child).
        current.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, text=True,
                                           start_new_session=True, env=os.environ.copy())
        code = current.process.wait()
        current.process = None
    verdicts, summary = _read_verdicts(reports / "compliance.json")
    return SoakRun(number, seed, code, time.monotonic() - started, reports, verdicts, summary)


def _read_verdicts(path: Path) -> tuple[dict[str, str], dict[str, int]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, {}
    verdicts = {g["id"]: g["verdict"] for g in document.get("guarantees", []) if isinstance(g, dict)}
    summary = document.get("summary") if isinstance(document.get("summary"), dict) else {}
    return verdicts, {k: int(v) for k, v in summary.items() if isinstance(v, int)}


def _catalog_entries(runs: list[SoakRun]) -> dict[str, dict[str, Any]]:
    for run in runs:
        try:
            document = json.loads((run.reports / "compliance.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        return {g["id"]: g for g in document.get("guarantees", []) if isinstance(g, dict)}
    return {}


def repeat_count(args: argparse.Namespace) -> int:
    """`--repeat N`, or `MSGFLASH_STABILITY=N` in the environment (1: a plain run)."""
    value = getattr(args, "repeat", None)
    if value is None:
        raw = os.environ.get("MSGFLASH_STABILITY", "").strip() or "1"
        if not raw.isdigit():
            raise UsageError(f"MSGFLASH_STABILITY={raw!r}: expected a number of runs (e.g. 20)")
        value = int(raw)
    if value < 1:
        raise UsageError(f"--repeat {value}: expected at least 1 run")
    return value


@contextlib.contextmanager
def _forwarded_signals() -> Iterator[_Current]:
    current = _Current()
    previous = {signum: signal.signal(signum, current.forward) for signum in SIGNALS}
    try:
        yield current
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
