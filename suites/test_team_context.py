"""Team context on the public API beyond who may call what (the matrix in test_key_scoping.py):
team traffic is counted on the team owner (TEAM-11), and the owner's plan governs the team (TEAM-12).
"""

from __future__ import annotations

import httpx
import pytest

from fixtures.assertions import check, expect_error
from fixtures.clients import Actor, Harness
from fixtures.errors import not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.profile import TargetProfile
from suites.key_scoping.controls import expect_control
from suites.key_scoping.sandbox_controls import plan_code, sandbox_plan
from suites.routes import route

TEAM_CALLS = 3  # team-key requests between the two usage reads: enough to tell owner from key holder
USAGE_PATH = "/api/v1/usage"


def _api_requests(owner: Actor) -> int:
    data = expect_control(owner.api.get(USAGE_PATH), "the owner's usage")
    count = (data.get("usage") or {}).get("apiRequestsCount") if isinstance(data, dict) else None
    check(isinstance(count, int), f"GET {USAGE_PATH}: data.usage.apiRequestsCount is not an integer",
          guarantee="TEAM-11")
    return count


@pytest.mark.smoke
@pytest.mark.guarantee("TEAM-11")
def test_team_key_traffic_counts_on_the_owner(owner: Actor, team_client: httpx.Client) -> None:
    # Other traffic of the owner's account (a concurrent run) only adds to the count: assert at least.
    before = _api_requests(owner)
    for _ in range(TEAM_CALLS):
        expect_control(team_client.get("/api/v1/contacts", params={"limit": 1}), "a team-key workspace call")
    after = _api_requests(owner)
    check(after - before >= TEAM_CALLS,
          f"{TEAM_CALLS} successful team-key requests raised the team owner's apiRequestsCount by only "
          f"{after - before} ({before} -> {after}); team traffic must count on the owner's quota",
          guarantee="TEAM-11")


@pytest.mark.guarantee("TEAM-12")
def test_owner_plan_governs_the_team(profile: TargetProfile, harness: Harness, owner: Actor,
                                     team_client: httpx.Client, factory: DataFactory) -> None:
    if not profile.sandbox.enabled:
        not_covered("needs the owner on a plan without campaigns: only against a sandbox")
    if owner.email is None:
        not_covered("needs the owner's email (the sandbox plan control names accounts by e-mail)")
    instances = expect_control(team_client.get("/api/v1/instances"), "the team's instances")
    request = route("POST /api/v1/campaigns").request(factory.name)
    body = dict(request.json or {})
    if isinstance(instances, list) and instances and isinstance(instances[0], dict):
        body["instanceId"] = instances[0]["id"]  # a real team instance: only the plan can refuse it
    previous = plan_code(owner)
    sandbox_plan(harness, owner.email, "free")
    try:
        response = team_client.post(request.path, json=body)
        expect_error(response, 403, "CAMPAIGNS_NOT_AVAILABLE_ON_PLAN", guarantee="TEAM-12")
    finally:
        sandbox_plan(harness, owner.email, previous)
