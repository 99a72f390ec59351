"""Faults of the console role matrix (ROLE, AUTH-07): each gets one cell of the table wrong (who may, or the
refusal's code), the way a real permission table does.
"""

from __future__ import annotations

from typing import Any

from msgflash_reference.faults.fault import Apply, Fault, swap
from msgflash_reference.policies import Policies
from msgflash_reference.policies.roles import MANAGERS, MEMBERS, OWNER, Action


def _swap(action: Action, **changes: Any) -> Apply:
    """One cell of the matrix replaced (kept composable: a second role fault changes another cell)."""

    def apply(policies: Policies) -> Policies:
        return swap("roles", policies.roles.with_rule(action, **changes))(policies)

    return apply


FAULTS: tuple[Fault, ...] = (
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
        lambda p: swap(
            "roles",
            p.roles
            .with_rule(Action.INVITATIONS_MANAGE, allowed=MEMBERS)
            .with_rule(Action.MEMBER_REMOVE, allowed=MEMBERS)
            .with_rule(Action.ASSIGNMENTS_MANAGE, allowed=MEMBERS)
            .with_rule(Action.TEAM_RENAME, allowed=MEMBERS),
        )(p),
    ),
    Fault("collaborator-subscription-404", ("AUTH-07", "ROLE-07"),
          "the role check hides the team's subscription from a collaborator: 404 NOT_FOUND instead of 403",
          _swap(Action.BILLING_READ, code="NOT_FOUND", message="Subscription not found")),
)
