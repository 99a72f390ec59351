"""Billing probes leave every subscription as they found it: after a compliance run, each identity's plan and
scheduled change equal what they were before, also when a fault lets an admin change the owner's
subscription (the guard undoes it at once and the run reports the violation), also against a profile that
looks like a real target (no sandbox, billing probes off), and also when a fault applies a downgrade at once
(the sandbox plan control puts it back)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest
import tomli_w

from tests.selftest.runs import ReferenceServer, cli, compliance, tail

IDENTITIES = ("owner", "admin", "collaborator", "outsider")
SUBSCRIPTION_PATH = "/api/v1/billing/subscription"


def _states(profile: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    """Each identity's plan code and scheduled change, read with its personal key."""
    found = {}
    with httpx.Client(base_url=profile["base_url"], timeout=10) as client:
        for name in IDENTITIES:
            key = profile["identities"][name]["api_key"]
            sub = client.get(SUBSCRIPTION_PATH, headers={"x-api-key": key}).json()["data"]["subscription"]
            found[name] = (sub["plan"]["code"], sub.get("scheduledAction"), sub.get("scheduledPlan"),
                           sub.get("scheduledPlanAt"), sub.get("cancelAtPeriodEnd"))
    return found


def _real_target_like(source: Path, target: Path) -> Path:
    """The server's profile, saying what a real target's would: no sandbox controls, no billing probes."""
    document = tomllib.loads(source.read_text(encoding="utf-8"))
    document["sandbox"] = {"enabled": False}
    document["safety"] = {**document.get("safety", {}), "billing_probes": False}
    target.write_bytes(tomli_w.dumps(document).encode("utf-8"))
    return target


@pytest.mark.slow
@pytest.mark.parametrize(("fault", "guarantees", "real_target"), [
    ("admin-can-mutate-billing", ("ROLE-03",), False),
    ("admin-can-mutate-billing", ("ROLE-03",), True),
    ("billing-subscription-delete-cancels", ("BILL-13",), False),
    ("downgrade-immediate", ("BILL-15",), False),
], ids=["admin-mutates-sandbox", "admin-mutates-real-target-profile", "public-delete-cancels",
        "downgrade-immediate"])
def test_subscriptions_end_as_they_started(fault: str, guarantees: tuple[str, ...], real_target: bool,
                                           tmp_path: Path) -> None:
    with ReferenceServer(tmp_path, faults=(fault,)) as server:
        profile_path = server.profile
        if real_target:
            profile_path = _real_target_like(server.profile, tmp_path / "real-target-like.toml")
        profile = tomllib.loads(profile_path.read_text(encoding="utf-8"))
        before = _states(profile)
        reports = tmp_path / "reports"
        only = [f"--guarantee={g}" for g in guarantees]
        done = cli("run", "--profile", str(profile_path), *only, "--reports-dir", str(reports))
        after = _states(profile)
    assert done.returncode == 1, f"expected exit 1 (the fault's violation), got {done.returncode}:\n{tail(done)}"
    verdicts = {g["id"]: g["verdict"] for g in compliance(reports)["guarantees"]}
    assert all(verdicts.get(g) == "failed" for g in guarantees), {g: verdicts.get(g) for g in guarantees}
    assert after == before, f"subscriptions changed by the run:\nbefore {before}\nafter  {after}\n{tail(done)}"
    notes = compliance(reports)["notes"]
    assert not [n for n in notes if "billing:" in n], notes


@pytest.mark.slow
def test_clean_run_of_the_mutating_billing_checks_changes_nothing(tmp_path: Path) -> None:
    mutating = ("ROLE-03", "ROLE-05", "BILL-13", "BILL-14", "BILL-15", "BILL-16", "BILL-17", "BILL-18",
                "PLAN-02", "PLAN-05", "PLAN-14", "TEAM-22", "TEAM-24")
    with ReferenceServer(tmp_path) as server:
        profile = tomllib.loads(server.profile.read_text(encoding="utf-8"))
        before = _states(profile)
        reports = tmp_path / "reports"
        done = cli("run", "--profile", str(server.profile), *[f"--guarantee={g}" for g in mutating],
                   "--reports-dir", str(reports))
        after = _states(profile)
    assert done.returncode == 0, f"exit {done.returncode}:\n{tail(done)}"
    assert after == before, f"subscriptions changed by a clean run:\nbefore {before}\nafter  {after}"
