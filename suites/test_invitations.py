"""Team invitations in the console (INV-01..13, facts §12, G21): inviting anyone, duplicates, `mine`, accepting
by id or by the e-mail link's token, the wrong addressee, accepting twice, expiry, resending, revoking.

Invitations are sent by the owner to the profile's `[other_team]` (a team of the owner nobody else belongs to)
or to `[team]` (for an existing member); the addressees are fresh addresses without an account or the
profile's own identities. Every pending invitation is revoked when its check ends, and an identity that joined
leaves again. The e-mail token (INV-02, INV-04) and expiry (INV-03) checks need the sandbox (its outbox and
clock).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.clients import Actor, Harness
from fixtures.errors import HarnessError
from fixtures.factories import DataFactory
from msgflash_compliance.profile import OtherTeam, TargetProfile, Team
from suites.areas.common import missing_fields, require_sandbox
from suites.areas.sandbox import advance_clock, outbox, reset_clock
from suites.areas.shapes import MY_INVITATION_FIELDS
from suites.areas.teams import (
    ACCEPT,
    MINE,
    TEAMS,
    Invitations,
    accept_by_id,
    console,
    email_of,
    fresh_email,
    leave,
)

pytestmark = pytest.mark.serial  # checked alone: moves the clock, changes the team's members

INVITATION_TTL = timedelta(hours=24)
CLOCK_SLACK = timedelta(minutes=1)
INVITATION_MAIL = "team_invitation"


@pytest.fixture
def invitations(owner: Actor) -> Iterator[Invitations]:
    sent = Invitations(owner)
    yield sent
    sent.revoke_all()


def _when(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise HarnessError(f"not an ISO 8601 timestamp: {value!r}") from None


@pytest.mark.smoke
@pytest.mark.guarantee("INV-13", "INV-12")
def test_anyone_can_be_invited_and_uninvited(owner: Actor, other_team: OtherTeam, factory: DataFactory,
                                             invitations: Invitations) -> None:
    response = invitations.post(other_team.id, fresh_email(factory))
    invitation = expect_ok(response, 201, guarantee="INV-13")
    revoked = console(owner).delete(f"{TEAMS}/{other_team.id}/invitations/{invitation['id']}")
    check(revoked.status_code == 204, f"DELETE {TEAMS}/{{teamId}}/invitations/{{id}} answered "
          f"{revoked.status_code}, expected 204", guarantee="INV-12")


@pytest.mark.guarantee("INV-11")
def test_a_second_pending_invitation_is_a_conflict(other_team: OtherTeam, factory: DataFactory,
                                                   invitations: Invitations) -> None:
    email = fresh_email(factory)
    invitations.invite(other_team.id, email)
    expect_error(invitations.post(other_team.id, email), 409, "CONFLICT", guarantee="INV-11")


@pytest.mark.guarantee("INV-10")
def test_inviting_a_member_is_refused(collaborator: Actor, team: Team, invitations: Invitations) -> None:
    response = invitations.post(team.id, email_of(collaborator))
    expect_error(response, 409, "INVITE_DUPLICATE_MEMBER", guarantee="INV-10")


@pytest.mark.guarantee("INV-08")
def test_my_invitations_are_listed(admin: Actor, other_team: OtherTeam, invitations: Invitations) -> None:
    invitation = invitations.invite(other_team.id, email_of(admin), "admin")
    mine = expect_ok(console(admin).get(MINE), guarantee="INV-08")
    check(isinstance(mine, list), f"GET {MINE}: data is not a list", guarantee="INV-08")
    rows = [m for m in mine if isinstance(m, dict) and invitation["id"] in (m.get("invitationId"), m.get("id"))]
    check(len(rows) == 1, f"GET {MINE}: the pending invitation is not listed once", guarantee="INV-08")
    missing = missing_fields(rows[0], MY_INVITATION_FIELDS)
    check(not missing, f"GET {MINE}: the item lacks {missing}", guarantee="INV-08")
    check(rows[0]["teamId"] == other_team.id and rows[0]["role"] == "admin",
          f"GET {MINE}: teamId or role differ ({rows[0]['teamId']!r}, {rows[0]['role']!r})", guarantee="INV-08")


@pytest.mark.guarantee("INV-05")
def test_an_invitation_for_someone_else_is_refused(collaborator: Actor, other_team: OtherTeam,
                                                   factory: DataFactory, invitations: Invitations) -> None:
    invitation = invitations.invite(other_team.id, fresh_email(factory))
    response = accept_by_id(collaborator, invitation["id"])
    if response.status_code == 200:  # wrongly joined: leave again
        leave(collaborator, other_team.id)
    expect_error(response, 403, "INVITE_EMAIL_MISMATCH", guarantee="INV-05")


@pytest.mark.guarantee("INV-07")
@pytest.mark.parametrize("case", ["both", "neither"])
def test_accept_takes_exactly_one_of_token_and_id(case: str, collaborator: Actor, other_team: OtherTeam,
                                                  harness: Harness, profile: TargetProfile,
                                                  invitations: Invitations) -> None:
    """"both": the invitation is the collaborator's own, so a server that uses the id and ignores the token joins;
    on a sandbox the token is the e-mailed one too, so ignoring the id joins as well."""
    invitation = invitations.invite(other_team.id, email_of(collaborator))
    token = _token(harness, email_of(collaborator), invitation["id"]) if profile.sandbox.enabled else "x" * 43
    body = {"token": token, "invitationId": invitation["id"]} if case == "both" else {}
    response = console(collaborator).post(ACCEPT, json=body)
    if response.status_code == 200:  # wrongly joined: leave again
        leave(collaborator, other_team.id)
    expect_error(response, range(400, 500), None, guarantee="INV-07")


@pytest.mark.guarantee("INV-01", "INV-06")
def test_accepting_by_id_and_accepting_twice(admin: Actor, other_team: OtherTeam,
                                             invitations: Invitations) -> None:
    invitation = invitations.invite(other_team.id, email_of(admin), "collaborator")
    try:
        accepted = expect_ok(accept_by_id(admin, invitation["id"]), guarantee="INV-01")
        check(accepted.get("teamId") == other_team.id and accepted.get("role") == "collaborator",
              f"POST {ACCEPT}: expected {{teamId: <the team>, role: collaborator}}, got {accepted}",
              guarantee="INV-01")
        expect_error(accept_by_id(admin, invitation["id"]), 409, "INVITE_DUPLICATE_MEMBER", guarantee="INV-06")
    finally:
        leave(admin, other_team.id)


@pytest.mark.guarantee("INV-09")
def test_a_resent_invitation_lasts_24_hours_again(owner: Actor, other_team: OtherTeam, factory: DataFactory,
                                                  invitations: Invitations) -> None:
    first = invitations.invite(other_team.id, fresh_email(factory))
    response = console(owner).post(f"{TEAMS}/{other_team.id}/invitations/{first['id']}/resend")
    invitations.remember(other_team.id, response)
    resent = expect_ok(response, (200, 201), guarantee="INV-09")
    new_expiry, old_expiry = _when(resent.get("expiresAt")), _when(first["expiresAt"])
    check(new_expiry > old_expiry, f"the resent invitation expires at {resent.get('expiresAt')}, not later than "
          f"the first one ({first['expiresAt']}); a resend gives a new 24 h", guarantee="INV-09")
    created = _when(resent.get("createdAt", first["createdAt"]))
    check(abs(new_expiry - created - INVITATION_TTL) <= CLOCK_SLACK,
          f"the resent invitation expires {new_expiry - created} after it was made, expected 24 h",
          guarantee="INV-09")


# -- sandbox: the e-mail link's token, and expiry -----------------------------------------------------------


def _token(harness: Harness, email: str, invitation_id: str) -> str:
    for mail in outbox(harness, email, INVITATION_MAIL):
        if mail.get("invitationId") == invitation_id and isinstance(mail.get("token"), str):
            return mail["token"]
    raise HarnessError(f"no invitation e-mail in the sandbox outbox for invitation {invitation_id}")


@pytest.mark.guarantee("INV-02")
def test_accepting_with_the_emailed_token(admin: Actor, other_team: OtherTeam, harness: Harness,
                                          profile: TargetProfile, invitations: Invitations) -> None:
    require_sandbox(profile, "reading the invitation e-mail (the outbox)")
    invitation = invitations.invite(other_team.id, email_of(admin), "collaborator")
    token = _token(harness, email_of(admin), invitation["id"])
    try:
        accepted = expect_ok(console(admin).post(ACCEPT, json={"token": token}), guarantee="INV-02")
        check(accepted.get("teamId") == other_team.id, f"POST {ACCEPT} with the e-mailed token: teamId "
              f"{accepted.get('teamId')!r}", guarantee="INV-02")
    finally:
        leave(admin, other_team.id)


@pytest.mark.guarantee("INV-04")
def test_the_old_link_dies_when_resent(owner: Actor, admin: Actor, other_team: OtherTeam, harness: Harness,
                                       profile: TargetProfile, invitations: Invitations) -> None:
    require_sandbox(profile, "reading the invitation e-mail (the outbox)")
    first = invitations.invite(other_team.id, email_of(admin), "collaborator")
    old_token = _token(harness, email_of(admin), first["id"])
    response = console(owner).post(f"{TEAMS}/{other_team.id}/invitations/{first['id']}/resend")
    invitations.remember(other_team.id, response)
    expect_ok(response, (200, 201), guarantee="INV-04")
    answer = console(admin).post(ACCEPT, json={"token": old_token})
    if answer.status_code == 200:
        leave(admin, other_team.id)
    expect_error(answer, 410, "INVITE_INVALID_OR_EXPIRED", guarantee="INV-04")


@pytest.mark.guarantee("INV-03")
def test_an_invitation_expires_after_24_hours(owner: Actor, admin: Actor, other_team: OtherTeam,
                                              harness: Harness, profile: TargetProfile,
                                              invitations: Invitations) -> None:
    """The invitation is made with the server clock 25 h back, then the clock returns to now (sessions are
    opened first, at real time, so they stay valid)."""
    require_sandbox(profile, "moving the server clock")
    _ = owner.jwt, admin.jwt  # log in now, before the clock moves
    advance_clock(harness, -(INVITATION_TTL + timedelta(hours=1)).total_seconds())
    try:
        invitation = invitations.invite(other_team.id, email_of(admin), "collaborator")
    finally:
        reset_clock(harness)
    answer = accept_by_id(admin, invitation["id"])
    if answer.status_code == 200:
        leave(admin, other_team.id)
    expect_error(answer, 410, "INVITE_INVALID_OR_EXPIRED", guarantee="INV-03")
