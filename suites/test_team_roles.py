"""Team role rules on the console team routes (ROLE-09..18, facts §3, §12; [S] mostly, so SHOULD): team API
keys (owner and admin only), sending through team instances (ROLE-11/12), leaving, removing the owner, deleting
the team, what a collaborator may not manage, instance assignments.

Checks that could change a team when a target gets them wrong (leaving, removing the owner, deleting) run on the
profile's `[other_team]` with the identity joined for the check only; the others use `[team]`, where admin and
collaborator are members. Anything a wrong answer creates (a key, an invitation, an assignment) is removed.
ROLE-11 needs a collaborator acting through a team key, which the seeded identities cannot have (team keys act
as whoever created them, and only owners and admins create them): it runs only against the sandbox, where the
admin is made a collaborator for the check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.checks import json_body
from fixtures.clients import Actor
from fixtures.errors import HarnessError, not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.profile import OtherTeam, TargetProfile, Team
from suites.areas.common import connected_instance, require_sandbox, require_send
from suites.areas.teams import (
    TEAMS,
    Invitations,
    accept_by_id,
    console,
    email_of,
    fresh_email,
    joined,
    leave,
    member_id,
    team_detail,
)
from suites.key_scoping.controls import expect_control

pytestmark = pytest.mark.serial  # checked alone: changes the members' roles

SEND = "/api/v1/messages/send"
DENIED = "TEAM_ACCESS_DENIED"
SEND_STATUSES = (200, 201, 202)


def _keys(team_id: str) -> str:
    return f"{TEAMS}/{team_id}/api-keys"


def _revoke_created_key(response: httpx.Response, owner: Actor, team_id: str) -> None:
    data = (json_body(response) or {}).get("data") if response.status_code in (200, 201) else None
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        console(owner).delete(f"{_keys(team_id)}/{data['id']}")


# -- team API keys -------------------------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.guarantee("ROLE-09")
@pytest.mark.parametrize("route", ["legacy", "unified"])
def test_a_collaborator_cannot_create_team_keys(route: str, collaborator: Actor, owner: Actor, team: Team,
                                                factory: DataFactory) -> None:
    body = {"name": factory.name("key")}
    if route == "legacy":
        response = console(collaborator).post(_keys(team.id), json=body)
    else:
        response = collaborator.client("console", team_id=team.id).post("/api/api-keys", json=body)
    _revoke_created_key(response, owner, team.id)
    expect_error(response, 403, DENIED, guarantee="ROLE-09")


@pytest.mark.guarantee("ROLE-10")
def test_an_admin_creates_team_keys(admin: Actor, team: Team, factory: DataFactory) -> None:
    response = console(admin).post(_keys(team.id), json={"name": factory.name("key")})
    created = expect_ok(response, 201, guarantee="ROLE-10")
    revoked = console(admin).delete(f"{_keys(team.id)}/{created.get('id')}")
    secret = created.get("secret") if isinstance(created, dict) else None
    check(isinstance(secret, str) and secret.startswith("msgf_team_"),
          "POST /api/teams/{teamId}/api-keys as admin: the secret does not start with msgf_team_",
          guarantee="ROLE-10")
    check(revoked.status_code in (200, 204), f"the admin could not revoke the team key it created "
          f"({revoked.status_code})", guarantee="ROLE-10")


# -- sending through team instances --------------------------------------------------------------------------


@pytest.mark.guarantee("ROLE-12")
def test_an_admin_sends_through_a_team_instance(team_client: httpx.Client, factory: DataFactory,
                                                profile: TargetProfile) -> None:
    """The profile's team key acts for the admin who created it (the seeded one does)."""
    require_send(profile, "sending through a team instance")
    instance = connected_instance(team_client)["id"]
    body = {"instanceId": instance, "to": factory.phone(), "type": "text", "text": factory.name("message")}
    expect_ok(team_client.post(SEND, json=body), SEND_STATUSES, guarantee="ROLE-12")


@pytest.fixture
def admin_as_collaborator(owner: Actor, admin: Actor, team: Team, profile: TargetProfile) -> Iterator[None]:
    """Sandbox: the admin leaves the team and comes back as a collaborator for the check, then as an admin."""
    require_sandbox(profile, "changing a member's role in the profile's team")
    invitations = Invitations(owner)
    try:
        left = leave(admin, team.id)
        if left.status_code != 204:
            raise HarnessError(f"control failed (the admin leaves the team): answered {left.status_code}")
        invitation = invitations.invite(team.id, email_of(admin), "collaborator")
        expect_control(accept_by_id(admin, invitation["id"]), "the admin rejoins as a collaborator")
        yield
    finally:
        leave(admin, team.id)
        again = invitations.invite(team.id, email_of(admin), "admin")
        expect_control(accept_by_id(admin, again["id"]), "the admin rejoins as an admin")
        invitations.revoke_all()


@pytest.mark.guarantee("ROLE-11")
def test_a_collaborator_uses_assigned_instances_only(team_client: httpx.Client, factory: DataFactory,
                                                     profile: TargetProfile, admin_as_collaborator: None) -> None:
    require_send(profile, "a send the assignment check fails to refuse")
    instance = connected_instance(team_client)["id"]
    body = {"instanceId": instance, "to": factory.phone(), "type": "text", "text": factory.name("message")}
    expect_error(team_client.post(SEND, json=body), 403, "INSTANCE_NOT_ASSIGNED", guarantee="ROLE-11")


# -- leaving, removing, deleting (on [other_team]) -----------------------------------------------------------


@pytest.mark.guarantee("ROLE-13")
def test_the_owner_cannot_leave(owner: Actor, other_team: OtherTeam) -> None:
    expect_error(leave(owner, other_team.id), 400, "BAD_REQUEST", guarantee="ROLE-13")


@pytest.mark.guarantee("ROLE-14")
@pytest.mark.parametrize("role", ["admin", "collaborator"])
def test_members_can_leave(role: str, owner: Actor, identities: dict[str, Actor],
                           other_team: OtherTeam) -> None:
    member = identities.get(role) or not_covered(f"the profile has no [identities.{role}]")
    with joined(owner, member, other_team.id, role):
        response = leave(member, other_team.id)
        check(response.status_code == 204, f"POST {TEAMS}/{{teamId}}/members/leave as {role} answered "
              f"{response.status_code}, expected 204", guarantee="ROLE-14")
        gone = console(member).get(f"{TEAMS}/{other_team.id}")
        check(gone.status_code == 404, f"after leaving, GET {TEAMS}/{{teamId}} as the former {role} answered "
              f"{gone.status_code}, expected 404", guarantee="ROLE-14")


@pytest.mark.guarantee("ROLE-15")
def test_an_admin_cannot_remove_the_owner(owner: Actor, admin: Actor, other_team: OtherTeam) -> None:
    owner_id = team_detail(owner, other_team.id)["ownerUserId"]
    with joined(owner, admin, other_team.id, "admin"):
        response = console(admin).delete(f"{TEAMS}/{other_team.id}/members/{owner_id}")
        expect_error(response, 403, DENIED, guarantee="ROLE-15")


@pytest.mark.guarantee("ROLE-16")
@pytest.mark.parametrize("role", ["admin", "collaborator"])
def test_only_the_owner_deletes_the_team(role: str, owner: Actor, identities: dict[str, Actor],
                                         other_team: OtherTeam) -> None:
    member = identities.get(role) or not_covered(f"the profile has no [identities.{role}]")
    with joined(owner, member, other_team.id, role):
        response = console(member).delete(f"{TEAMS}/{other_team.id}")
        expect_error(response, 403, DENIED, guarantee="ROLE-16")


# -- what a collaborator may not manage (on [team]) ----------------------------------------------------------


@pytest.mark.guarantee("ROLE-17")
@pytest.mark.parametrize("action", ["invite", "remove-member", "assign-instance", "rename"])
def test_a_collaborator_cannot_manage_the_team(action: str, owner: Actor, collaborator: Actor, team: Team,
                                               team_client: httpx.Client, factory: DataFactory) -> None:
    client = console(collaborator)
    undo: list[Any] = []
    try:
        if action == "invite":
            invitations = Invitations(owner)
            undo.append(invitations.revoke_all)
            response = invitations.post(team.id, fresh_email(factory), client=client)
        elif action == "remove-member":  # the owner: a wrongly allowed removal still cannot touch the owner
            response = client.delete(f"{TEAMS}/{team.id}/members/{team_detail(owner, team.id)['ownerUserId']}")
        elif action == "assign-instance":
            body = {"instanceId": connected_instance(team_client)["id"],
                    "memberUserId": member_id(owner, team.id, email_of(collaborator))}
            response = client.post(f"{TEAMS}/{team.id}/instance-assignments", json=body)
            undo.append(lambda: console(owner).delete(f"{TEAMS}/{team.id}/instance-assignments", params=body))
        else:  # the team's own name: a wrongly allowed rename changes nothing
            response = client.patch(f"{TEAMS}/{team.id}", json={"name": team_detail(owner, team.id)["name"]})
        expect_error(response, 403, DENIED, guarantee="ROLE-17")
    finally:
        for step in undo:
            step()


@pytest.mark.guarantee("ROLE-18")
@pytest.mark.parametrize("manager", ["owner", "admin"])
def test_managers_assign_and_unassign_instances(manager: str, owner: Actor, collaborator: Actor,
                                                identities: dict[str, Actor], team: Team,
                                                team_client: httpx.Client) -> None:
    actor = identities.get(manager) or not_covered(f"the profile has no [identities.{manager}]")
    params = {"instanceId": connected_instance(team_client)["id"],
              "memberUserId": member_id(owner, team.id, email_of(collaborator))}
    path = f"{TEAMS}/{team.id}/instance-assignments"
    assigned = console(actor).post(path, json=params)
    check(assigned.status_code == 204, f"POST {path} as {manager} answered {assigned.status_code}, expected 204",
          guarantee="ROLE-18")
    unassigned = console(actor).delete(path, params=params)
    check(unassigned.status_code == 204, f"DELETE {path}?instanceId=&memberUserId= as {manager} answered "
          f"{unassigned.status_code}, expected 204", guarantee="ROLE-18")
