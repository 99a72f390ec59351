"""Console team helpers of the invitation and role suites (facts §12): the team's detail and member ids,
invitations that are revoked when the check ends, and bringing a profile identity into a team for one check
(invite + accept by id) and out again (leave).

Checks run on the profile's teams: the owner's `[team]` (owner, admin and collaborator are members) and
`[other_team]` (an owner's team nobody else belongs to, which a check may let someone join for its duration).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from fixtures.checks import json_body
from fixtures.clients import Actor
from fixtures.errors import HarnessError, not_covered
from fixtures.factories import DataFactory
from suites.key_scoping.controls import expect_control

TEAMS = "/api/teams"
MINE = f"{TEAMS}/invitations/mine"
ACCEPT = f"{TEAMS}/invitations/accept"


def console(actor: Actor) -> httpx.Client:
    if not actor.identity.has_console:
        not_covered(f"identity {actor.name} has no console credentials (jwt or email+password)")
    return actor.console


def email_of(actor: Actor) -> str:
    if actor.email is None:
        not_covered(f"needs the {actor.name}'s e-mail address")
    return str(actor.email)


def team_detail(owner: Actor, team_id: str) -> dict[str, Any]:
    data = expect_control(console(owner).get(f"{TEAMS}/{team_id}"), "read the team as its owner")
    if not isinstance(data, dict):
        raise HarnessError(f"GET {TEAMS}/{{teamId}}: data is not an object")
    return data


def member_id(owner: Actor, team_id: str, email: str) -> str:
    """The user id of the team member with this e-mail (HarnessError when there is none)."""
    for member in team_detail(owner, team_id).get("members") or []:
        if isinstance(member, dict) and str(member.get("email", "")).lower() == email.lower():
            return str(member["id"])
    raise HarnessError(f"{email} is not a member of team {team_id}")


def fresh_email(factory: DataFactory) -> str:
    """An address nobody has (no account): `<prefix><run>-invitee-<n>@example.com`."""
    return f"{factory.name('invitee')}@example.com"


class Invitations:
    """Invitations one check sends as a team manager; whatever is still pending is revoked at the end."""

    def __init__(self, manager: Actor) -> None:
        self.manager = manager
        self.sent: list[tuple[str, str]] = []  # (team id, invitation id)

    def post(self, team_id: str, email: str, role: str = "collaborator",
             client: httpx.Client | None = None) -> httpx.Response:
        response = (client or console(self.manager)).post(f"{TEAMS}/{team_id}/invitations",
                                                          json={"email": email, "role": role})
        self.remember(team_id, response)
        return response

    def remember(self, team_id: str, response: httpx.Response) -> None:
        data = (json_body(response) or {}).get("data") if response.status_code in (200, 201) else None
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            self.sent.append((team_id, data["id"]))

    def invite(self, team_id: str, email: str, role: str = "collaborator") -> dict[str, Any]:
        """An invitation the check relies on (a control: 201 expected)."""
        response = self.post(team_id, email, role)
        return expect_control(response, f"invite {email} as {role}", status=201)

    def revoke_all(self) -> None:
        for team_id, invitation_id in self.sent:
            console(self.manager).delete(f"{TEAMS}/{team_id}/invitations/{invitation_id}")  # 404 once used: fine
        self.sent.clear()


def accept_by_id(member: Actor, invitation_id: str) -> httpx.Response:
    return console(member).post(ACCEPT, json={"invitationId": invitation_id})


def leave(member: Actor, team_id: str) -> httpx.Response:
    return console(member).post(f"{TEAMS}/{team_id}/members/leave")


@contextmanager
def joined(owner: Actor, member: Actor, team_id: str, role: str) -> Iterator[None]:
    """`member` is a `role` of the team for the block (invited by the owner, accepted by id), then leaves."""
    invitations = Invitations(owner)
    try:
        invitation = invitations.invite(team_id, email_of(member), role)
        expect_control(accept_by_id(member, invitation["id"]), f"{member.name} accepts the invitation")
        yield
    finally:
        leave(member, team_id)
        invitations.revoke_all()
