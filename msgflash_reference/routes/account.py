"""`GET /api/v1/me` and `GET /api/v1/usage` (personal key only; facts §11.1, G5)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from msgflash_reference.auth import PersonalKey
from msgflash_reference.billing_views import me_view
from msgflash_reference.envelopes import ok
from msgflash_reference.services import Svc

router = APIRouter()


@router.get("/api/v1/me")
def get_me(ctx: PersonalKey, svc: Svc) -> JSONResponse:
    with svc.db.read() as conn:
        return svc.policies.account_answers.me(me_view(conn, svc, ctx.actor_id, svc.clock.now()))


@router.get("/api/v1/usage")
def get_legacy_usage(ctx: PersonalKey, svc: Svc) -> JSONResponse:
    """Legacy alias: the same body as /api/v1/billing/usage."""
    with svc.db.read() as conn:
        return ok(svc.policies.public_billing.legacy_usage(conn, svc, ctx.owner_id, svc.clock.now()))
