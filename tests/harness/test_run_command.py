"""`msgflash-compliance run` end to end, against the live test server and a tiny suite of its own."""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from msgflash_compliance import cli
from msgflash_compliance.contract.catalog import load_catalog
from msgflash_compliance.contract.paths import CATALOG_PATH, SPEC_PATH
from msgflash_compliance.exit_codes import ExitCode
from msgflash_compliance.reporting import allure_files
from msgflash_compliance.reporting.replay import sha256_of
from msgflash_compliance.runner import run_command
from tests.harness.conftest import profile_document
from tests.harness.live_server import VALID_KEY, LiveServer, free_port

SUITE = '''
import allure
import pytest
from fixtures.assertions import expect_error, expect_ok

@pytest.mark.guarantee("AUTH-01")
def test_no_key(anonymous_client):
    expect_error(anonymous_client.get("/api/v1/usage"), 401, "UNAUTHORIZED", guarantee="AUTH-01")

@pytest.mark.guarantee("ENV-01")
def test_data(owner):
    expect_ok(owner.api.get("/api/v1/usage"), guarantee="ENV-01")

@pytest.mark.guarantee("AUTH-02")
def test_violated(owner):
    expect_error(owner.api.get("/api/v1/usage"), 401, "UNAUTHORIZED", guarantee="AUTH-02")

@pytest.mark.guarantee("AUTH-04")
def test_violated_should(owner):
    expect_error(owner.api.get("/api/v1/usage"), 401, "UNAUTHORIZED", guarantee="AUTH-04")

@pytest.mark.guarantee("AUTH-05")
def test_leaks(profile):
    allure.attach(profile.identity("owner").api_key.get_secret_value(), name="careless")
'''


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One suite for every run: in process, a second `test_fake` module would clash with the first.
    directory = tmp_path_factory.mktemp("suites")
    (directory / "test_fake.py").write_text(SUITE)
    return directory


@pytest.fixture
def profile_path(tmp_path: Path, live_server: LiveServer) -> Path:
    path = tmp_path / "profile.toml"
    path.write_bytes(tomli_w.dumps(profile_document(live_server.url, rate_limit=1000)).encode())
    return path


def args(profile: Path, reports: Path, *guarantees: str, **flags: Any) -> argparse.Namespace:
    return argparse.Namespace(profile=str(profile), reports_dir=str(reports), suite="full", seed=7,
                              guarantee=list(guarantees), fault=[], pytest_args=["--", "-q"], **flags)


def test_a_compliant_run_exits_0_and_writes_every_report(suite: Path, profile_path: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    reports = tmp_path / "reports"
    code = run_command(args(profile_path, reports, "AUTH-01", "ENV-01"), suites_dir=suite)
    out = capsys.readouterr().out
    assert code == ExitCode.COMPLIANT
    assert f"replay with: msgflash-compliance run --profile {profile_path} --guarantee AUTH-01 --guarantee ENV-01 " \
        "--seed 7 -- -q" in out
    assert "guarantees: 2 passed, 0 failed, 0 broken, 3 skipped" in out
    assert VALID_KEY not in out

    document = json.loads((reports / "compliance.json").read_text())
    catalog = load_catalog()
    verdicts = {g["id"]: g for g in document["guarantees"]}
    assert verdicts["AUTH-01"]["verdict"] == "passed"
    assert [t.rsplit("/", 1)[-1] for t in verdicts["AUTH-01"]["tests"]] == ["test_fake.py::test_no_key"]
    assert verdicts["AUTH-02"]["verdict"] == "skipped"
    assert verdicts["AUTH-02"]["notes"] == ["not selected in this run"]
    assert verdicts["TEAM-04"]["verdict"] == "not_covered"
    assert document["seed"] == 7 and document["requests"] == 2 and document["exit_code"] == 0
    assert document["settings"]["plan_lineup"] == "free-starter-pro-plus"
    markdown = (reports / "compliance.md").read_text()
    assert "| AUTH-01 | MUST | passed |" in markdown
    assert markdown.splitlines()[2].startswith("**PASSED** (exit 0): 0 failed, 0 broken, 2 passed")
    assert "- selection: full suite, narrowed to guarantees AUTH-01, ENV-01; pytest arguments -q" in markdown
    selection = document["selection"]
    assert selection["guarantees"] == ["AUTH-01", "ENV-01"] and selection["narrowed"] is True
    assert selection["profile"] == str(profile_path) and selection["seed"] == 7 and selection["fail_on"] == "should"
    assert document["replay"].endswith("--seed 7 -- -q")
    digests = document["checked_against"]
    assert digests["openapi_sha256"] == sha256_of(SPEC_PATH) and digests["catalog_sha256"] == sha256_of(CATALOG_PATH)
    assert (reports / "junit.xml").exists()
    results = reports / "allure-results"
    tests = [json.loads(p.read_text()) for p in results.glob("*-result.json")]
    ran = [r for r in tests if not r["fullName"].startswith("catalog#")]
    assert len(ran) == 2
    assert {r["name"] for r in ran} == {f"AUTH-01: {catalog.get('AUTH-01').statement}",
                                        f"ENV-01: {catalog.get('ENV-01').statement}"}
    assert all("Expected:" in r["description"] for r in ran)
    unchecked = {label["value"] for r in tests if r["fullName"].startswith("catalog#")
                 for label in r["labels"] if label["name"] == "story"}
    assert unchecked == {g["id"] for g in document["guarantees"] if g["verdict"] in ("skipped", "not_covered")}
    assert (results / "categories.json").exists()
    assert "plan_lineup=free-starter-pro-plus" in (results / "environment.properties").read_text()
    if allure_files.ALLURE_CLI.exists():
        assert (reports / "allure-report" / "index.html").exists()
    for path in reports.rglob("*"):
        assert not path.is_file() or VALID_KEY.encode() not in path.read_bytes()


def test_a_violation_exits_1(suite: Path, profile_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(allure_files, "ALLURE_CLI", tmp_path / "no-allure")
    reports = tmp_path / "reports"
    code = run_command(args(profile_path, reports, "AUTH-01", "AUTH-02"), suites_dir=suite)
    captured = capsys.readouterr()
    assert code == ExitCode.VIOLATIONS
    assert "guarantees: 1 passed, 1 failed" in captured.out
    assert "warning: Allure CLI not found" in captured.err  # one line; everything else still written
    verdicts = {g["id"]: g for g in json.loads((reports / "compliance.json").read_text())["guarantees"]}
    assert "expected 401 UNAUTHORIZED, got 200" in verdicts["AUTH-02"]["notes"][0]


def test_a_secret_in_the_reports_fails_the_run_as_broken(suite: Path, profile_path: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(allure_files, "ALLURE_CLI", tmp_path / "no-allure")
    reports = tmp_path / "reports"
    code = run_command(args(profile_path, reports, "AUTH-05"), suites_dir=suite)
    err = capsys.readouterr().err
    assert code == ExitCode.BROKEN
    assert "error: secret owner.api_key found in" in err and VALID_KEY not in err
    for path in reports.rglob("*"):
        assert not path.is_file() or VALID_KEY.encode() not in path.read_bytes()  # scrubbed


def test_an_unreachable_target_exits_3_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "profile.toml"
    url = f"http://127.0.0.1:{free_port()}"
    path.write_bytes(tomli_w.dumps(profile_document(url)).encode())
    code = cli.main(["run", "--profile", str(path), "--reports-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == ExitCode.BROKEN
    assert err == [f"msgflash-compliance: error: target {url} unreachable: connection refused"]


def test_a_bad_profile_exits_2_naming_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "profile.toml"
    document: dict[str, Any] = profile_document("http://127.0.0.1:1")
    document["identities"]["owner"]["api_key"] = "not-a-key"
    path.write_bytes(tomli_w.dumps(document).encode())
    code = cli.main(["run", "--profile", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == ExitCode.USAGE
    assert len(err) == 1 and "identities.owner.api_key: does not look like an API key" in err[0]


def test_bad_settings_in_a_profile_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "profile.toml"
    document: dict[str, Any] = {**profile_document("http://127.0.0.1:1"), "settings": {"plan_lineup": "gold"}}
    path.write_bytes(tomli_w.dumps(document).encode())
    assert cli.main(["run", "--profile", str(path)]) == ExitCode.USAGE
    assert "plan_lineup" in capsys.readouterr().err


def test_a_run_loads_the_profile_and_settings_once_and_hands_pytest_its_plugin(
        suite: Path, profile_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from msgflash_compliance import profile, runner
    from msgflash_compliance.contract import settings
    from msgflash_compliance.models import run_config

    loads = {"profile": 0, "settings": 0}

    def counted(what: str, real: Any) -> Any:
        def load(*args: Any, **kwargs: Any) -> Any:
            loads[what] += 1
            return real(*args, **kwargs)

        return load

    for module in (runner, profile):  # the plugin would load a profile through the module
        monkeypatch.setattr(module, "load_profile", counted("profile", profile.load_profile))
    for module in (run_config, settings):
        monkeypatch.setattr(module, "load_settings", counted("settings", settings.load_settings))
    code = run_command(args(profile_path, tmp_path / "reports", "AUTH-01"), suites_dir=suite)
    assert code == ExitCode.COMPLIANT
    assert loads == {"profile": 1, "settings": 1}


def test_faults_need_the_embedded_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "--profile", str(tmp_path / "p.toml"), "--fault", "x"]) == ExitCode.USAGE
    assert "--fault" in capsys.readouterr().err


@pytest.mark.parametrize("size", ["-1", "21"])
def test_a_key_pool_out_of_range_is_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         size: str) -> None:
    code = cli.main(["run", "--key-pool", size, "--reports-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == ExitCode.USAGE
    assert err == [f"msgflash-compliance: error: --key-pool must be from 0 to 20, got {size}"]


def test_the_key_pool_flag_overrides_the_profile(suite: Path, profile_path: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """--key-pool 2 against a target without billing or console routes: the pool cannot be sized (its first
    request, GET /api/v1/billing/usage, finds no API), so the check is broken with that reason: the flag took
    effect over the profile's key_pool = 0; the replay keeps it."""
    reports = tmp_path / "reports"
    code = run_command(args(profile_path, reports, "AUTH-01", key_pool=2), suites_dir=suite)
    out = capsys.readouterr().out
    assert "--key-pool 2" in out
    assert code == ExitCode.BROKEN, out[-2000:]
    notes = [n for g in json.loads((reports / "compliance.json").read_text())["guarantees"] for n in g["notes"]]
    assert any("GET /api/v1/billing/usage" in n for n in notes), notes


def test_an_unknown_fault_stops_the_embedded_server_with_exit_2(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["run", "--fault", "no-such-fault", "--reports-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == ExitCode.USAGE
    assert len(err) == 1 and "embedded reference server: unknown fault 'no-such-fault'" in err[0]


def test_outside_selection_names_the_guarantees_whose_tests_the_tests_flag_left_out() -> None:
    from msgflash_compliance.contract.catalog import load_catalog
    from msgflash_compliance.runner import outside_selection

    catalog = load_catalog()
    left_out = outside_selection(catalog, ["suites/test_rate_limit.py"])
    rate_only = {g.id for g in catalog if g.checked_by and all(n.startswith("suites/test_rate_limit.py::")
                                                                for n in g.checked_by)}
    assert rate_only and not rate_only & left_out
    assert "AUTH-01" in left_out  # checked elsewhere (key scoping), so not selected rather than uncovered
    assert not outside_selection(catalog, None)
    assert not {g.id for g in catalog if not g.checked_by} & left_out


def test_fail_on_must_reports_a_should_violation_without_failing_the_run(
    suite: Path, profile_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(allure_files, "ALLURE_CLI", tmp_path / "no-allure")
    reports = tmp_path / "reports"
    assert run_command(args(profile_path, reports, "AUTH-01", "AUTH-04", fail_on="must"),
                       suites_dir=suite) == ExitCode.COMPLIANT
    document = json.loads((reports / "compliance.json").read_text())
    assert document["gate"] == {"fail_on": "must", "levels": ["MUST"], "failing": []}
    assert {g["id"]: g["verdict"] for g in document["guarantees"]}["AUTH-04"] == "failed"
    assert "failed: AUTH-04 (SHOULD) (not gating: --fail-on must)" in capsys.readouterr().out
    assert run_command(args(profile_path, reports, "AUTH-01", "AUTH-04"), suites_dir=suite) == ExitCode.VIOLATIONS


def _baseline(tmp_path: Path, expires: date) -> Path:
    path = tmp_path / "baseline.toml"
    path.write_text(f'''
[[known]]
guarantee = "AUTH-02"
reason = "vendor ticket 7: valid keys get 401"
expires = {expires.isoformat()}

[[known]]
guarantee = "AUTH-01"
reason = "fixed since"
''', encoding="utf-8")
    return path


def test_a_baseline_makes_a_failure_known_until_it_expires(suite: Path, profile_path: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(allure_files, "ALLURE_CLI", tmp_path / "no-allure")
    reports = tmp_path / "reports"
    live = _baseline(tmp_path, date.today() + timedelta(days=30))
    assert run_command(args(profile_path, reports, "AUTH-01", "AUTH-02", baseline=str(live)),
                       suites_dir=suite) == ExitCode.COMPLIANT
    out = capsys.readouterr().out
    assert "guarantees: 1 passed, 0 failed, 1 known, 0 broken" in out
    assert "known (baseline): AUTH-02" in out and "baseline entry STALE, it passes now: AUTH-01" in out
    document = json.loads((reports / "compliance.json").read_text())
    assert document["summary"]["known"] == 1 and document["summary"]["failed"] == 0
    assert document["baseline"] == {"path": str(live), "known": ["AUTH-02"], "expired": [], "stale": ["AUTH-01"]}
    markdown = (reports / "compliance.md").read_text()
    assert "## Known deviations (baseline): 1" in markdown and "vendor ticket 7" in markdown
    assert "STALE (they pass now, remove them): AUTH-01" in markdown
    results = [json.loads(p.read_text()) for p in (reports / "allure-results").glob("*-result.json")]
    tagged = [r["name"] for r in results if {"name": "tag", "value": "known-deviation"} in r["labels"]]
    assert tagged == [f"AUTH-02: {load_catalog().get('AUTH-02').statement}"]  # the Allure category's hook
    junit = (reports / "junit.xml").read_text()
    assert 'failures="0"' in junit and '<skipped type="known-deviation" message="known deviation (baseline)' in junit

    expired = _baseline(tmp_path, date.today())
    assert run_command(args(profile_path, reports, "AUTH-01", "AUTH-02", baseline=str(expired)),
                       suites_dir=suite) == ExitCode.VIOLATIONS
    assert "baseline entry EXPIRED, failing again: AUTH-02" in capsys.readouterr().out
    document = json.loads((reports / "compliance.json").read_text())
    assert document["baseline"]["expired"] == ["AUTH-02"] and document["summary"]["failed"] == 1
    assert 'failures="1"' in (reports / "junit.xml").read_text()


def test_a_bad_baseline_is_exit_2_with_one_line_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "baseline.toml"
    bad.write_text('[[known]]\nguarantee = "AUTH-01"\n', encoding="utf-8")
    code = cli.main(["run", "--profile", str(tmp_path / "absent.toml"), "--baseline", str(bad)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == ExitCode.USAGE
    assert err == [f"msgflash-compliance: error: baseline {bad}: [[known]] #1 (AUTH-01): `reason` is required"]
