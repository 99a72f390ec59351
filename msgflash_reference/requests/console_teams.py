"""Request bodies of /api/teams/*, its invitations and /api/api-keys."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from msgflash_reference.bodies import NonNullBody, StrictBody

InviteRole = Literal["owner", "admin", "collaborator"]


class InviteBody(StrictBody):
    email: str = Field(min_length=3, max_length=254)
    role: InviteRole


class AcceptBody(NonNullBody):
    token: str | None = Field(default=None, min_length=1, max_length=200)
    invitationId: str | None = None


class KeyCreate(StrictBody):
    name: str = Field(min_length=1, max_length=500)


class TeamCreate(StrictBody):
    name: str = Field(min_length=1, max_length=500)
    invites: list[InviteBody]


class TeamRename(StrictBody):
    name: str = Field(min_length=1, max_length=500)


class AssignmentBody(StrictBody):
    instanceId: str
    memberUserId: str
