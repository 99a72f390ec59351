"""The console's X-Team-Id (TEAM-14..19): a console resource route (`GET /api/contacts`, reference choice G20)
acts in the team named by X-Team-Id only for an active member of a live team; anything else is 404
TEAM_NOT_FOUND. Without the header it is the personal workspace; `/api/auth/*` ignores the header.

Removing a member and deleting a team change shared state, so those two run only against a sandbox.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.checks import error_code_of
from fixtures.clients import Actor
from fixtures.errors import ContractViolation, HarnessError, not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.profile import TargetProfile
from suites.key_scoping.console_keys import create_key, team_keys_path
from suites.key_scoping.controls import expect_control
from suites.key_scoping.sandbox_controls import plan_code, sandbox_plan

pytestmark = pytest.mark.serial  # checked alone: changes the teams' members

RESOURCE_PATH = "/api/contacts"
AUTH_ME_PATH = "/api/auth/me"
LOGIN_PATH = "/api/auth/login"


def _console(actor: Actor, team_id: str | None = None) -> httpx.Client:
    if not actor.identity.has_console:
        not_covered(f"identity {actor.name} has no console credentials (jwt or email+password)")
    return actor.client("console", team_id=team_id)


def _setup(response: httpx.Response, statuses: tuple[int, ...], what: str) -> Any:
    """A setup step's answer: its data, or a broken check saying which step the target refused."""
    if response.status_code in (404, 405) and error_code_of(response) in ("NOT_FOUND", "METHOD_NOT_ALLOWED"):
        not_covered(f"{what}: the target offers no such route ({response.status_code})")
    if response.status_code not in statuses:
        raise HarnessError(f"{what}: answered {response.status_code} {error_code_of(response) or ''}")
    body = response.json() if response.content else {}
    return body.get("data") if isinstance(body, dict) else None


# -- header values that name no team of the caller --------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.guarantee("TEAM-18")
def test_random_team_id_is_team_not_found(owner: Actor, team) -> None:
    expect_control(_console(owner, team.id).get(RESOURCE_PATH), "the owner uses its own team")
    response = _console(owner, str(uuid.uuid4())).get(RESOURCE_PATH)
    expect_error(response, 404, "TEAM_NOT_FOUND", guarantee="TEAM-18")


@pytest.mark.guarantee("TEAM-14")
@pytest.mark.parametrize("who", ["outsider-with-team", "admin-with-other-team"])
def test_never_joined_team_is_team_not_found(who: str, identities: dict[str, Actor], profile: TargetProfile
                                             ) -> None:
    name, team_attr = ("outsider", "team") if who == "outsider-with-team" else ("admin", "other_team")
    actor, team = identities.get(name), getattr(profile, team_attr)
    if actor is None or team is None:
        not_covered(f"needs [identities.{name}] and [{team_attr}] in the profile")
    expect_error(_console(actor, team.id).get(RESOURCE_PATH), 404, "TEAM_NOT_FOUND", guarantee="TEAM-14")


# -- no header, and the auth routes ----------------------------------------------------------------------


@pytest.mark.guarantee("TEAM-16")
def test_no_header_is_the_personal_workspace(owner: Actor, harness, factory: DataFactory) -> None:
    if harness.profile.team is None or harness.profile.team.api_key is None:
        not_covered("needs the profile's [team] api_key to plant a team contact")
    try:
        personal, in_team = factory.contact(owner.api), factory.contact(harness.team_client())
    except ContractViolation as err:  # planting is setup, not this check
        raise HarnessError(f"cannot plant the contacts this check looks for: {err}") from None
    console = _console(owner)
    for contact, expected_there in ((personal, True), (in_team, False)):
        data = expect_ok(console.get(RESOURCE_PATH, params={"search": contact["name"]}), guarantee="TEAM-16")
        contacts = data.get("contacts") if isinstance(data, dict) else None
        check(isinstance(contacts, list), f"GET {RESOURCE_PATH}: data.contacts is not a list",
              guarantee="TEAM-16")
        there = any(isinstance(c, dict) and c.get("id") == contact["id"] for c in contacts)
        where = "personal" if expected_there else "team"
        check(there == expected_there,
              f"GET {RESOURCE_PATH} without X-Team-Id: the {where} contact {contact['id']} is "
              f"{'missing' if expected_there else 'listed'}; expected the personal workspace only",
              guarantee="TEAM-16")


@pytest.mark.guarantee("TEAM-17")
def test_auth_routes_ignore_the_header(owner: Actor, harness) -> None:
    bogus = str(uuid.uuid4())
    identity = owner.identity
    if identity.email is not None and identity.password is not None:
        login = harness.client("console.login-probe", headers={"X-Team-Id": bogus})
        body = {"email": identity.email, "password": identity.password.get_secret_value()}
        data = expect_ok(login.post(LOGIN_PATH, json=body), guarantee="TEAM-17")
        token = data.get("token") if isinstance(data, dict) else None
        if isinstance(token, str) and token:
            harness.secrets.add("created.login_jwt", token)
        check(isinstance(token, str) and bool(token),
              f"POST {LOGIN_PATH} with a bogus X-Team-Id: no data.token", guarantee="TEAM-17")
    plain = _console(owner).get(AUTH_ME_PATH)
    with_header = _console(owner, bogus).get(AUTH_ME_PATH)
    check(error_code_of(with_header) != "TEAM_NOT_FOUND" and with_header.status_code == plain.status_code,
          f"GET {AUTH_ME_PATH} with a bogus X-Team-Id answered {with_header.status_code} "
          f"{error_code_of(with_header) or ''}, without it {plain.status_code}: the header is not ignored",
          guarantee="TEAM-17")


# -- sandbox only: a member removed, a team deleted --------------------------------------------------------


def _sandbox(profile: TargetProfile, what: str) -> None:
    if not profile.sandbox.enabled:
        not_covered(f"{what} changes shared state: only against a sandbox ([sandbox] enabled = true)")


def _join(owner: Actor, member: Actor, team_id: str) -> str:
    """Invite `member` to the owner's team and accept as `member`; returns the member's user id."""
    owner_console, member_console = _console(owner), _console(member)
    if member.email is None:
        not_covered(f"identity {member.name} needs an email to be invited")
    _setup(owner_console.post(f"/api/teams/{team_id}/invitations",
                              json={"email": member.email, "role": "collaborator"}), (200, 201), "invite")
    mine = _setup(member_console.get("/api/teams/invitations/mine"), (200,), "list my invitations")
    rows = mine if isinstance(mine, list) else (mine or {}).get("invitations", [])
    invitation = next((r for r in rows if isinstance(r, dict) and r.get("teamId") == team_id), None)
    if invitation is None:
        raise HarnessError("the invitation just sent is not in GET /api/teams/invitations/mine")
    _setup(member_console.post("/api/teams/invitations/accept",
                               json={"invitationId": invitation["invitationId"]}), (200,), "accept")
    me = _setup(member_console.get(AUTH_ME_PATH), (200,), "who am I")
    if not isinstance(me, dict) or not isinstance(me.get("id"), str):
        raise HarnessError(f"GET {AUTH_ME_PATH}: no data.id")
    return me["id"]


@pytest.mark.guarantee("TEAM-15")
def test_removed_member_gets_team_not_found(owner: Actor, outsider: Actor, profile: TargetProfile) -> None:
    """The outsider joins the owner's second team, is removed, then uses its id (sandbox: the seed's
    other_team belongs to the owner)."""
    _sandbox(profile, "removing a member")
    if profile.other_team is None:
        not_covered("needs the profile's [other_team] (owned by the owner in the sandbox seed)")
    team_id = profile.other_team.id
    member_id = _join(owner, outsider, team_id)
    removal = f"/api/teams/{team_id}/members/{member_id}"
    try:
        expect_control(_console(outsider, team_id).get(RESOURCE_PATH), "a new member uses the team")
        _setup(_console(owner).delete(removal), (200, 204), "remove the member")
        response = _console(outsider, team_id).get(RESOURCE_PATH)
        expect_error(response, 404, "TEAM_NOT_FOUND", guarantee="TEAM-15")
    finally:
        _console(owner).delete(removal)  # idempotent: leave the sandbox team as it was


@pytest.mark.guarantee("TEAM-19")
def test_deleted_team_is_team_not_found_and_its_keys_fail(admin: Actor, profile: TargetProfile, harness,
                                                          factory: DataFactory) -> None:
    """The admin (on Pro for the check) creates a team and a team key, deletes the team, then uses both."""
    _sandbox(profile, "deleting a team")
    if admin.email is None:
        not_covered("needs the admin's email (the sandbox plan control names accounts by e-mail)")
    console = _console(admin)
    previous = plan_code(admin)
    sandbox_plan(harness, admin.email, "pro")
    try:
        invite = {"email": f"{factory.name('invitee')}@example.com", "role": "collaborator"}
        created = _setup(console.post("/api/teams", json={"name": factory.name("team"), "invites": [invite]}),
                         (201,), "create a team")
        team_id = created["id"]
        try:
            key = create_key(console, factory, team_keys_path(team_id), label="created.deleted_team_key")
            team_key = harness.client("probe.deleted-team-key",
                                      headers={"x-api-key": key.secret, "X-Team-Id": team_id})
            expect_control(team_key.get("/api/v1/contacts"), "the new team's key works")
            expect_control(_console(admin, team_id).get(RESOURCE_PATH), "the new team opens in the console")
            _setup(console.delete(f"/api/teams/{team_id}"), (200, 204), "delete the team")
            gone = _console(admin, team_id).get(RESOURCE_PATH)
            expect_error(gone, 404, "TEAM_NOT_FOUND", guarantee="TEAM-19")
            expect_error(team_key.get("/api/v1/contacts"), 401, "UNAUTHORIZED", guarantee="TEAM-19")
        finally:
            console.delete(f"/api/teams/{team_id}")  # idempotent: never leave the team behind
    finally:
        sandbox_plan(harness, admin.email, previous)
