"""The console role matrix (facts §3) as one table: action -> roles allowed -> the refusal.

Handlers never compare roles themselves: they call `role_matrix(svc).require(Action.X, role)`. A role of
None means the personal workspace (the caller acts on their own account), where every action is allowed.
Faults swap one row of the table (`RoleMatrix.with_rule`), the way a real permission table gets one cell
wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from msgflash_reference.errors import ApiError
from msgflash_reference.faults import Fault

if TYPE_CHECKING:
    from msgflash_reference.policies import Policies
    from msgflash_reference.services import Services

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


def role_matrix(svc: Services) -> RoleMatrix:
    return svc.policies.extra["roles"]


# -- faults: one wrong cell each ---------------------------------------------------------------------------
def _swap(action: Action, **changes: Any):
    def apply(policies: Policies) -> Policies:
        return policies.with_extra("roles", policies.extra["roles"].with_rule(action, **changes))

    return apply


ROLE_FAULTS: tuple[Fault, ...] = (
    Fault(
        "admin-can-mutate-billing",
        ("ROLE-03",),
        "team admins may checkout, cancel and downgrade the owner's subscription",
        _swap(Action.BILLING_MUTATE, allowed=MANAGERS),
    ),
    Fault(
        "billing-mutation-generic-forbidden",
        ("ROLE-03", "ROLE-05"),
        "non-owners changing billing in a team get 403 FORBIDDEN instead of BILLING_TEAM_MUTATION_FORBIDDEN",
        _swap(Action.BILLING_MUTATE, code="FORBIDDEN"),
    ),
    Fault(
        "collaborator-can-mutate-billing",
        ("ROLE-05",),
        "the billing mutation check lets every team member through",
        _swap(Action.BILLING_MUTATE, allowed=MEMBERS),
    ),
    Fault(
        "admin-sees-team-payments",
        ("ROLE-04",),
        "team admins can read the owner's payment history",
        _swap(Action.BILLING_PAYMENTS, allowed=MANAGERS),
    ),
    Fault(
        "collaborator-sees-payments",
        ("ROLE-06",),
        "collaborators can read the owner's payment history",
        _swap(Action.BILLING_PAYMENTS, allowed=frozenset({"owner", "collaborator"})),
    ),
    Fault(
        "owner-payments-refused-in-team",
        ("ROLE-08",),
        "with X-Team-Id even the owner is refused the payment history",
        _swap(Action.BILLING_PAYMENTS, allowed=frozenset()),
    ),
    Fault(
        "collaborator-reads-subscription",
        ("ROLE-07", "AUTH-07"),
        "collaborators read the owner's subscription and usage (the [S] reading, not the FAQ's)",
        _swap(Action.BILLING_READ, allowed=MEMBERS),
    ),
    Fault(
        "admin-denied-billing-reads",
        ("ROLE-02", "BILL-20"),
        "team billing reads are owner-only: admins get 403",
        _swap(Action.BILLING_READ, allowed=OWNER),
    ),
    Fault(
        "collaborator-creates-team-key",
        ("ROLE-09",),
        "collaborators may create, list and revoke team API keys",
        _swap(Action.API_KEYS_MANAGE, allowed=MEMBERS),
    ),
    Fault(
        "admin-cannot-create-team-key",
        ("ROLE-10",),
        "team API keys are owner-only: admins get 403 TEAM_ACCESS_DENIED",
        _swap(Action.API_KEYS_MANAGE, allowed=OWNER),
    ),
    Fault(
        "owner-can-leave-team",
        ("ROLE-13",),
        "the owner may leave their own team (leaving it ownerless)",
        _swap(Action.TEAM_LEAVE, allowed=MEMBERS),
    ),
    Fault(
        "admin-removes-owner",
        ("ROLE-15",),
        "an admin can remove the team owner",
        _swap(Action.OWNER_REMOVE, allowed=MANAGERS),
    ),
    Fault(
        "admin-deletes-team",
        ("ROLE-16",),
        "admins can delete the team",
        _swap(Action.TEAM_DELETE, allowed=MANAGERS),
    ),
    Fault(
        "collaborator-manages-team",
        ("ROLE-17",),
        "collaborators can invite, remove members, assign instances and rename the team",
        lambda p: p.with_extra(
            "roles",
            p.extra["roles"]
            .with_rule(Action.INVITATIONS_MANAGE, allowed=MEMBERS)
            .with_rule(Action.MEMBER_REMOVE, allowed=MEMBERS)
            .with_rule(Action.ASSIGNMENTS_MANAGE, allowed=MEMBERS)
            .with_rule(Action.TEAM_RENAME, allowed=MEMBERS),
        ),
    ),
)
