"""Console billing rules (facts §4.2, decisions #2 #3, G13 G14): whose subscription a request reads, and what
checkout, cancel, downgrade and cancel-scheduled-change do. Who may call them is the role matrix's business
(`policies/roles.py`); this module decides what happens.

Changes are scheduled for the end of the billing period (the calendar month of the server clock) and take
effect lazily: `subscriptions.current_subscription` reads the effective plan, `settle_due_change` stores it
before any write. `faults.py` loads this module through its EXTENSION_MODULES hook (POLICY_DEFAULTS, FAULTS).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from fastapi import Request

from msgflash_reference.accounts import insert_payment
from msgflash_reference.auth import WorkspaceContext, console_user
from msgflash_reference.clock import iso, month_period
from msgflash_reference.errors import ApiError
from msgflash_reference.faults import Fault
from msgflash_reference.plan_rules import CapScope
from msgflash_reference.plans import Plan
from msgflash_reference.subscriptions import current_subscription, set_plan, settle_due_change

if TYPE_CHECKING:
    from msgflash_reference.policies import Policies
    from msgflash_reference.services import Services


def period_end(now: datetime) -> str:
    return iso(month_period(now)[1])


@dataclass(frozen=True)
class BillingRules:
    # -- reads --------------------------------------------------------------------------------------------
    def check_plans_access(self, request: Request, svc: Services) -> None:
        """`GET /api/billing/plans` is public (BILL-19): nothing to check."""
        return None

    def account_for_read(self, ctx: WorkspaceContext) -> str:
        """Whose subscription, usage and payments a console read shows: in a team, the owner's (BILL-20)."""
        return ctx.owner_id

    # -- scheduling ---------------------------------------------------------------------------------------
    def scheduled_at(self, now: datetime) -> str:
        """Scheduled changes happen at the end of the current billing period."""
        return period_end(now)

    def _schedule(self, conn: sqlite3.Connection, account_id: str, action: str, plan_code: str, now: datetime) -> None:
        conn.execute(
            """UPDATE subscriptions SET scheduled_plan = ?, scheduled_plan_at = ?, scheduled_action = ?,
                 cancel_at_period_end = ?, updated_at = ? WHERE user_id = ?""",
            (plan_code, self.scheduled_at(now), action, int(action == "cancel"), iso(now), account_id),
        )

    def _refuse_if_scheduled(self, svc: Services, conn: sqlite3.Connection, account_id: str, now: datetime) -> None:
        if current_subscription(conn, svc.plans, account_id, now).scheduled_action:
            raise ApiError("DOWNGRADE_ALREADY_SCHEDULED", "A plan change is already scheduled; cancel it first")

    # -- mutations ----------------------------------------------------------------------------------------
    def checkout_plan(self, svc: Services, conn: sqlite3.Connection, account_id: str, code: str, now: datetime) -> Plan:
        """The plan a checkout may be opened for: an existing paid plan above the current one."""
        plan = svc.plans.get(code)
        if plan is None:
            raise ApiError("NOT_FOUND", f"Plan {code!r} is not available")
        current = current_subscription(conn, svc.plans, account_id, now).plan
        if plan.price_monthly == 0 or svc.plans.order(plan.code) <= svc.plans.order(current.code):
            raise ApiError(
                "INVALID_PLAN_CHANGE",
                f"Checkout is for upgrades; you are on {current.name} (use downgrade or cancel to go lower)",
            )
        return plan

    def complete_checkout(
        self, svc: Services, conn: sqlite3.Connection, account_id: str, plan: Plan, now: datetime
    ) -> str:
        """Payment received: the plan applies now (clearing any scheduled change); a payment is recorded."""
        settle_due_change(conn, account_id, now)
        set_plan(conn, account_id, plan.code, now)
        start, end = month_period(now)
        return insert_payment(
            conn,
            user_id=account_id,
            plan_code=plan.code,
            plan_name=plan.name,
            amount=plan.price_monthly * 100,
            status="succeeded",
            period_start=iso(start),
            period_end=iso(end),
            created_at=iso(now),
        )

    def cancel(self, svc: Services, conn: sqlite3.Connection, account_id: str, now: datetime) -> None:
        """Cancel at period end: the paid plan stays usable until then, then Free (facts §4.2, BILL-14)."""
        settle_due_change(conn, account_id, now)
        if current_subscription(conn, svc.plans, account_id, now).plan.code == svc.plans.free.code:
            raise ApiError("ALREADY_ON_FREE_PLAN", "You are already on the Free plan")
        self._refuse_if_scheduled(svc, conn, account_id, now)
        self._schedule(conn, account_id, "cancel", svc.plans.free.code, now)

    def downgrade(self, svc: Services, conn: sqlite3.Connection, account_id: str, code: str, now: datetime) -> None:
        """Schedule a lower plan for period end unless it cannot host the owner's teams (BILL-15, BILL-17)."""
        settle_due_change(conn, account_id, now)
        target = svc.plans.get(code)
        if target is None:
            raise ApiError("NOT_FOUND", f"Plan {code!r} is not available")
        current = current_subscription(conn, svc.plans, account_id, now).plan
        if svc.plans.order(target.code) >= svc.plans.order(current.code):
            raise ApiError("INVALID_PLAN_CHANGE", f"{target.name} is not below your current plan ({current.name})")
        self._refuse_if_scheduled(svc, conn, account_id, now)
        blocking = self.blocking_team_ids(svc, conn, account_id, target, now)
        if blocking:
            raise ApiError(
                "PLAN_CHANGE_BLOCKED_ACTIVE_TEAMS",
                f"{target.name} cannot host {len(blocking)} of your active teams; delete them or free seats first",
                details={"teamIds": blocking},
            )
        self._schedule(conn, account_id, "downgrade", target.code, now)

    def blocking_team_ids(
        self, svc: Services, conn: sqlite3.Connection, owner_id: str, target: Plan, now: datetime
    ) -> list[str]:
        """The owner's live teams the target plan cannot host, oldest first: those beyond its owned-team cap
        (the newest ones; a plan without teams blocks them all), and those with more seats (members + live
        pending invitations) than it allows per team."""
        teams = [
            row["id"]
            for row in conn.execute(
                "SELECT id FROM teams WHERE owner_user_id = ? AND deleted_at IS NULL ORDER BY created_at, id",
                (owner_id,),
            )
        ]
        over_cap = set(teams[target.max_teams :])
        too_big = {
            team_id
            for team_id in teams
            if svc.policies.plan_rules.count(
                conn, "seats", CapScope(owner_id=owner_id, team_id=team_id, now_iso=iso(now))
            )
            > target.seats_per_team
        }
        return [team_id for team_id in teams if team_id in over_cap or team_id in too_big]

    def cancel_scheduled_change(self, svc: Services, conn: sqlite3.Connection, account_id: str, now: datetime) -> None:
        settle_due_change(conn, account_id, now)
        if not current_subscription(conn, svc.plans, account_id, now).scheduled_action:
            raise ApiError("NO_SCHEDULED_CHANGE", "There is no scheduled plan change to cancel")
        conn.execute(
            """UPDATE subscriptions SET scheduled_plan = NULL, scheduled_plan_at = NULL,
                 scheduled_action = NULL, cancel_at_period_end = 0, updated_at = ? WHERE user_id = ?""",
            (iso(now), account_id),
        )


POLICY_DEFAULTS: dict[str, object] = {"billing": BillingRules()}


def billing_rules(svc: Services) -> BillingRules:
    return svc.policies.extra["billing"]


# == faults =================================================================================================
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


def _billing(policy: BillingRules):
    def apply(policies: Policies) -> Policies:
        return policies.with_extra("billing", policy)

    return apply


FAULTS: tuple[Fault, ...] = (
    Fault(
        "billing-plans-needs-auth",
        ("BILL-19",),
        "GET /api/billing/plans answers 401 without a console session",
        _billing(_PlansBehindLogin()),
    ),
    Fault(
        "team-billing-shows-viewer-subscription",
        ("BILL-20", "ROLE-02"),
        "with X-Team-Id, subscription and usage are the caller's own instead of the team owner's",
        _billing(_ViewerSubscription()),
    ),
    Fault(
        "team-billing-reads-refused",
        ("ROLE-01", "ROLE-02", "BILL-20"),
        "billing reads with X-Team-Id answer 403 FORBIDDEN, even for the owner",
        _billing(_TeamReadsRefused()),
    ),
    Fault(
        "cancel-immediate",
        ("BILL-14",),
        "cancel drops to Free at once instead of at the end of the billing period",
        _billing(_CancelImmediately()),
    ),
    Fault(
        "cancel-at-thirty-days",
        ("BILL-14",),
        "cancellation takes effect 30+ days later instead of at the end of the billing period",
        _billing(_ThirtyDaysNotPeriodEnd()),
    ),
    Fault(
        "downgrade-immediate",
        ("BILL-15",),
        "a downgrade applies at once instead of being scheduled for period end",
        _billing(_DowngradeImmediately()),
    ),
    Fault(
        "downgrade-ignores-teams",
        ("BILL-17",),
        "a downgrade is scheduled even when the target plan cannot host the owner's teams",
        _billing(_DowngradeIgnoresTeams()),
    ),
    Fault(
        "blocked-downgrade-wrong-team-ids",
        ("BILL-17",),
        "PLAN_CHANGE_BLOCKED_ACTIVE_TEAMS lists every active team, not the ones the target cannot host",
        _billing(_BlockedListsEveryTeam()),
    ),
    Fault(
        "cancel-scheduled-change-keeps-plan",
        ("BILL-16", "BILL-05"),
        "undoing a scheduled change clears scheduledAction only; scheduledPlan(At) stay and still apply",
        _billing(_UndoKeepsScheduledPlan()),
    ),
)
