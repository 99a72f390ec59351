"""Public billing, read-only (facts §4.1, §11.2). Write methods answer 405 with Allow (G15, decisions #9)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from msgflash_reference.auth import AnyKey, PersonalKey
from msgflash_reference.billing_views import payments_page, plans_list, subscription_overview, usage_summary
from msgflash_reference.envelopes import ok
from msgflash_reference.services import Svc

router = APIRouter()


@router.get("/api/v1/billing/plans")
def get_plans(ctx: AnyKey, svc: Svc) -> JSONResponse:
    return ok(plans_list(svc))


@router.get("/api/v1/billing/subscription")
def get_subscription(ctx: PersonalKey, svc: Svc) -> JSONResponse:
    with svc.db.read() as conn:
        return ok(subscription_overview(conn, svc, ctx.owner_id, svc.clock.now()))


@router.get("/api/v1/billing/usage")
def get_usage(ctx: PersonalKey, svc: Svc) -> JSONResponse:
    with svc.db.read() as conn:
        return ok(usage_summary(conn, svc, ctx.owner_id, svc.clock.now()))


@router.get("/api/v1/billing/payments")
def get_payments(
    ctx: PersonalKey, svc: Svc, page: str | None = None, limit: str | None = None
) -> JSONResponse:
    with svc.db.read() as conn:
        return ok(payments_page(conn, svc, ctx.owner_id, page, limit))
