"""Who acts and where: the plain values auth produces and policies read.

Kept apart from `auth.py` (which needs the running server's services) so that policies can take them without
importing the request pipeline that holds the policies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from msgflash_reference.errors import ApiError


@dataclass(frozen=True)
class WorkspaceContext:
    """The workspace a request acts in: rows scoped by `workspace_id`; plan, caps, quotas by `owner_id`."""

    workspace_id: str
    owner_id: str
    actor_id: str  # the user acting: personal key owner, team key creator, or the console user
    team_id: str | None = None
    role: str | None = None  # console team mode: 'owner' | 'admin' | 'collaborator'; None otherwise
    key_id: str | None = None
    via: Literal["api_key", "console"] = "api_key"

    @property
    def is_team(self) -> bool:
        return self.team_id is not None


@dataclass(frozen=True)
class ConsoleUser:
    id: str
    email: str
    full_name: str | None


def team_not_found() -> ApiError:
    return ApiError("TEAM_NOT_FOUND", "Team not found")
