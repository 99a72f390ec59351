"""`[safety] key_pool = 4`: the run spreads the owner's and the team's repeatable requests over extra keys it
makes in the console, keeps within the plan's key cap (the cap checks still pass), and revokes them at the end,
also when interrupted (the target's inventory before and after: `leftovers.InventoriedTarget`).

The selection: the pagination walks (many reads of the owner's and the team's keys) and the plan caps (the API
key caps fill the owner's key slots to the cap, pool included).
"""

from __future__ import annotations

import signal
import sqlite3
import tomllib
from pathlib import Path

import pytest
import tomli_w

from tests.selftest.leftovers import InventoriedTarget
from tests.selftest.runs import compliance

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
POOL = 4
POOL_IN_USE = 10  # requests on the pool's keys that show the lanes are checking with them
SELECTION = ("--tests", "suites/test_pagination_walks.py", "--tests", "suites/test_plan_caps.py")
LONGER = ("--tests", "suites/test_key_scoping.py", "--tests", "suites/test_cursor_binding.py")
KEY_CAPS = {"PLAN-01", "PLAN-02", "PLAN-03", "PLAN-04", "PLAN-05"}


def pooled_profile(profile: Path, scratch: Path, pool: int) -> Path:
    document = tomllib.loads(profile.read_text(encoding="utf-8"))
    document["safety"]["key_pool"] = pool
    path = scratch / f"pool-{pool}.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    return path


def test_a_pooled_run_spreads_reads_keeps_the_caps_and_revokes_its_keys(tmp_path: Path) -> None:
    with InventoriedTarget(tmp_path) as target:
        profile = pooled_profile(target.profile_path, tmp_path, POOL)
        reports = tmp_path / "reports"
        run = target.run("--profile", str(profile), "--no-html", "--reports-dir", str(reports), *SELECTION)
    assert run.code == 0, run.output[-3000:]
    document = compliance(reports)
    verdicts = {g["id"]: g["verdict"] for g in document["guarantees"]}
    assert {g: verdicts[g] for g in KEY_CAPS} == dict.fromkeys(KEY_CAPS, "passed"), run.output[-3000:]
    paced = document["paced_requests"]
    pool_keys = [f"owner.api_key.pool{n}" for n in range(1, POOL + 1)]
    assert all(paced.get(label, 0) > 0 for label in pool_keys), f"a pool key carried nothing: {paced}"
    owner_total = paced["owner.api_key"] + sum(paced[label] for label in pool_keys)
    assert max(paced[label] for label in pool_keys) < owner_total / POOL, f"one pool key took most reads: {paced}"
    assert not run.left, f"the pooled run left (or removed) these: {run.left}"
    assert not run.left_rows, f"the pooled run left (or removed) these rows: {run.left_rows}"


def _pool_in_use(conn: sqlite3.Connection, _: list[str]) -> bool:
    """The lanes are checking with the pool: its keys have carried a few requests (the pool's keys are named
    `...pool-key...` by the run's data factory)."""
    (count,) = conn.execute("SELECT COALESCE(SUM(u.request_count), 0) FROM api_key_usage u "
                            "JOIN api_keys k ON k.id = u.key_id WHERE k.name LIKE '%pool-key%'").fetchone()
    return count >= POOL_IN_USE


def test_an_interrupted_pooled_run_revokes_its_keys(tmp_path: Path) -> None:
    """Stopped 3 s after the lanes' requests began riding the pool's keys, in a selection of 40 s or more.
    (Counted from a fixed time, a loaded machine was still planning; from the runner's "lanes:" line, CI17's
    loaded lanes had not sent a request 10 s later: the target's own count of pool-key requests is the phase.)"""
    with InventoriedTarget(tmp_path) as target:
        profile = pooled_profile(target.profile_path, tmp_path, POOL)
        reports = tmp_path / "reports"
        run = target.run("--profile", str(profile), "--no-html", "--reports-dir", str(reports), *SELECTION,
                         *LONGER, interrupt_after=3, signum=signal.SIGINT, counting_when=_pool_in_use)
    assert run.code == 3, run.output[-3000:]
    document = compliance(reports)
    assert document["outcome"] == "interrupted"
    assert "owner.api_key.pool1" in document["paced_requests"], f"stopped before the pool was made: {document}"
    assert not run.left, f"the interrupted pooled run left (or removed) these: {run.left}"
    assert not run.left_rows, f"the interrupted pooled run left (or removed) these rows: {run.left_rows}"
