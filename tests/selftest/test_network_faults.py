"""A misbehaving network between the suite and the target (`proxy.FaultyProxy`): what the environment did is
never a contract violation nor a pass. Each run checks the smoke file (4 checks: AUTH-01 and ENV-01 read
GET /api/v1/usage, TEAM-16 reads the console's contacts, CNT-02 creates a contact) through the proxy; the
faults hit GET /api/v1/usage unless said. The affected guarantees are `broken` with a reason naming what the
environment did, the others pass, exit 3; bounded retries of reads absorb a short burst, and every attempt is
its own exchange (the proxy counts them).
"""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.selftest.proxy import Fault, FaultyProxy, profile_via
from tests.selftest.runs import ReferenceServer, cli, compliance, tail

pytestmark = pytest.mark.slow
SMOKE = "suites/test_harness_smoke.py"
USAGE = r"^/api/v1/usage$"
READS_USAGE = {"AUTH-01", "ENV-01"}
SMOKE_GUARANTEES = {"AUTH-01", "ENV-01", "TEAM-16", "CNT-02"}
TIMEOUT = 1.5  # the profile's safety.request_timeout through the proxy: the delay fault waits longer


@dataclass
class Through:
    proxy: FaultyProxy
    profile: Path
    scratch: Path
    runs: Iterator[int]

    def run(self) -> tuple[subprocess.CompletedProcess[str], dict[str, dict[str, object]]]:
        reports = self.scratch / f"reports-{next(self.runs)}"
        done = cli("run", "--profile", str(self.profile), "--tests", SMOKE, "--no-html", "--reports-dir",
                   str(reports), timeout=300)
        document = compliance(reports)
        return done, {g["id"]: g for g in document["guarantees"] if g["id"] in SMOKE_GUARANTEES}


@pytest.fixture(scope="module")
def through(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Through]:
    scratch = tmp_path_factory.mktemp("network-faults")
    with ReferenceServer(scratch, rate_limit="50") as server, FaultyProxy(_base_url(server.profile)) as proxy:
        profile = profile_via(server.profile, proxy, scratch / "via-proxy.toml", request_timeout=TIMEOUT)
        yield Through(proxy, profile, scratch, itertools.count(1))


@pytest.fixture
def proxy(through: Through) -> Iterator[FaultyProxy]:
    through.proxy.clear()
    through.proxy.seen.clear()
    yield through.proxy
    through.proxy.clear()


def _base_url(profile: Path) -> str:
    import tomllib

    return tomllib.loads(profile.read_text(encoding="utf-8"))["base_url"]


def assert_environment_broke(done: subprocess.CompletedProcess[str], found: dict[str, dict[str, object]],
                             broken: set[str], reason: str) -> None:
    verdicts = {gid: g["verdict"] for gid, g in found.items()}
    assert done.returncode == 3, tail(done)
    assert {gid for gid, v in verdicts.items() if v == "broken"} == broken, verdicts
    assert {gid for gid, v in verdicts.items() if v == "passed"} == SMOKE_GUARANTEES - broken, verdicts
    for gid in broken:
        notes = " ".join(map(str, found[gid]["notes"]))
        assert reason in notes, f"{gid}: {notes}"


@pytest.mark.parametrize(("fault", "reason"), [
    (Fault("delay", seconds=TIMEOUT + 2), "ReadTimeout"),
    (Fault("reset"), "GET /api/v1/usage: ReadError"),
    (Fault("truncate"), "GET /api/v1/usage: RemoteProtocolError"),
    (Fault("gateway", status=503), "HTTP 503 without the API's error envelope (a gateway, not the API) after 3"),
    (Fault("html-200"), "the target answered text/html, not the API (HTTP 200"),
    (Fault("wrong-type"), "the target answered text/plain, not the API (HTTP 200"),
    (Fault("rate-limited"), "the key is rate limited by traffic this run did not send"),
], ids=lambda v: v.kind if isinstance(v, Fault) else None)
def test_a_network_fault_on_a_read_breaks_its_checks_only(through: Through, proxy: FaultyProxy, fault: Fault,
                                                          reason: str) -> None:
    proxy.inject(fault, match=USAGE, method="GET")
    done, found = through.run()
    assert_environment_broke(done, found, READS_USAGE, reason)
    attempts = 4 if fault.kind == "rate-limited" else 3  # bounded, each one sent (and in the evidence)
    assert len([s for s in proxy.seen if s.startswith("GET /api/v1/usage")]) == 2 * attempts


def test_a_short_gateway_burst_is_retried_away_and_every_retry_is_sent(through: Through, proxy: FaultyProxy
                                                                       ) -> None:
    for status in (502, 504):
        proxy.inject(Fault("gateway", status=status), match=USAGE, count=1)
    done, found = through.run()
    assert done.returncode == 0, tail(done)
    assert {g["verdict"] for g in found.values()} == {"passed"}
    assert proxy.seen == ["GET /api/v1/usage -> gateway"] * 2


def test_a_reset_write_is_not_resent_and_breaks_its_check(through: Through, proxy: FaultyProxy) -> None:
    proxy.inject(Fault("reset"), match=r"^/api/v1/contacts$", method="POST")
    done, found = through.run()
    assert_environment_broke(done, found, {"CNT-02"}, "POST /api/v1/contacts: ReadError")
    assert proxy.seen == ["POST /api/v1/contacts -> reset"]  # once: a create is never sent twice


def test_an_html_page_on_the_console_breaks_its_check(through: Through, proxy: FaultyProxy) -> None:
    proxy.inject(Fault("html-200"), match=r"^/api/contacts$", method="GET")
    done, found = through.run()
    assert_environment_broke(done, found, {"TEAM-16"}, "the target answered text/html, not the API")


def test_a_target_that_goes_away_and_comes_back(through: Through, proxy: FaultyProxy) -> None:
    """The first read of /api/v1/usage drops and the target is gone for 2 s: the checks in that window are
    broken (connection refused after 3 attempts), never failed; once it is back the later checks pass."""
    proxy.inject(Fault("down", seconds=2.0), match=USAGE, count=1)
    done, found = through.run()
    verdicts = {gid: g["verdict"] for gid, g in found.items()}
    assert done.returncode == 3, tail(done)
    assert set(verdicts.values()) <= {"passed", "broken"} and verdicts["AUTH-01"] == "broken", verdicts
    assert "connection refused" in " ".join(map(str, found["AUTH-01"]["notes"]))
    assert verdicts["CNT-02"] == "passed", verdicts  # the last check runs after it came back
    assert proxy.seen[:2] == ["GET /api/v1/usage -> down", "down for 2 s"]
