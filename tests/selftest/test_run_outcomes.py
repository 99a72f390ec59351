"""What a compliance run answers as a whole: a clean target passes, an unreachable one is exit 3 with one
line, a bad profile is exit 2 naming the field, and no secret reaches the reports or the console output."""

from __future__ import annotations

import re
import socket
import subprocess
import tomllib
from pathlib import Path

import pytest

from msgflash_reference.faults import all_faults
from tests.selftest.conftest import CleanRun
from tests.selftest.runs import ReferenceServer, cli, compliance, tail

JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+")
VALID_KEY = "msgf_live_" + "0" * 64
PLACEHOLDER = re.compile(
    r"<(?:owner|admin|collaborator|outsider|team|created)\.[a-z_]+>|<redacted(?::[a-z-]+)?>"
)
# Guarantees whose checks put secrets on the wire and in bodies: console logins (JWTs), new keys.
SECRET_HEAVY = ("AUTH-05", "AUTH-12", "AUTH-13", "TEAM-17")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _assert_compliant(done: subprocess.CompletedProcess[str], reports: Path) -> None:
    if (reports / "compliance.json").exists():
        bad = [f"{g['id']} {g['verdict']}: {'; '.join(g['notes'])[:300]}"
               for g in compliance(reports)["guarantees"] if g["verdict"] in ("failed", "broken")]
    else:
        bad = ["no compliance.json"]
    summary = "\n".join(bad)
    assert done.returncode == 0, f"exit {done.returncode}; failed/broken:\n{summary}\n{tail(done)}"


@pytest.mark.slow
@pytest.mark.xdist_group("clean_run")
def test_clean_reference_server_passes_the_whole_suite(clean_run: CleanRun) -> None:
    _assert_compliant(clean_run.done, clean_run.reports)


@pytest.mark.slow
def test_clean_embedded_server_passes_the_rate_limit_checks(tmp_path: Path) -> None:
    """The rate-limit checks at the documented 10 requests/s (the whole-suite run above paces faster)."""
    reports = tmp_path / "reports"
    _assert_compliant(cli("run", "--no-html", "--reports-dir", str(reports), "--", "-m", "rate_limit"), reports)


def test_unreachable_target_is_exit_3_with_one_line(tmp_path: Path) -> None:
    profile = tmp_path / "profile.toml"
    profile.write_text(f'base_url = "http://127.0.0.1:{_closed_port()}"\n', encoding="utf-8")
    done = cli("run", "--profile", str(profile), "--reports-dir", str(tmp_path / "reports"), timeout=60)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 3, tail(done)
    assert len(lines) == 1 and "unreachable" in lines[0], f"stderr: {done.stderr!r}"


@pytest.mark.parametrize(("section", "field_line", "named"), [
    ("safety", 'rate_limit = "fast"', "safety.rate_limit"),
    ("identities.owner", f'api_key = "{VALID_KEY}"\napi_kee = "x"', "identities.owner.api_kee"),
    ("identities.owner", 'api_key = "msgf_live_NOT-A-KEY-sekrit"', "identities.owner.api_key"),
], ids=["bad-value", "unknown-field", "bad-secret"])
def test_bad_profile_field_is_exit_2_naming_it(tmp_path: Path, section: str, field_line: str,
                                               named: str) -> None:
    profile = tmp_path / "profile.toml"
    profile.write_text(f'base_url = "http://127.0.0.1:9"\n[{section}]\n{field_line}\n', encoding="utf-8")
    done = cli("run", "--profile", str(profile), "--reports-dir", str(tmp_path / "reports"), timeout=60)
    assert done.returncode == 2, tail(done)
    assert named in done.stderr, f"stderr does not name {named}: {done.stderr!r}"
    assert "sekrit" not in done.stderr + done.stdout, "a profile value was echoed"


def _covered_fault(checked: frozenset[str]) -> tuple[str, list[str]] | None:
    for name, fault in sorted(all_faults().items()):
        ids = [i for i in fault.breaks if i in checked]
        if ids:
            return name, ids
    return None


def _profile_secrets(profile: Path) -> dict[str, str]:
    document = tomllib.loads(profile.read_text(encoding="utf-8"))
    found = {}
    for name, identity in document.get("identities", {}).items():
        for attr in ("api_key", "password", "jwt"):
            if identity.get(attr):
                found[f"{name}.{attr}"] = identity[attr]
    if document.get("team", {}).get("api_key"):
        found["team.api_key"] = document["team"]["api_key"]
    return found


@pytest.mark.slow
def test_no_secret_in_reports_or_output_of_a_failing_run(tmp_path: Path, checked_guarantees) -> None:
    chosen = _covered_fault(checked_guarantees)
    if chosen is None:
        pytest.skip("no fault whose guarantees a suite checks yet: no failing run to inspect")
    fault, ids = chosen
    guarantees = [*ids, *(i for i in SECRET_HEAVY if i in checked_guarantees)]
    reports = tmp_path / "reports"
    with _server(tmp_path, fault) as server:
        done = cli("run", "--profile", str(server.profile), "--reports-dir", str(reports),
                   *(f"--guarantee={i}" for i in guarantees))
        secrets = _profile_secrets(server.profile)
    assert done.returncode == 1, f"expected a failing run (fault {fault}):\n{tail(done)}"
    leaks = [f"{label} in the console output" for label, value in secrets.items()
             if value in done.stdout + done.stderr]
    leaks += [f"a JWT in the console output: {m[:12]}…" for m in JWT_SHAPE.findall(done.stdout + done.stderr)]
    files = [p for p in reports.rglob("*") if p.is_file()]
    assert files, "the run wrote no reports"
    placeholders = 0  # proof the evidence did carry credentials, redacted: the scan below is not vacuous
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        placeholders += len(PLACEHOLDER.findall(text))
        where = path.relative_to(reports)
        leaks += [f"{label} in {where}" for label, value in secrets.items() if value in text]
        leaks += [f"a JWT in {where}" for _ in JWT_SHAPE.findall(text)[:1]]
    assert not leaks, "secrets leaked:\n" + "\n".join(leaks)
    assert placeholders, "no redaction placeholder in the reports: the evidence recorded no credential at all"


def _server(tmp_path: Path, fault: str) -> ReferenceServer:
    scratch = tmp_path / "server"
    scratch.mkdir()
    return ReferenceServer(scratch, faults=(fault,))


@pytest.mark.slow
@pytest.mark.xdist_group("clean_run")
def test_clean_run_records_its_selection_and_reads_short(clean_run: CleanRun) -> None:
    """The shared clean run is narrowed by `-m`: its record says so, its replay keeps it, its summary stays short."""
    document = compliance(clean_run.reports)
    selection = document["selection"]
    assert selection["pytest_args"] == ["-m", "not rate_limit"] and selection["narrowed"] is True
    assert document["replay"].endswith("--seed {} -- -m 'not rate_limit'".format(selection["seed"]))
    assert sum(document["summary"].values()) == len(document["guarantees"])
    markdown = (clean_run.reports / "compliance.md").read_text(encoding="utf-8")
    visible = markdown[:markdown.index("<details>")]
    assert markdown.splitlines()[2].startswith("**PASSED** (exit 0)"), markdown.splitlines()[2]
    assert "pytest arguments -m 'not rate_limit'" in visible and "suite: full" not in markdown
    assert len(visible.splitlines()) < 40, visible
