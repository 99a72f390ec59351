"""Billing and account bodies (facts §11.1–11.2), shared by the public `/api/v1` routes and the console."""

from __future__ import annotations

import math
import re
import sqlite3
from datetime import datetime
from typing import Any

from msgflash_reference.errors import invalid_field
from msgflash_reference.quotas import period_view, usage_view
from msgflash_reference.server_parts import ServerParts
from msgflash_reference.subscriptions import current_subscription

PAYMENTS_DEFAULT_LIMIT = 20
PAYMENTS_MAX_LIMIT = 100


def plans_list(svc: ServerParts) -> list[dict[str, Any]]:
    return [plan.catalogue_entry() for plan in svc.plans.plans]


def subscription_overview(conn: sqlite3.Connection, svc: ServerParts, owner_id: str, now: datetime) -> dict[str, Any]:
    sub = current_subscription(conn, svc.plans, owner_id, now)
    return {
        "subscription": {
            "plan": {**sub.plan.ref(), "limits": sub.plan.limits(), "features": sub.plan.features()},
            "status": sub.status,
            "scheduledPlan": sub.scheduled_plan,
            "scheduledPlanAt": sub.scheduled_plan_at,
            "scheduledAction": sub.scheduled_action,
            "cancelAtPeriodEnd": sub.cancel_at_period_end,
            "billingProvider": sub.billing_provider,
        },
        "usage": usage_view(conn, owner_id, now),
        "period": period_view(now),
    }


def usage_summary(conn: sqlite3.Connection, svc: ServerParts, owner_id: str, now: datetime) -> dict[str, Any]:
    plan = current_subscription(conn, svc.plans, owner_id, now).plan
    return {
        "plan": plan.ref(),
        "limits": plan.limits(),
        "features": plan.features(),
        "usage": usage_view(conn, owner_id, now),
        "period": period_view(now),
    }


def me_view(conn: sqlite3.Connection, svc: ServerParts, user_id: str, now: datetime) -> dict[str, Any]:
    """G5: {id, email, fullName, plan: {code, name}}."""
    user = conn.execute("SELECT id, email, full_name FROM users WHERE id = ?", (user_id,)).fetchone()
    plan = current_subscription(conn, svc.plans, user_id, now).plan
    return {"id": user["id"], "email": user["email"], "fullName": user["full_name"], "plan": plan.ref()}


def payment_view(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "provider": row["provider"],
        "planCode": row["plan_code"],
        "planName": row["plan_name"],
        "amount": row["amount"],
        "currency": row["currency"],
        "status": row["status"],
        "periodStart": row["period_start"],
        "periodEnd": row["period_end"],
        "createdAt": row["created_at"],
    }


def parse_page(raw: str | None) -> int:
    """`page` ≥ 1 (default 1), any size (the spec sets no maximum: a page past the last is empty); 400
    VALIDATION_ERROR otherwise."""
    if raw is None:
        return 1
    if not re.fullmatch(r"[0-9]{1,4000}", raw.strip()) or int(raw) < 1:
        raise invalid_field("page", "must be an integer ≥ 1")
    return int(raw)


def payments_page(
    conn: sqlite3.Connection, svc: ServerParts, user_id: str, raw_page: str | None, raw_limit: str | None
) -> dict[str, Any]:
    """`{payments, total, page, limit, totalPages}` of one user's payments, newest first."""
    pager = svc.policies.pager
    limit = pager.parse_limit(raw_limit, default=PAYMENTS_DEFAULT_LIMIT, maximum=PAYMENTS_MAX_LIMIT)
    page = parse_page(raw_page)
    total = int(conn.execute("SELECT COUNT(*) FROM payments WHERE user_id = ?", (user_id,)).fetchone()[0])
    offset = pager.offset(page, limit)
    rows = (
        []
        if offset >= total
        else conn.execute(
            "SELECT * FROM payments WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            (user_id, limit, offset),
        ).fetchall()
    )
    return {
        "payments": [payment_view(r) for r in rows],
        "total": total,
        "page": page,
        "limit": limit,
        "totalPages": math.ceil(total / limit),
    }
