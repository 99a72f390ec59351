"""Console request context beyond the core's: the team-aware workspace (through the swappable
`workspace_resolver` policy) and the caller's membership of the team named in a `/api/teams/:teamId` path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from msgflash_reference.auth import ConsoleSession, ConsoleUser, WorkspaceContext
from msgflash_reference.ids import parse_id
from msgflash_reference.policies.roles import Action
from msgflash_reference.services import Services, Svc


def console_team_workspace(request: Request, user: ConsoleSession, svc: Svc) -> WorkspaceContext:
    """Console resource routes: personal workspace, or the X-Team-Id team (404 TEAM_NOT_FOUND)."""
    return svc.policies.workspace_resolver.resolve(svc, user, request.headers.get("x-team-id"))


def console_auth_session(request: Request, user: ConsoleSession, svc: Svc) -> ConsoleUser:
    """`/api/auth/*` with a session: X-Team-Id is ignored (the resolver's `on_auth_route` decides)."""
    svc.policies.workspace_resolver.on_auth_route(svc, user, request.headers.get("x-team-id"))
    return user


# Route parameter types.
ConsoleContext = Annotated[WorkspaceContext, Depends(console_team_workspace)]
AuthSession = Annotated[ConsoleUser, Depends(console_auth_session)]


@dataclass(frozen=True)
class TeamMembership:
    """The caller in one team: `/api/teams/:teamId*` (the team id comes from the path, never X-Team-Id)."""

    user: ConsoleUser
    team_id: str
    team_name: str
    owner_id: str
    role: str
    created_at: str

    def require(self, svc: Services, action: Action) -> None:
        svc.policies.roles.require(action, self.role)


def team_membership(svc: Services, user: ConsoleUser, raw_team_id: str) -> TeamMembership:
    """400 VALIDATION_ERROR for a malformed id (G1); 404 TEAM_NOT_FOUND unless an active member of a live
    team."""
    team_id = parse_id(raw_team_id, "teamId")
    resolver = svc.policies.workspace_resolver
    with svc.db.read() as conn:
        row = resolver.membership(conn, user.id, team_id)
    if row is None:
        raise resolver.not_a_member()
    return TeamMembership(user, row["id"], row["name"], row["owner_user_id"], row["role"], row["created_at"])
