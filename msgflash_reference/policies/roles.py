"""The console role matrix (facts §3) as one table: action -> roles allowed -> the refusal.

Handlers never compare roles themselves: they call `svc.policies.roles.require(Action.X, role)`. A role of
None means the personal workspace (the caller acts on their own account), where every action is allowed.
Faults (`faults/roles.py`) swap one row of the table (`RoleMatrix.with_rule`), the way a real permission table
gets one cell wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from msgflash_reference.errors import ApiError

ROLES = ("owner", "admin", "collaborator")
OWNER = frozenset({"owner"})
MANAGERS = frozenset({"owner", "admin"})
MEMBERS = frozenset(ROLES)
NON_OWNERS = frozenset({"admin", "collaborator"})


class Action(StrEnum):
    TEAM_VIEW = "team.view"
    TEAM_RENAME = "team.rename"
    TEAM_DELETE = "team.delete"
    TEAM_LEAVE = "team.leave"
    INVITATIONS_MANAGE = "invitations.manage"  # invite, resend, revoke
    MEMBER_REMOVE = "members.remove"
    OWNER_REMOVE = "members.remove_owner"  # the target is the owner: nobody may
    ASSIGNMENTS_VIEW = "assignments.view"
    ASSIGNMENTS_MANAGE = "assignments.manage"
    API_KEYS_MANAGE = "api_keys.manage"  # team keys: list, create, revoke, usage (unified and legacy routes)
    BILLING_READ = "billing.read"  # subscription and usage of the owner (G13: collaborators refused)
    BILLING_PAYMENTS = "billing.payments"
    BILLING_MUTATE = "billing.mutate"  # checkout, cancel, downgrade, cancel-scheduled-change


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    code: str
    message: str


DEFAULT_RULES: Mapping[Action, Rule] = {
    Action.TEAM_VIEW: Rule(MEMBERS, "TEAM_NOT_FOUND", "Team not found"),
    Action.TEAM_RENAME: Rule(MANAGERS, "TEAM_ACCESS_DENIED", "Only the owner or an admin can rename the team"),
    Action.TEAM_DELETE: Rule(OWNER, "TEAM_ACCESS_DENIED", "Only the owner can delete the team"),
    Action.TEAM_LEAVE: Rule(NON_OWNERS, "BAD_REQUEST", "Owner cannot leave — delete the team instead."),
    Action.INVITATIONS_MANAGE: Rule(
        MANAGERS, "TEAM_ACCESS_DENIED", "Only the owner or an admin can manage invitations"
    ),
    Action.MEMBER_REMOVE: Rule(MANAGERS, "TEAM_ACCESS_DENIED", "Only the owner or an admin can remove members"),
    Action.OWNER_REMOVE: Rule(frozenset(), "TEAM_ACCESS_DENIED", "The team owner cannot be removed"),
    Action.ASSIGNMENTS_VIEW: Rule(MEMBERS, "TEAM_ACCESS_DENIED", "Not a member of this team"),
    Action.ASSIGNMENTS_MANAGE: Rule(MANAGERS, "TEAM_ACCESS_DENIED", "Only the owner or an admin can assign instances"),
    Action.API_KEYS_MANAGE: Rule(MANAGERS, "TEAM_ACCESS_DENIED", "Only the owner or an admin can manage team API keys"),
    Action.BILLING_READ: Rule(MANAGERS, "FORBIDDEN", "Collaborators have no billing access"),
    Action.BILLING_PAYMENTS: Rule(
        OWNER, "BILLING_PAYMENTS_TEAM_OWNER_ONLY", "Only the team owner can read the payment history"
    ),
    Action.BILLING_MUTATE: Rule(
        OWNER, "BILLING_TEAM_MUTATION_FORBIDDEN", "Only the team owner can change the subscription"
    ),
}


@dataclass(frozen=True)
class RoleMatrix:
    rules: Mapping[Action, Rule] = field(default_factory=lambda: dict(DEFAULT_RULES))

    def allows(self, action: Action, role: str | None) -> bool:
        """Personal workspace (role None): the caller's own account, everything allowed."""
        return role is None or role in self.rules[action].allowed

    def require(self, action: Action, role: str | None) -> None:
        if not self.allows(action, role):
            rule = self.rules[action]
            raise ApiError(rule.code, rule.message)

    def with_rule(self, action: Action, **changes: Any) -> RoleMatrix:
        return replace(self, rules={**self.rules, action: replace(self.rules[action], **changes)})
