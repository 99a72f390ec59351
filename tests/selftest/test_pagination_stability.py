"""The pagination suites never flake on a clean reference server: N consecutive compliance runs (20 by
default), each on a fresh embedded server with its own Hypothesis seed, all exit 0.

One run of the three pagination modules takes about 80 s (some 600 requests at 10/s per key), so 20 runs
take about half an hour: the test runs only when asked, with MSGFLASH_STABILITY=1 (MSGFLASH_STABILITY_RUNS
sets the count), never in a plain `make test`:

    MSGFLASH_STABILITY=1 .venv/bin/pytest tests/selftest/test_pagination_stability.py -q -s
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.selftest.runs import cli, compliance, tail

RUNS = int(os.environ.get("MSGFLASH_STABILITY_RUNS", "20"))
SELECTION = "test_pagination_walks or test_pagination_concurrent or test_cursor_binding"
RUN_TIMEOUT_SECONDS = 900

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("MSGFLASH_STABILITY") != "1",
                       reason="stability runs take ~30 min: set MSGFLASH_STABILITY=1 to run them"),
    pytest.mark.timeout(RUNS * RUN_TIMEOUT_SECONDS),
]


def test_pagination_suites_pass_many_runs_in_a_row(tmp_path: Path, record_property) -> None:
    timings: list[float] = []
    for run in range(1, RUNS + 1):
        reports = tmp_path / f"run-{run}"
        started = time.monotonic()
        done = cli("run", "--seed", str(run), "--reports-dir", str(reports), "--", "-k", SELECTION,
                   timeout=RUN_TIMEOUT_SECONDS)
        timings.append(time.monotonic() - started)
        assert done.returncode == 0, f"run {run} of {RUNS} (seed {run}) exited {done.returncode}:\n{tail(done, 40)}"
        document = compliance(reports)
        failed = [g["id"] for g in document["guarantees"] if g["verdict"] in ("failed", "broken")]
        assert not failed, f"run {run} (seed {run}): {failed} failed or broken"
        print(f"run {run}/{RUNS}: exit 0, {document['requests']} requests, {timings[-1]:.1f} s", flush=True)
    record_property("pagination_stability_seconds", round(sum(timings), 1))
    print(f"{RUNS} runs in a row passed in {sum(timings):.0f} s (mean {sum(timings) / RUNS:.1f} s per run)")
