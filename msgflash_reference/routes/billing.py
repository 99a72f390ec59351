"""Public billing, read-only (facts §4.1, §11.2). Write methods answer 405 with Allow (G15, decisions #9).

Every answer is built by the public billing views policy (`policies/public_billing.py`), the write methods'
included: a method-less route after the GET routes takes whatever method they do not, and hands it to the
policy (whose default is the app's 405; the route has no `methods`, so `Allow` still lists GET only).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from msgflash_reference.auth import AnyKey, PersonalKey
from msgflash_reference.envelopes import ok
from msgflash_reference.services import Services, Svc

router = APIRouter()


def write_answer(request: Request, svc: Services) -> Response:
    """The endpoint behind write methods on public billing paths."""
    answer = svc.policies.public_billing.write(request, svc)
    return answer if isinstance(answer, Response) else JSONResponse(answer)


@router.get("/api/v1/billing/plans")
def get_plans(ctx: AnyKey, svc: Svc) -> JSONResponse:
    return ok(svc.policies.public_billing.plans(svc))


@router.get("/api/v1/billing/subscription")
def get_subscription(ctx: PersonalKey, svc: Svc) -> JSONResponse:
    with svc.db.read() as conn:
        return ok(svc.policies.public_billing.subscription(conn, svc, ctx.owner_id, svc.clock.now()))


@router.get("/api/v1/billing/usage")
def get_usage(ctx: PersonalKey, svc: Svc) -> JSONResponse:
    with svc.db.read() as conn:
        return ok(svc.policies.public_billing.usage(conn, svc, ctx.owner_id, svc.clock.now()))


@router.get("/api/v1/billing/payments")
def get_payments(ctx: PersonalKey, svc: Svc, page: str | None = None, limit: str | None = None) -> JSONResponse:
    with svc.db.read() as conn:
        return ok(svc.policies.public_billing.payments(conn, svc, ctx.owner_id, page, limit))


class _WriteMethods:
    """A plain ASGI endpoint, so Starlette leaves the route without `methods` (a function would get GET)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        answer = await run_in_threadpool(write_answer, request, request.app.state.services)
        await answer(scope, receive, send)


for _path in ("/api/v1/billing/plans", "/api/v1/billing/subscription", "/api/v1/billing/usage",
              "/api/v1/billing/payments"):
    router.add_route(_path, _WriteMethods(), include_in_schema=False)
