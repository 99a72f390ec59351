"""Console billing (facts §4.2, decisions #2 #3, G13 G14): `/api/billing/*` with a JWT and optional X-Team-Id.

Who may call what in a team is the role matrix (`policies/roles.py`): subscription/usage for owner and admin
(collaborators 403 FORBIDDEN, G13), payments for the owner (403 BILLING_PAYMENTS_TEAM_OWNER_ONLY), mutations
for the owner (403 BILLING_TEAM_MUTATION_FORBIDDEN). What a read shows and what a mutation does is the
billing policy (`policies/billing.py`). Mutations act on the caller's own subscription (in a team, the
owner's).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from msgflash_reference.auth import WorkspaceContext
from msgflash_reference.billing_views import payments_page, plans_list, subscription_overview, usage_summary
from msgflash_reference.bodies import json_body
from msgflash_reference.clock import iso
from msgflash_reference.console_access import ConsoleContext
from msgflash_reference.envelopes import ok
from msgflash_reference.ids import new_id
from msgflash_reference.policies.roles import Action
from msgflash_reference.requests.console_billing import CheckoutBody, DowngradeBody
from msgflash_reference.services import Services, Svc

router = APIRouter()


def _reader(svc: Services, ctx: WorkspaceContext, action: Action) -> str:
    """The account a read shows, after the role check."""
    svc.policies.roles.require(action, ctx.role)
    return svc.policies.billing.account_for_read(ctx)


def _mutator(svc: Services, ctx: WorkspaceContext) -> str:
    svc.policies.roles.require(Action.BILLING_MUTATE, ctx.role)
    return ctx.owner_id


@router.get("/api/billing/plans")
def get_plans(request: Request, svc: Svc) -> JSONResponse:
    """Public catalogue, no authentication (BILL-19)."""
    svc.policies.billing.check_plans_access(request, svc)
    return ok(plans_list(svc))


@router.get("/api/billing/subscription")
def get_subscription(ctx: ConsoleContext, svc: Svc) -> JSONResponse:
    account = _reader(svc, ctx, Action.BILLING_READ)
    with svc.db.read() as conn:
        return ok(subscription_overview(conn, svc, account, svc.clock.now()))


@router.get("/api/billing/usage")
def get_usage(ctx: ConsoleContext, svc: Svc) -> JSONResponse:
    account = _reader(svc, ctx, Action.BILLING_READ)
    with svc.db.read() as conn:
        return ok(usage_summary(conn, svc, account, svc.clock.now()))


@router.get("/api/billing/payments")
def get_payments(ctx: ConsoleContext, svc: Svc, page: str | None = None, limit: str | None = None) -> JSONResponse:
    account = _reader(svc, ctx, Action.BILLING_PAYMENTS)
    with svc.db.read() as conn:
        return ok(payments_page(conn, svc, account, page, limit))


@router.post("/api/billing/checkout")
def checkout(
    request: Request,
    ctx: ConsoleContext,
    svc: Svc,
    body: Annotated[CheckoutBody, Depends(json_body(CheckoutBody))],
) -> JSONResponse:
    """G14: 200 {checkoutUrl, sessionId}. The URL is the sandbox's checkout page: nothing external is called;
    `POST /__sandbox/checkout/{sessionId}/complete` plays the provider's "paid" event."""
    account = _mutator(svc, ctx)
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        plan = svc.policies.billing.checkout_plan(svc, conn, account, body.planCode.strip(), now)
        session_id = new_id()
        conn.execute(
            "INSERT INTO checkout_sessions (id, user_id, plan_code, created_at) VALUES (?, ?, ?, ?)",
            (session_id, account, plan.code, iso(now)),
        )
    return ok({"checkoutUrl": f"{request.base_url}__sandbox/checkout/{session_id}", "sessionId": session_id})


@router.post("/api/billing/cancel")
def cancel(ctx: ConsoleContext, svc: Svc) -> JSONResponse:
    account = _mutator(svc, ctx)
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        svc.policies.billing.cancel(svc, conn, account, now)
        return ok(subscription_overview(conn, svc, account, now))


@router.post("/api/billing/downgrade")
def downgrade(
    ctx: ConsoleContext, svc: Svc, body: Annotated[DowngradeBody, Depends(json_body(DowngradeBody))]
) -> JSONResponse:
    account = _mutator(svc, ctx)
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        svc.policies.billing.downgrade(svc, conn, account, body.plan.strip(), now)
        return ok(subscription_overview(conn, svc, account, now))


@router.post("/api/billing/cancel-scheduled-change")
def cancel_scheduled_change(ctx: ConsoleContext, svc: Svc) -> JSONResponse:
    account = _mutator(svc, ctx)
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        svc.policies.billing.cancel_scheduled_change(svc, conn, account, now)
        return ok(subscription_overview(conn, svc, account, now))
