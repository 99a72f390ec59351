"""Faults of the console billing rules (BILL, ROLE-01/02): whose subscription a read shows, checkout, cancel,
downgrade (blocking teams) and undoing a scheduled change. Each swaps `svc.policies.billing`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request

from msgflash_reference.auth import console_user
from msgflash_reference.clock import iso
from msgflash_reference.contexts import WorkspaceContext
from msgflash_reference.errors import ApiError
from msgflash_reference.faults.fault import Fault, swap
from msgflash_reference.plans import Plan
from msgflash_reference.policies.billing import BillingRules
from msgflash_reference.services import Services
from msgflash_reference.subscriptions import current_subscription, set_plan, settle_due_change


@dataclass(frozen=True)
class _PlansBehindLogin(BillingRules):
    def check_plans_access(self, request: Request, svc: Services) -> None:
        console_user(request, svc)


@dataclass(frozen=True)
class _ViewerSubscription(BillingRules):
    """Reads the signed-in user's own subscription, ignoring the team's owner."""

    def account_for_read(self, ctx: WorkspaceContext) -> str:
        return ctx.actor_id


@dataclass(frozen=True)
class _TeamReadsRefused(BillingRules):
    def account_for_read(self, ctx: WorkspaceContext) -> str:
        if ctx.is_team:
            raise ApiError("FORBIDDEN", "Billing is only available in your personal workspace")
        return ctx.owner_id


@dataclass(frozen=True)
class _CancelImmediately(BillingRules):
    def cancel(self, svc: Services, conn: sqlite3.Connection, account_id: str, now: datetime) -> None:
        settle_due_change(conn, account_id, now)
        if current_subscription(conn, svc.plans, account_id, now).plan.code == svc.plans.free.code:
            raise ApiError("ALREADY_ON_FREE_PLAN", "You are already on the Free plan")
        set_plan(conn, account_id, svc.plans.free.code, now)


@dataclass(frozen=True)
class _ThirtyDaysNotPeriodEnd(BillingRules):
    """Schedules "in 30 days" instead of at the end of the billing period."""

    def scheduled_at(self, now: datetime) -> str:
        return iso(now + timedelta(days=30))


@dataclass(frozen=True)
class _DowngradeImmediately(BillingRules):
    def downgrade(self, svc: Services, conn: sqlite3.Connection, account_id: str, code: str, now: datetime) -> None:
        super().downgrade(svc, conn, account_id, code, now)
        row = conn.execute("SELECT scheduled_plan FROM subscriptions WHERE user_id = ?", (account_id,)).fetchone()
        set_plan(conn, account_id, row["scheduled_plan"], now)


@dataclass(frozen=True)
class _DowngradeIgnoresTeams(BillingRules):
    def blocking_team_ids(
        self, svc: Services, conn: sqlite3.Connection, owner_id: str, target: Plan, now: datetime
    ) -> list[str]:
        return []


@dataclass(frozen=True)
class _BlockedListsEveryTeam(BillingRules):
    """Blocks correctly but reports every active team instead of the ones the target cannot host."""

    def blocking_team_ids(
        self, svc: Services, conn: sqlite3.Connection, owner_id: str, target: Plan, now: datetime
    ) -> list[str]:
        if not super().blocking_team_ids(svc, conn, owner_id, target, now):
            return []
        rows = conn.execute(
            "SELECT id FROM teams WHERE owner_user_id = ? AND deleted_at IS NULL ORDER BY created_at, id",
            (owner_id,),
        )
        return [row["id"] for row in rows]


@dataclass(frozen=True)
class _UndoKeepsScheduledPlan(BillingRules):
    """Clears the action only: scheduledPlan/scheduledPlanAt stay, and the change still happens."""

    def cancel_scheduled_change(self, svc: Services, conn: sqlite3.Connection, account_id: str, now: datetime) -> None:
        settle_due_change(conn, account_id, now)
        if not current_subscription(conn, svc.plans, account_id, now).scheduled_action:
            raise ApiError("NO_SCHEDULED_CHANGE", "There is no scheduled plan change to cancel")
        conn.execute(
            "UPDATE subscriptions SET scheduled_action = NULL, cancel_at_period_end = 0 WHERE user_id = ?",
            (account_id,),
        )


@dataclass(frozen=True)
class _CheckoutOrderInverted(BillingRules):
    """The upgrade check compares plan order the wrong way round: upgrades are refused, lower plans open."""

    def checkout_plan(self, svc: Services, conn: sqlite3.Connection, account_id: str, code: str, now: datetime
                      ) -> Plan:
        plan = svc.plans.get(code)
        if plan is None:
            raise ApiError("NOT_FOUND", f"Plan {code!r} is not available")
        current = current_subscription(conn, svc.plans, account_id, now).plan
        if plan.price_monthly == 0 or svc.plans.order(plan.code) >= svc.plans.order(current.code):
            raise ApiError("INVALID_PLAN_CHANGE", f"Checkout is for upgrades; you are on {current.name}")
        return plan


FAULTS: tuple[Fault, ...] = (
    Fault(
        "billing-plans-needs-auth",
        ("BILL-19",),
        "GET /api/billing/plans answers 401 without a console session",
        swap("billing", _PlansBehindLogin()),
    ),
    Fault(
        "team-billing-shows-viewer-subscription",
        ("BILL-20", "ROLE-02"),
        "with X-Team-Id, subscription and usage are the caller's own instead of the team owner's",
        swap("billing", _ViewerSubscription()),
    ),
    Fault(
        "team-billing-reads-refused",
        ("ROLE-01", "ROLE-02", "BILL-20"),
        "billing reads with X-Team-Id answer 403 FORBIDDEN, even for the owner",
        swap("billing", _TeamReadsRefused()),
    ),
    Fault(
        "cancel-immediate",
        ("BILL-14",),
        "cancel drops to Free at once instead of at the end of the billing period",
        swap("billing", _CancelImmediately()),
    ),
    Fault(
        "cancel-at-thirty-days",
        ("BILL-14",),
        "cancellation takes effect 30+ days later instead of at the end of the billing period",
        swap("billing", _ThirtyDaysNotPeriodEnd()),
    ),
    Fault(
        "downgrade-immediate",
        ("BILL-15",),
        "a downgrade applies at once instead of being scheduled for period end",
        swap("billing", _DowngradeImmediately()),
    ),
    Fault(
        "downgrade-ignores-teams",
        ("BILL-17",),
        "a downgrade is scheduled even when the target plan cannot host the owner's teams",
        swap("billing", _DowngradeIgnoresTeams()),
    ),
    Fault(
        "blocked-downgrade-wrong-team-ids",
        ("BILL-17",),
        "PLAN_CHANGE_BLOCKED_ACTIVE_TEAMS lists every active team, not the ones the target cannot host",
        swap("billing", _BlockedListsEveryTeam()),
    ),
    Fault(
        "cancel-scheduled-change-keeps-plan",
        ("BILL-16", "BILL-05"),
        "undoing a scheduled change clears scheduledAction only; scheduledPlan(At) stay and still apply",
        swap("billing", _UndoKeepsScheduledPlan()),
    ),
    Fault("checkout-refuses-upgrades", ("BILL-18",),
          "console checkout compares plan order the wrong way round: upgrades get 400 INVALID_PLAN_CHANGE",
          swap("billing", _CheckoutOrderInverted())),
)
