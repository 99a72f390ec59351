"""Checks shared by everything that acts through an instance (send, schedule, statuses, campaigns, lookups).

* the paying owner's subscription must be usable (active or trialing), else 403 SUBSCRIPTION_INACTIVE;
* the instance must belong to the workspace (404 NOT_FOUND otherwise, unknown and foreign alike);
* in a team workspace a collaborator may only use instances assigned to them ([S]: 403 INSTANCE_NOT_ASSIGNED).
  The acting user of a team key is whoever created it; with a console session it is the signed-in member.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from msgflash_reference.auth import WorkspaceContext
from msgflash_reference.errors import ApiError
from msgflash_reference.plans import Plan
from msgflash_reference.services import Services
from msgflash_reference.subscriptions import current_subscription

USABLE_SUBSCRIPTION_STATUSES = frozenset({"active", "trialing"})


def usable_plan(conn: sqlite3.Connection, svc: Services, owner_id: str, now: datetime) -> Plan:
    """The owner's current plan; 403 SUBSCRIPTION_INACTIVE when the subscription cannot be used."""
    subscription = current_subscription(conn, svc.plans, owner_id, now)
    svc.policies.subscription_gate.check(subscription.status)
    return subscription.plan


def subscription_usable(conn: sqlite3.Connection, svc: Services, owner_id: str, now: datetime) -> bool:
    return current_subscription(conn, svc.plans, owner_id, now).status in USABLE_SUBSCRIPTION_STATUSES


def actor_role(conn: sqlite3.Connection, ctx: WorkspaceContext) -> str | None:
    """The acting user's role in the team workspace (None in a personal workspace or for a non-member)."""
    if not ctx.is_team:
        return None
    if ctx.role is not None:
        return ctx.role
    row = conn.execute(
        "SELECT role FROM team_members WHERE team_id = ? AND user_id = ? AND removed_at IS NULL",
        (ctx.team_id, ctx.actor_id),
    ).fetchone()
    return row["role"] if row else None


def load_usable_instance(
    svc: Services, conn: sqlite3.Connection, ctx: WorkspaceContext, instance_id: str
) -> sqlite3.Row:
    """The workspace's instance (404 otherwise), refused with 403 INSTANCE_NOT_ASSIGNED to a collaborator it was
    not assigned to."""
    row = svc.policies.ownership.load(conn, "instances", instance_id, ctx.workspace_id, "Instance")
    if svc.policies.assignment_gate.needs_assignment(actor_role(conn, ctx)):
        assigned = conn.execute(
            "SELECT 1 FROM instance_assignments WHERE team_id = ? AND instance_id = ? AND user_id = ?",
            (ctx.team_id, row["id"], ctx.actor_id),
        ).fetchone()
        if assigned is None:
            raise ApiError("INSTANCE_NOT_ASSIGNED", "This instance is not assigned to you in this team")
    return row
