"""Team context beyond who may call what (the matrix is in test_key_scoping.py): team traffic is counted on
the team owner (TEAM-11), the owner's plan governs the team (TEAM-12), and the rules for creating teams and
filling their seats (TEAM-20..28, console `/api/teams`, mostly [S]: SHOULD).

Creating teams changes an account, so those checks run against a sandbox, as the admin put on Pro or Plus for
the check; TEAM-20 and TEAM-21 also run against a real target whose identities already are where they start
(refused requests create nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.checks import error_code_of, json_body
from fixtures.clients import Actor, Harness
from fixtures.errors import not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.contract.plans import TeamCaps, plan
from msgflash_compliance.profile import TargetProfile
from suites.key_scoping.controls import expect_control
from suites.key_scoping.sandbox_controls import api_requests, plan_code, sandbox_api_requests, sandbox_plan
from suites.routes import route

pytestmark = pytest.mark.serial  # checked alone: moves plans

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
    previous, used = plan_code(owner), api_requests(owner)
    sandbox_plan(harness, owner.email, "free")
    sandbox_api_requests(harness, owner.email, 0)  # Free's small API quota must not answer first
    try:
        response = team_client.post(request.path, json=body)
        expect_error(response, 403, "CAMPAIGNS_NOT_AVAILABLE_ON_PLAN", guarantee="TEAM-12")
    finally:
        sandbox_plan(harness, owner.email, previous)
        sandbox_api_requests(harness, owner.email, used + 2)


# -- creating teams (TEAM-20..28, console /api/teams) -------------------------------------------------------

TEAMS_PATH = "/api/teams"


def _console(actor: Actor) -> httpx.Client:
    if not actor.identity.has_console:
        not_covered(f"identity {actor.name} has no console credentials (jwt or email+password)")
    return actor.console


def _invite(factory: DataFactory, role: str = "collaborator") -> dict[str, str]:
    return {"email": f"{factory.name('invitee')}@example.com", "role": role}


def _cap(settings, code: str) -> TeamCaps:
    try:
        caps = plan(settings, code).limits.teams
    except KeyError:
        not_covered(f"the plan line-up {settings.plan_lineup} has no plan {code!r}")
    if caps is None:
        not_covered(f"plan {code!r} cannot own teams in this line-up")
    return caps


class TeamMaker:
    """Creates teams as one console user and deletes them (at the end of the check, and again at run end)."""

    def __init__(self, console: httpx.Client, factory: DataFactory) -> None:
        self.console, self.factory, self.made = console, factory, []

    def post(self, invites: list[dict[str, str]], name: str | None = None) -> httpx.Response:
        body = {"name": name or self.factory.name("team"), "invites": invites}
        response = self.console.post(TEAMS_PATH, json=body)
        data = (json_body(response) or {}).get("data") if response.status_code == 201 else None
        if isinstance(data, dict) and isinstance(data.get("id"), str):  # made, rightly or wrongly
            self.made.append(data["id"])
            self.factory.track(self.console, "team", f"{TEAMS_PATH}/{data['id']}", data["id"])  # type: ignore[arg-type]
        return response

    def create(self, invites: int = 1) -> dict[str, Any]:
        response = self.post([_invite(self.factory) for _ in range(invites)])
        return expect_control(response, "create a team", status=201)

    def delete_all(self) -> None:
        for team_id in self.made:
            self.console.delete(f"{TEAMS_PATH}/{team_id}")
        self.made.clear()


@pytest.fixture
def team_maker(admin: Actor, profile: TargetProfile, harness: Harness, factory: DataFactory
               ) -> Iterator[Callable[[str], TeamMaker]]:
    """Sandbox only: `team_maker("pro")` puts the admin on that plan and makes teams as the admin; the plan
    and the teams are put back afterwards."""
    if not profile.sandbox.enabled:
        not_covered("creating teams changes the account: only against a sandbox ([sandbox] enabled = true)")
    if admin.email is None:
        not_covered("needs the admin's email (the sandbox plan control names accounts by e-mail)")
    previous = plan_code(admin)
    maker = TeamMaker(_console(admin), factory)

    def on_plan(code: str) -> TeamMaker:
        sandbox_plan(harness, admin.email, code)
        return maker

    yield on_plan
    maker.delete_all()
    sandbox_plan(harness, admin.email, previous)


@pytest.mark.guarantee("TEAM-20")
def test_team_needs_pro_or_plus(outsider: Actor, factory: DataFactory, settings) -> None:
    code = plan_code(outsider)
    if plan(settings, code).limits.teams is not None:
        not_covered(f"the outsider is on {code!r}, a plan that may own teams")
    maker = TeamMaker(_console(outsider), factory)
    try:
        response = maker.post([_invite(factory)])
        expect_error(response, 403, "TEAM_FEATURE_UNAVAILABLE", guarantee="TEAM-20")
    finally:
        maker.delete_all()


def _owned(console: httpx.Client) -> int:
    teams = expect_control(console.get(TEAMS_PATH), "list my teams")
    rows = teams if isinstance(teams, list) else (teams or {}).get("teams", [])
    return sum(1 for t in rows if isinstance(t, dict) and (t.get("isOwner") or t.get("role") == "owner"))


@pytest.mark.guarantee("TEAM-21")
def test_pro_owner_at_the_team_cap_is_refused(owner: Actor, factory: DataFactory, settings) -> None:
    """Black-box when the owner already is where the guarantee starts (Pro, owning the cap of teams)."""
    caps, console = _cap(settings, "pro"), _console(owner)
    if plan_code(owner) != "pro" or _owned(console) < caps.maxOwnedTeams:
        not_covered(f"needs the owner on Pro already owning {caps.maxOwnedTeams} teams (the sandbox seed)")
    maker = TeamMaker(console, factory)
    try:
        expect_error(maker.post([_invite(factory)]), 403, "TEAM_LIMIT_REACHED", guarantee="TEAM-21")
    finally:
        maker.delete_all()


@pytest.mark.guarantee("TEAM-22")
def test_plus_owner_at_the_team_cap_is_refused(team_maker, settings) -> None:
    caps = _cap(settings, "plus")
    maker = team_maker("plus")
    for _ in range(caps.maxOwnedTeams - _owned(maker.console)):
        maker.create()
    expect_error(maker.post([_invite(maker.factory)]), 403, "TEAM_LIMIT_REACHED", guarantee="TEAM-22")


@pytest.mark.guarantee("TEAM-23", "TEAM-24")
@pytest.mark.parametrize(("code", "guarantee"), [("pro", "TEAM-23"), ("plus", "TEAM-24")])
def test_a_full_team_refuses_one_more_invitation(team_maker, settings, code: str, guarantee: str) -> None:
    """Seats count the owner, members and pending invitations (G21): fill them, then invite one more."""
    caps = _cap(settings, code)
    maker = team_maker(code)
    team = maker.create(invites=caps.seatsPerTeam - 1)  # owner + pending invitations = every seat
    response = maker.console.post(f"{TEAMS_PATH}/{team['id']}/invitations", json=_invite(maker.factory))
    expect_error(response, 403, "TEAM_SEAT_LIMIT_REACHED", guarantee=guarantee)


@pytest.mark.guarantee("TEAM-25", "TEAM-26")
@pytest.mark.parametrize("case", ["no-invitation", "duplicate-invitations", "inviting-yourself"])
def test_team_creation_refuses_bad_invitation_lists(team_maker, admin: Actor, case: str) -> None:
    maker = team_maker("pro")
    one = _invite(maker.factory)
    invites = {"no-invitation": [], "duplicate-invitations": [one, dict(one)],
               "inviting-yourself": [{"email": admin.email, "role": "collaborator"}]}[case]
    guarantee = "TEAM-25" if case == "no-invitation" else "TEAM-26"
    expect_error(maker.post(invites), 400, "BAD_REQUEST", guarantee=guarantee)


@pytest.mark.guarantee("TEAM-27")
def test_team_creation_returns_the_full_team(team_maker, admin: Actor) -> None:
    maker = team_maker("pro")
    invite = _invite(maker.factory)
    data = expect_ok(maker.post([invite]), 201, guarantee="TEAM-27")
    members = data.get("members") if isinstance(data, dict) else None
    pending = data.get("pendingInvitations") if isinstance(data, dict) else None
    check(isinstance(members, list) and isinstance(pending, list),
          "POST /api/teams: data lacks members or pendingInvitations", guarantee="TEAM-27")
    owners = [m for m in members if isinstance(m, dict) and m.get("role") == "owner"]
    owner_email = owners[0].get("email", admin.email) if len(owners) == 1 else None
    check(owner_email == admin.email,
          f"POST /api/teams: the requester is not the one owner among the members ({len(owners)} owners)",
          guarantee="TEAM-27")
    check(any(isinstance(p, dict) and p.get("email") == invite["email"] for p in pending),
          "POST /api/teams: the invitation sent is not among pendingInvitations", guarantee="TEAM-27")


@pytest.mark.guarantee("TEAM-28")
def test_nobody_is_invited_as_owner(team_maker) -> None:
    maker = team_maker("pro")
    team = maker.create()
    as_owner = _invite(maker.factory, "owner")
    response = maker.console.post(f"{TEAMS_PATH}/{team['id']}/invitations", json=as_owner)
    check(400 <= response.status_code < 500 and error_code_of(response) is not None,
          f"POST {TEAMS_PATH}/{{teamId}}/invitations with role owner answered {response.status_code} "
          f"{error_code_of(response) or ''}; expected a refusal with an error envelope", guarantee="TEAM-28")
