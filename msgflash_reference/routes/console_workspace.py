"""`GET /api/workspace/current` (facts §2.2, [S]): the workspace a console request runs in.

Personal mode: `team` null, viewer == owner, every `can…` capability true. Team mode: the owner's plan,
limits, subscription and usage; the capabilities follow the caller's role through the role matrix, and the
plan's features where a feature gates the action.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from msgflash_reference.auth import WorkspaceContext
from msgflash_reference.console_access import ConsoleContext
from msgflash_reference.envelopes import ok
from msgflash_reference.plans import Plan
from msgflash_reference.policies.roles import Action, RoleMatrix
from msgflash_reference.quotas import period_view, usage_view
from msgflash_reference.services import Svc
from msgflash_reference.subscriptions import Subscription, current_subscription

router = APIRouter()


def _person(conn: sqlite3.Connection, user_id: str) -> dict[str, Any]:
    row = conn.execute("SELECT id, email, full_name FROM users WHERE id = ?", (user_id,)).fetchone()
    return {"id": row["id"], "email": row["email"], "fullName": row["full_name"]}


def capabilities(matrix: RoleMatrix, role: str | None, plan: Plan) -> dict[str, bool]:
    if role is None:  # the personal workspace: the caller's own account
        return {
            "canSendMessages": True,
            "canCreateCampaigns": True,
            "canPublishStatuses": True,
            "canUseWebhooks": True,
            "canUseNumberLookups": True,
            "canMutateBilling": True,
            "canViewPayments": True,
            "canManageMembers": True,
            "canManageInstances": True,
            "canManageApiKeys": True,
            "canManageWebhooks": True,
            "canManageTemplates": True,
            "isRestrictedCollaborator": False,
        }
    return {
        "canSendMessages": True,
        "canCreateCampaigns": plan.campaigns,
        "canPublishStatuses": plan.statuses,
        "canUseWebhooks": plan.webhooks,
        "canUseNumberLookups": plan.number_lookups,
        "canMutateBilling": matrix.allows(Action.BILLING_MUTATE, role),
        "canViewPayments": matrix.allows(Action.BILLING_PAYMENTS, role),
        "canManageMembers": matrix.allows(Action.INVITATIONS_MANAGE, role),
        "canManageInstances": matrix.allows(Action.ASSIGNMENTS_MANAGE, role),
        "canManageApiKeys": matrix.allows(Action.API_KEYS_MANAGE, role),
        "canManageWebhooks": plan.webhooks,
        "canManageTemplates": True,
        "isRestrictedCollaborator": role == "collaborator",
    }


def _team(conn: sqlite3.Connection, ctx: WorkspaceContext) -> dict[str, Any] | None:
    if ctx.team_id is None:
        return None
    row = conn.execute("SELECT id, name, created_at FROM teams WHERE id = ?", (ctx.team_id,)).fetchone()
    return {
        "id": row["id"],
        "name": row["name"],
        "role": ctx.role,
        "isOwner": ctx.role == "owner",
        "createdAt": row["created_at"],
    }


def _subscription(sub: Subscription) -> dict[str, Any]:
    return {
        "plan": sub.plan.ref(),
        "scheduledPlan": sub.scheduled_plan,
        "scheduledPlanAt": sub.scheduled_plan_at,
        "scheduledAction": sub.scheduled_action,
    }


@router.get("/api/workspace/current")
def current_workspace(ctx: ConsoleContext, svc: Svc) -> JSONResponse:
    now = svc.clock.now()
    with svc.db.read() as conn:
        sub = current_subscription(conn, svc.plans, ctx.owner_id, now)
        return ok(
            {
                "kind": "team" if ctx.is_team else "personal",
                "viewer": _person(conn, ctx.actor_id),
                "owner": _person(conn, ctx.owner_id),
                "team": _team(conn, ctx),
                "plan": sub.plan.ref(),
                "limits": sub.plan.limits(),
                "features": sub.plan.features(),
                "subscription": _subscription(sub),
                "usage": usage_view(conn, ctx.owner_id, now),
                "period": period_view(now),
                "capabilities": capabilities(svc.policies.roles, ctx.role, sub.plan),
            }
        )
