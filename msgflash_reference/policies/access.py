"""Which key may use which kind of public route (facts §2.1), as a table the core looks rows up in.

Route kinds: WORKSPACE routes (contacts, messages, instances, ... — team-aware), PERSONAL_ONLY routes
(`/me`, `/usage`, `/billing/subscription|usage|payments`), OPEN routes (`/billing/plans`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from msgflash_reference.errors import ApiError
from msgflash_reference.policies.key_resolver import KeyIdentity


class RouteKind(StrEnum):
    WORKSPACE = "workspace"
    PERSONAL_ONLY = "personal_only"
    OPEN = "open"


@dataclass(frozen=True)
class AccessRule:
    team_key_allowed: bool
    # A personal key sent with X-Team-Id: refuse with TEAM_KEY_REQUIRED, or ignore the header.
    refuse_personal_key_with_team_header: bool


DEFAULT_ACCESS_RULES: Mapping[RouteKind, AccessRule] = {
    RouteKind.WORKSPACE: AccessRule(team_key_allowed=True, refuse_personal_key_with_team_header=True),
    # decisions #5: personal key + X-Team-Id on a personal-only route serves the personal data (INFO)
    RouteKind.PERSONAL_ONLY: AccessRule(team_key_allowed=False, refuse_personal_key_with_team_header=False),
    RouteKind.OPEN: AccessRule(team_key_allowed=True, refuse_personal_key_with_team_header=False),
}


def check_access(rules: Mapping[RouteKind, AccessRule], kind: RouteKind, identity: KeyIdentity) -> None:
    rule = rules[kind]
    if identity.kind == "team" and not rule.team_key_allowed:
        raise ApiError("TEAM_KEY_NOT_ALLOWED", "This route needs a personal API key; team keys are not allowed")
    if identity.kind == "personal" and identity.team_header is not None and rule.refuse_personal_key_with_team_header:
        raise ApiError("TEAM_KEY_REQUIRED", "Use a team key for the team workspace")
