"""Console billing rules (facts §4.2, decisions #2 #3, G13 G14): whose subscription a request reads, and what
checkout, cancel, downgrade and cancel-scheduled-change do. Who may call them is the role matrix's business
(`policies/roles.py`); this module decides what happens.

Changes are scheduled for the end of the billing period (the calendar month of the server clock) and take
effect lazily: `subscriptions.current_subscription` reads the effective plan, `settle_due_change` stores it
before any write. The policy is `svc.policies.billing`; its faults live in `faults/billing.py`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request

from msgflash_reference.accounts import insert_payment
from msgflash_reference.clock import iso, month_period
from msgflash_reference.contexts import WorkspaceContext
from msgflash_reference.errors import ApiError
from msgflash_reference.plan_rules import CapScope
from msgflash_reference.plans import Plan
from msgflash_reference.server_parts import ServerParts
from msgflash_reference.subscriptions import current_subscription, set_plan, settle_due_change


def period_end(now: datetime) -> str:
    return iso(month_period(now)[1])


@dataclass(frozen=True)
class BillingRules:
    # -- reads --------------------------------------------------------------------------------------------
    def check_plans_access(self, request: Request, svc: ServerParts) -> None:
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

    def _refuse_if_scheduled(self, svc: ServerParts, conn: sqlite3.Connection, account_id: str, now: datetime) -> None:
        if current_subscription(conn, svc.plans, account_id, now).scheduled_action:
            raise ApiError("DOWNGRADE_ALREADY_SCHEDULED", "A plan change is already scheduled; cancel it first")

    # -- mutations ----------------------------------------------------------------------------------------
    def checkout_plan(
        self, svc: ServerParts, conn: sqlite3.Connection, account_id: str, code: str, now: datetime
    ) -> Plan:
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
        self, svc: ServerParts, conn: sqlite3.Connection, account_id: str, plan: Plan, now: datetime
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

    def cancel(self, svc: ServerParts, conn: sqlite3.Connection, account_id: str, now: datetime) -> None:
        """Cancel at period end: the paid plan stays usable until then, then Free (facts §4.2, BILL-14)."""
        settle_due_change(conn, account_id, now)
        if current_subscription(conn, svc.plans, account_id, now).plan.code == svc.plans.free.code:
            raise ApiError("ALREADY_ON_FREE_PLAN", "You are already on the Free plan")
        self._refuse_if_scheduled(svc, conn, account_id, now)
        self._schedule(conn, account_id, "cancel", svc.plans.free.code, now)

    def downgrade(self, svc: ServerParts, conn: sqlite3.Connection, account_id: str, code: str, now: datetime) -> None:
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
        self, svc: ServerParts, conn: sqlite3.Connection, owner_id: str, target: Plan, now: datetime
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

    def cancel_scheduled_change(
        self, svc: ServerParts, conn: sqlite3.Connection, account_id: str, now: datetime
    ) -> None:
        settle_due_change(conn, account_id, now)
        if not current_subscription(conn, svc.plans, account_id, now).scheduled_action:
            raise ApiError("NO_SCHEDULED_CHANGE", "There is no scheduled plan change to cancel")
        conn.execute(
            """UPDATE subscriptions SET scheduled_plan = NULL, scheduled_plan_at = NULL,
                 scheduled_action = NULL, cancel_at_period_end = 0, updated_at = ? WHERE user_id = ?""",
            (iso(now), account_id),
        )
