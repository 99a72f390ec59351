"""Faults of the console's team routes: who needs an instance assignment to send (ROLE-11/12), the answers of
leave, assign and revoke (ROLE-14/18, INV-12), and what creating a team checks and answers (TEAM-25..27).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from fastapi import Response
from fastapi.responses import JSONResponse

from msgflash_reference.envelopes import created, ok
from msgflash_reference.errors import ApiError
from msgflash_reference.faults.fault import Fault, swap
from msgflash_reference.policies.teams import AssignmentGate, TeamAnswers, TeamCreationRules


class _AssignmentUnchecked(AssignmentGate):
    """"The instance belongs to the team, so any member may use it": assignments only drive the console UI."""

    def needs_assignment(self, role: str | None) -> bool:
        return False


class _NonOwnersNeedAssignment(AssignmentGate):
    """Checks "not the owner" instead of "a collaborator": admins need an assignment too."""

    def needs_assignment(self, role: str | None) -> bool:
        return role is not None and role != "owner"


class _LeaveWithBody(TeamAnswers):
    """Leaving answers like the other team mutations that return the team: 200 with a confirmation body."""

    def left(self, team_id: str) -> Response:
        return ok({"teamId": team_id, "left": True})


class _AssignCreated(TeamAnswers):
    """Assigning is treated as creating a resource: 201 with the assignment."""

    def assigned(self, instance_id: str, user_id: str) -> Response:
        return created({"instanceId": instance_id, "memberUserId": user_id})


class _EmptyInviteListAllowed(TeamCreationRules):
    """"Invitations are optional, you can invite later": a team with only its owner is created."""

    def check_invites(self, emails: list[str], own_email: str) -> None:
        if emails:
            super().check_invites(emails, own_email)


class _InviteListUnchecked(TeamCreationRules):
    """Checks that the list is not empty, then trusts it: duplicates and the caller's own address go through."""

    def check_invites(self, emails: list[str], own_email: str) -> None:
        if not emails:
            raise ApiError("BAD_REQUEST", "At least one invitation is required")


class _CreateAnswersBareTeam(TeamCreationRules):
    """Answers with the inserted row only, like the list item: no members, no pending invitations."""

    def answer(self, conn: sqlite3.Connection, team_id: str, now: datetime) -> JSONResponse:
        row = conn.execute("SELECT id, name, owner_user_id, created_at FROM teams WHERE id = ?", (team_id,)).fetchone()
        return created({"id": row["id"], "name": row["name"], "ownerUserId": row["owner_user_id"],
                        "createdAt": row["created_at"]})


class _RevokeAnswersInvitation(TeamAnswers):
    """Revoking answers 200 with the invitation in its new state, like resend does."""

    def revoked(self, invitation: dict[str, object]) -> Response:
        return ok({**invitation, "status": "revoked"})


FAULTS: tuple[Fault, ...] = (
    Fault(
        "collaborator-assignment-unchecked",
        ("ROLE-11",),
        "a collaborator can send through any team instance, assigned to them or not",
        swap("assignment_gate", _AssignmentUnchecked()),
    ),
    Fault(
        "admin-needs-assignment",
        ("ROLE-12",),
        "admins are refused 403 INSTANCE_NOT_ASSIGNED on team instances nobody assigned to them",
        swap("assignment_gate", _NonOwnersNeedAssignment()),
    ),
    Fault(
        "leave-answers-200-body",
        ("ROLE-14",),
        "POST /api/teams/{teamId}/members/leave answers 200 with a body instead of 204",
        swap("team_answers", _LeaveWithBody()),
    ),
    Fault(
        "assign-answers-201-body",
        ("ROLE-18",),
        "POST /api/teams/{teamId}/instance-assignments answers 201 with the assignment instead of 204",
        swap("team_answers", _AssignCreated()),
    ),
    Fault(
        "revoke-answers-200-body",
        ("INV-12",),
        "DELETE /api/teams/{teamId}/invitations/{id} answers 200 with the revoked invitation instead of 204",
        swap("team_answers", _RevokeAnswersInvitation()),
    ),
    Fault(
        "team-create-without-invites",
        ("TEAM-25",),
        "POST /api/teams with an empty invites list creates the team instead of 400",
        swap("team_creation", _EmptyInviteListAllowed()),
    ),
    Fault(
        "team-invites-unchecked",
        ("TEAM-26",),
        "POST /api/teams accepts the same e-mail twice and the caller's own e-mail",
        swap("team_creation", _InviteListUnchecked()),
    ),
    Fault(
        "team-create-bare-answer",
        ("TEAM-27",),
        "POST /api/teams answers 201 with the bare team row: no members, no pendingInvitations",
        swap("team_creation", _CreateAnswersBareTeam()),
    ),
)
