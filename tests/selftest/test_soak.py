"""`run --repeat N`: the same selection N times against one target; a verdict that changes is named.

The clean soak (the embedded server, the smoke file twice) changes nothing and exits 0. The flaky one goes
through the fault-injecting proxy: GET /api/v1/usage answers a gateway's 502 during the first run only (the
test clears the rule once run 1 wrote its compliance.json), so AUTH-01 and ENV-01 are broken in run 1 and pass
in run 2 — the soak names exactly those two, with each verdict's seed, and exits 3 (a flake, no violation).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from msgflash_compliance.contract.paths import PROJECT_ROOT
from tests.selftest.proxy import Fault, FaultyProxy, profile_via
from tests.selftest.runs import ReferenceServer, cli, tail
from tests.selftest.test_network_faults import READS_USAGE, SMOKE, USAGE, _base_url

pytestmark = pytest.mark.slow


def _stability(reports: Path) -> dict[str, object]:
    return json.loads((reports / "stability.json").read_text(encoding="utf-8"))


def test_a_clean_soak_changes_no_verdict(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    done = cli("run", "--repeat", "2", "--seed", "7", "--embedded-rate-limit", "50", "--tests", SMOKE,
               "--reports-dir", str(reports), timeout=300)
    assert done.returncode == 0, tail(done)
    document = _stability(reports)
    assert document["runs_done"] == 2 and document["flakes"] == 0 and document["changed"] == [], document
    runs = document["runs"]
    assert isinstance(runs, list) and len({run["seed"] for run in runs}) == 2, "each run has its own seed"
    assert all((Path(run["reports"]) / "compliance.json").exists() for run in runs)
    assert "soak: 2 of 2 runs, 0 guarantee(s) changed verdict; exit 0" in done.stdout


def test_a_verdict_that_changes_between_runs_is_named(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    with ReferenceServer(tmp_path, rate_limit="50") as server, FaultyProxy(_base_url(server.profile)) as proxy:
        profile = profile_via(server.profile, proxy, tmp_path / "via-proxy.toml")
        proxy.inject(Fault("gateway", status=502), match=USAGE, method="GET")
        soak = subprocess.Popen(
            [sys.executable, "-m", "msgflash_compliance.cli", "run", "--repeat", "2", "--profile", str(profile),
             "--tests", SMOKE, "--reports-dir", str(reports)],
            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
        first = reports / "runs" / "1" / "compliance.json"
        deadline = time.monotonic() + 300
        while not first.exists() and soak.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        proxy.clear()  # the second run sees a healthy network
        output, _ = soak.communicate(timeout=300)
    assert soak.returncode == 3, output[-3000:]
    document = _stability(reports)
    changed = {entry["id"]: entry for entry in document["changed"]}  # type: ignore[union-attr]
    assert set(changed) == READS_USAGE, output[-3000:]
    seeds = [run["seed"] for run in document["runs"]]  # type: ignore[union-attr]
    for entry in changed.values():
        assert entry["seeds"] == {"broken": [seeds[0]], "passed": [seeds[1]]}, entry
        assert f"--seed {seeds[0]}" in entry["replay"]["broken"], entry["replay"]
    markdown = (reports / "stability.md").read_text(encoding="utf-8")
    assert "Verdicts that changed: 2" in markdown and "AUTH-01" in markdown


def test_a_soak_gives_its_embedded_target_a_fresh_month_of_api_requests(tmp_path: Path) -> None:
    """The Free outsider's 1,000 requests last about three full runs: before each run of a soak against its
    own embedded server, every identity's API request counter goes back to 0 (the sandbox counters control)."""
    import httpx

    from msgflash_compliance.profile import load_profile
    from msgflash_compliance.soak import fresh_api_month
    from msgflash_reference.config import ServerConfig
    from msgflash_reference.profile import profile_document, write_profile
    from msgflash_reference.server_thread import RunningServer

    server = RunningServer(ServerConfig(db_path=tmp_path / "ref.sqlite", rate_limit_per_second=1000), seed=True)
    server.start(timeout=20)
    try:
        assert server.seed is not None
        path = tmp_path / "profile.toml"
        write_profile(path, profile_document(server.base_url, server.seed, sandbox=True, rate_limit=1000))
        profile = load_profile(path)
        outsider = profile.identity("outsider")
        assert outsider is not None and outsider.email
        spent = httpx.post(f"{server.base_url}/__sandbox/counters", json={"user": outsider.email, "apiRequests": 1000})
        assert spent.json()["data"]["usage"]["apiRequestsCount"] == 1000  # positive control: spent
        fresh_api_month(profile)
        usage = httpx.get(f"{server.base_url}/api/v1/usage",
                          headers={"x-api-key": outsider.api_key.get_secret_value()})
        assert usage.status_code == 200 and usage.json()["data"]["usage"]["apiRequestsCount"] <= 1  # 0 or this read
    finally:
        server.stop()
