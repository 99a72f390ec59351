"""How close a compliance run sits to the floor its rate limit sets.

Runs `msgflash-compliance run` (the embedded reference server at the documented 10 requests/s per key, or
`--profile PATH`) and compares its wall time with the pace floor from `compliance.json`: the busiest
credential's requests divided by the per-key rate, the least time any run making those requests could take.

    .venv/bin/python tools/benchmark_run.py [--suite smoke|full] [--profile PATH] [--runs N]

A benchmark, not a test: it prints numbers and never fails on them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one_run(suite: str, profile: str | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="mfc-bench-") as scratch:
        reports = Path(scratch) / "reports"
        command = [sys.executable, "-m", "msgflash_compliance.cli", "run", "--suite", suite, "--no-html",
                   "--reports-dir", str(reports)]
        if profile:
            command += ["--profile", profile]
        started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        wall = time.monotonic() - started
        document = json.loads((reports / "compliance.json").read_text(encoding="utf-8"))
    return {"exit": done.returncode, "wall": wall, "suite_seconds": document["duration_seconds"],
            "requests": document["requests"], "floor": document["pace_floor_seconds"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", choices=["smoke", "full"], default="full")
    parser.add_argument("--profile", help="target profile; default: the embedded reference server")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    rows = [one_run(args.suite, args.profile) for _ in range(args.runs)]
    for row in rows:
        ratio = row["suite_seconds"] / row["floor"] if row["floor"] else float("nan")
        print(f"exit {row['exit']}: {row['requests']} requests, suites {row['suite_seconds']:.1f} s "
              f"(wall {row['wall']:.1f} s), pace floor {row['floor']:.1f} s, ratio {ratio:.2f}")
    if len(rows) > 1:
        print(f"median suites time {statistics.median(r['suite_seconds'] for r in rows):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
