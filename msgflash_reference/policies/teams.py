"""Team policies of the console (facts §3, §12): who needs an instance assignment to send (`assignment_gate`,
ROLE-11/12), the answers of leave, (un)assign and revoke (`team_answers`, ROLE-14/18, INV-12), and what
creating a team checks and answers (`team_creation`, TEAM-25..27). Faults: `faults/teams.py`.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from fastapi import Response
from fastapi.responses import JSONResponse

from msgflash_reference.envelopes import created
from msgflash_reference.errors import ApiError
from msgflash_reference.team_views import team_detail


class AssignmentGate:
    """Which team roles may send only through instances assigned to them ([S]: collaborators only)."""

    def needs_assignment(self, role: str | None) -> bool:
        return role == "collaborator"


class TeamAnswers:
    """The success answers of the team member and assignment routes: 204, no body."""

    def left(self, team_id: str) -> Response:
        return Response(status_code=204)

    def assigned(self, instance_id: str, user_id: str) -> Response:
        return Response(status_code=204)

    def revoked(self, invitation: dict[str, object]) -> Response:
        return Response(status_code=204)


class TeamCreationRules:
    """POST /api/teams: the invitation list must name someone, nobody twice and not the caller (400
    BAD_REQUEST); the answer is the full team (members and pending invitations)."""

    def check_invites(self, emails: list[str], own_email: str) -> None:
        if not emails:
            raise ApiError("BAD_REQUEST", "At least one invitation is required")
        if len(set(emails)) != len(emails):
            raise ApiError("BAD_REQUEST", "Duplicate invite emails")
        if own_email.strip().lower() in emails:
            raise ApiError("BAD_REQUEST", "Cannot invite yourself")

    def answer(self, conn: sqlite3.Connection, team_id: str, now: datetime) -> JSONResponse:
        return created(team_detail(conn, team_id, now))
