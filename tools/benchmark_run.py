"""The speed figures of issue 12, side by side, each against its goal.

    .venv/bin/python tools/benchmark_run.py                       # every figure but `make test`
    .venv/bin/python tools/benchmark_run.py --only smoke,cpu      # some of them
    .venv/bin/python tools/benchmark_run.py --make-test           # also `make test` on a fresh clone (~10+ min)
    .venv/bin/python tools/benchmark_run.py --profile target.toml # the run figures against another target

Figures (the embedded reference server unless `--profile`):
    run     `msgflash-compliance run`, report included, documented 10 requests/s per key: wall time
    ratio   that run's suites time / its pace floor (the busiest key's requests / the per-key rate); the detail
            splits the suites time into the lanes (side by side) and the serial checks (one at a time after them)
    pool    the pace floor with `[safety] key_pool = 4` / without (both at 50 requests/s, rate bursts left out:
            the floor is a count, the pace only makes it seconds)
    cpu     the full suite against a server at 1,000 requests/s per key, rate bursts left out: wall time
    smoke   `--suite smoke` at 10 requests/s per key: wall time

A benchmark, not a test: it prints numbers and never fails on them (exit 0 unless a run could not be made).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import tomli_w

ROOT = Path(__file__).resolve().parents[1]
NO_RATE_BURSTS = ["--", "-m", "not rate_limit"]
LANE_LINE = re.compile(r"^lane \d+: ([\d.]+) s:", re.MULTILINE)  # the runner's line as a lane ends
SESSION_LINE = re.compile(r"^=+ .* in ([\d.]+)s(?: \([^)]*\))? =+$", re.MULTILINE)  # pytest's last line
FIGURES = ("run", "ratio", "pool", "cpu", "smoke")
GOALS = {"run": ("s", 120.0), "ratio": ("x", 1.15), "pool": ("x", 0.5), "cpu": ("s", 60.0), "smoke": ("s", 20.0),
         "make-test": ("s", 600.0)}


@dataclass(frozen=True)
class Run:
    exit: int
    wall: float
    suites: float
    requests: int
    floor: float
    busiest: str
    lanes: float | None  # the longest lane; None when the run was one process
    serial: float | None  # the serial checks' session after the lanes (or the one process)

    @property
    def ratio(self) -> float:
        return self.suites / self.floor if self.floor else float("nan")

    def phases(self, paced: bool = True) -> str:
        """Where the suites time went: what the lanes took (against the floor, in a paced run), what the serial
        checks took."""
        if self.lanes is None:
            return f"one process {self.serial or self.suites:.1f} s"
        at_floor = f" ({self.lanes / self.floor:.2f}x the floor)" if paced and self.floor else ""
        return f"lanes {self.lanes:.1f} s{at_floor} + serial {self.serial or 0.0:.1f} s"


def compliance_run(*flags: str, html: bool = False) -> Run:
    with tempfile.TemporaryDirectory(prefix="mfc-bench-") as scratch:
        reports = Path(scratch) / "reports"
        command = [sys.executable, "-m", "msgflash_compliance.cli", "run", "--reports-dir", str(reports)]
        command += ([] if html else ["--no-html"]) + list(flags)  # callers put pytest's `--` arguments last
        started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        wall = time.monotonic() - started
        path = reports / "compliance.json"
        if not path.exists():
            raise SystemExit(f"benchmark: no compliance.json from {' '.join(command[3:])}:\n{done.stdout[-2000:]}"
                             f"\n{done.stderr[-2000:]}")
        document = json.loads(path.read_text(encoding="utf-8"))
    paced = document.get("paced_requests") or {}
    busiest = max(paced, key=paced.get) if paced else "-"
    lanes = [float(seconds) for seconds in LANE_LINE.findall(done.stdout)]
    sessions = SESSION_LINE.findall(done.stdout)
    return Run(done.returncode, wall, document["duration_seconds"], document["requests"],
               document["pace_floor_seconds"], f"{busiest} ({paced.get(busiest, 0)})",
               max(lanes) if lanes else None, float(sessions[-1]) if sessions else None)


@contextmanager
def served(rate: int) -> Iterator[Path]:
    """A reference server in a subprocess (seeded, free port) at `rate` requests/s per key: its profile."""
    with tempfile.TemporaryDirectory(prefix="mfc-bench-server-") as scratch:
        profile = Path(scratch) / "profile.toml"
        process = subprocess.Popen(
            [sys.executable, "-m", "msgflash_compliance.cli", "serve", "--seed", "--port", "0", "--db",
             str(Path(scratch) / "reference.sqlite"), "--write-profile", str(profile), "--rate-limit", str(rate)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while not profile.exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("benchmark: the reference server did not start")
                time.sleep(0.05)
            yield profile
        finally:
            process.terminate()
            process.wait(10)


def with_pool(profile: Path, pool: int) -> Path:
    document = tomllib.loads(profile.read_text(encoding="utf-8"))
    document["safety"]["key_pool"] = pool
    path = profile.with_name(f"pool-{pool}.toml")
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    return path


def make_test_seconds() -> float:
    """`make test` on a fresh clone of this checkout's HEAD, `../shared` beside it as CI has it."""
    clone = Path(tempfile.mkdtemp(prefix="mfc-bench-clone-", dir=ROOT.parent))  # ../shared beside it
    try:
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        started = time.monotonic()
        done = subprocess.run(["make", "test"], cwd=clone, capture_output=True, text=True)
        seconds = time.monotonic() - started
        tail = (done.stdout or "").strip().splitlines()[-1:] or ["(no output)"]
        print(f"  make test: exit {done.returncode}, {tail[0]}", flush=True)
        return seconds
    finally:
        shutil.rmtree(clone, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated figures among {', '.join(FIGURES)} (default: all)")
    parser.add_argument("--profile", help="target profile for run/ratio/smoke; default: the embedded server")
    parser.add_argument("--make-test", action="store_true", help="also time `make test` on a fresh clone")
    args = parser.parse_args()
    wanted = set(args.only.split(",")) if args.only else set(FIGURES)
    target = ["--profile", args.profile] if args.profile else []
    rows: list[tuple[str, float, str]] = []

    if wanted & {"run", "ratio"}:
        full = compliance_run(*target, html=True)
        rows.append(("run", full.wall, f"exit {full.exit}, {full.requests} requests, report included"))
        rows.append(("ratio", full.ratio, f"suites {full.suites:.1f} s / floor {full.floor:.1f} s, busiest "
                                          f"{full.busiest}; {full.phases()}"))
    if "pool" in wanted:
        with served(50) as profile:
            alone = compliance_run("--profile", str(with_pool(profile, 0)), *NO_RATE_BURSTS)
            pooled = compliance_run("--profile", str(with_pool(profile, 4)), *NO_RATE_BURSTS)
        rows.append(("pool", pooled.floor / alone.floor if alone.floor else float("nan"),
                     f"floor {pooled.floor:.1f} s ({pooled.busiest}) vs {alone.floor:.1f} s ({alone.busiest}); "
                     f"suites {pooled.suites:.1f} s vs {alone.suites:.1f} s"))
    if "cpu" in wanted and not args.profile:
        cpu = compliance_run("--embedded-rate-limit", "1000", *NO_RATE_BURSTS)
        rows.append(("cpu", cpu.wall, f"exit {cpu.exit}, {cpu.requests} requests, suites {cpu.suites:.1f} s; "
                                      f"{cpu.phases(paced=False)}"))
    if "smoke" in wanted:
        smoke = compliance_run(*target, "--suite", "smoke")
        rows.append(("smoke", smoke.wall, f"exit {smoke.exit}, {smoke.requests} requests, suites "
                                          f"{smoke.suites:.1f} s, floor {smoke.floor:.1f} s; {smoke.phases()}"))
    if args.make_test:
        rows.append(("make-test", make_test_seconds(), "fresh clone, ../shared beside it"))

    print(f"{'figure':<10} {'measured':>10} {'goal':>8}  detail")
    for name, value, detail in rows:
        unit, goal = GOALS[name]
        mark = "ok" if value <= goal else "over"
        print(f"{name:<10} {value:>9.2f}{unit} {goal:>7g}{unit}  {mark:<4} {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
