"""Personal subscriptions: the plan an account is on now, with scheduled changes taking effect lazily.

A scheduled downgrade or cancellation carries `scheduled_plan_at` (the end of the billing period). Reads
compute the effective state without writing (`current_subscription`); writers call `settle_due_change`
first so the stored row catches up.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from msgflash_reference.clock import iso
from msgflash_reference.plans import Plan, PlanCatalogue


@dataclass(frozen=True)
class Subscription:
    user_id: str
    plan: Plan
    status: str
    scheduled_plan: str | None
    scheduled_plan_at: str | None
    scheduled_action: str | None
    cancel_at_period_end: bool
    billing_provider: str


def _is_due(row: sqlite3.Row, now: datetime) -> bool:
    return bool(row["scheduled_plan_at"]) and row["scheduled_plan_at"] <= iso(now)


def current_subscription(conn: sqlite3.Connection, plans: PlanCatalogue, user_id: str, now: datetime) -> Subscription:
    row = conn.execute("SELECT * FROM subscriptions WHERE user_id = ?", (user_id,)).fetchone()
    if row is None:  # never subscribed: Free
        return Subscription(user_id, plans.free, "active", None, None, None, False, "dodo")
    if _is_due(row, now):
        return Subscription(
            user_id,
            plans.require(row["scheduled_plan"] or "free"),
            "active",
            None,
            None,
            None,
            False,
            row["billing_provider"],
        )
    return Subscription(
        user_id=user_id,
        plan=plans.require(row["plan_code"]),
        status=row["status"],
        scheduled_plan=row["scheduled_plan"],
        scheduled_plan_at=row["scheduled_plan_at"],
        scheduled_action=row["scheduled_action"],
        cancel_at_period_end=bool(row["cancel_at_period_end"]),
        billing_provider=row["billing_provider"],
    )


def current_plan(conn: sqlite3.Connection, plans: PlanCatalogue, user_id: str, now: datetime) -> Plan:
    return current_subscription(conn, plans, user_id, now).plan


def settle_due_change(conn: sqlite3.Connection, user_id: str, now: datetime) -> None:
    """Apply a scheduled change whose time has come (call inside a write transaction)."""
    row = conn.execute("SELECT * FROM subscriptions WHERE user_id = ?", (user_id,)).fetchone()
    if row is not None and _is_due(row, now):
        conn.execute(
            """UPDATE subscriptions SET plan_code = ?, status = 'active', scheduled_plan = NULL,
               scheduled_plan_at = NULL, scheduled_action = NULL, cancel_at_period_end = 0, updated_at = ?
               WHERE user_id = ?""",
            (row["scheduled_plan"] or "free", iso(now), user_id),
        )


def set_plan(conn: sqlite3.Connection, user_id: str, plan_code: str, now: datetime) -> None:
    """Put an account on a plan now, clearing any scheduled change (seed, checkout completion, sandbox)."""
    conn.execute(
        """INSERT INTO subscriptions (user_id, plan_code, status, created_at, updated_at)
           VALUES (?, ?, 'active', ?, ?)
           ON CONFLICT(user_id) DO UPDATE SET plan_code = excluded.plan_code, status = 'active',
             scheduled_plan = NULL, scheduled_plan_at = NULL, scheduled_action = NULL,
             cancel_at_period_end = 0, updated_at = excluded.updated_at""",
        (user_id, plan_code, iso(now), iso(now)),
    )
