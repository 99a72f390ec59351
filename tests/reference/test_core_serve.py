"""`msgflash-compliance serve` and `faults` as a user runs them: a real process, a profile, signals, exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest

from msgflash_reference.faults import all_faults

CLI = [sys.executable, "-m", "msgflash_compliance.cli"]
IDENTITIES = ("owner", "admin", "collaborator", "outsider")


def start_serve(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen, Path, float]:
    """Launch `serve --seed --port 0 --write-profile`; (process, profile path, seconds until the profile exists)."""
    profile = tmp_path / "profile.toml"
    profile.unlink(missing_ok=True)
    started = time.monotonic()
    process = subprocess.Popen(
        [
            *CLI,
            "serve",
            "--port",
            "0",
            "--db",
            str(tmp_path / "ref.sqlite"),
            "--seed",
            "--write-profile",
            str(profile),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    while not profile.exists():
        if process.poll() is not None:
            raise AssertionError(f"serve exited early: {process.stderr.read()}")
        if time.monotonic() - started > 15:
            process.kill()
            raise AssertionError("no profile after 15 s")
        time.sleep(0.01)
    return process, profile, time.monotonic() - started


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> int:
    process.send_signal(sig)
    try:
        return process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def test_serve_seeds_writes_a_working_profile_fast_and_stops_cleanly(tmp_path: Path) -> None:
    process, path, seconds = start_serve(tmp_path)
    try:
        assert seconds < 3.0, f"ready after {seconds:.2f} s"
        profile = tomllib.loads(path.read_text())
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        url = process.stdout.readline().strip()
        assert url == profile["base_url"] and url.startswith("http://127.0.0.1:")
        assert profile["safety"] == {"billing_probes": True, "allow_send": True, "key_pool": 4, "rate_limit": 10.0,
                                     "console_rate_limit": 100.0}
        assert profile["sandbox"] == {"enabled": True}
        client = httpx.Client(base_url=url, timeout=10)
        for name in IDENTITIES:
            who = profile["identities"][name]
            me = client.get("/api/v1/me", headers={"x-api-key": who["api_key"]})
            assert me.status_code == 200 and me.json()["data"]["email"] == who["email"]
            login = client.post("/api/auth/login", json={"email": who["email"], "password": who["password"]})
            assert login.status_code == 200, login.text
        team = client.get(
            "/api/v1/instances", headers={"x-api-key": profile["team"]["api_key"], "x-team-id": profile["team"]["id"]}
        )
        assert team.status_code == 200 and len(team.json()["data"]) == 1
        assert profile["other_team"]["id"] != profile["team"]["id"]
        owner = client.get("/api/v1/me", headers={"x-api-key": profile["identities"]["owner"]["api_key"]})
        assert owner.json()["data"]["plan"]["code"] == "pro"
    finally:
        assert stop(process) == 0

    again, path, _ = start_serve(tmp_path)  # same database: reused, secrets rotated
    try:
        rotated = tomllib.loads(path.read_text())
        assert rotated["identities"]["owner"]["email"] == profile["identities"]["owner"]["email"]
        assert rotated["identities"]["owner"]["api_key"] != profile["identities"]["owner"]["api_key"]
        client = httpx.Client(base_url=rotated["base_url"], timeout=10)
        old = client.get("/api/v1/me", headers={"x-api-key": profile["identities"]["owner"]["api_key"]})
        assert old.status_code == 401
        assert (
            client.get("/api/v1/me", headers={"x-api-key": rotated["identities"]["owner"]["api_key"]}).status_code
            == 200
        )
        assert (
            client.get(
                "/api/v1/instances",
                headers={"x-api-key": rotated["team"]["api_key"], "x-team-id": rotated["team"]["id"]},
            ).status_code
            == 200
        )
    finally:
        assert stop(again, signal.SIGINT) == 0


def test_serve_with_a_fault_runs_it(tmp_path: Path) -> None:
    process, path, _ = start_serve(tmp_path, "--fault", "bearer-key-accepted", "--no-rate-limit")
    try:
        profile = tomllib.loads(path.read_text())
        key = profile["identities"]["owner"]["api_key"]
        response = httpx.get(profile["base_url"] + "/api/v1/me", headers={"authorization": f"Bearer {key}"})
        assert response.status_code == 200
    finally:
        assert stop(process) == 0


@pytest.mark.parametrize("args", [["--fault", "no-such-fault"], ["--write-profile", "x.toml"]])
def test_serve_usage_errors_are_one_line_and_exit_2(tmp_path: Path, args: list[str]) -> None:
    done = subprocess.run(
        [*CLI, "serve", "--port", "0", "--db", str(tmp_path / "x.sqlite"), *args],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ},
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("msgflash-compliance: error:"), done.stderr


def test_faults_command_lists_every_fault_with_guarantees() -> None:
    done = subprocess.run([*CLI, "faults", "--json"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0
    listed = json.loads(done.stdout)
    assert {f["name"] for f in listed} == set(all_faults())
    assert all(f["breaks"] and f["summary"] for f in listed)
    plain = subprocess.run([*CLI, "faults"], capture_output=True, text=True, timeout=30)
    assert len(plain.stdout.strip().splitlines()) == len(listed)
