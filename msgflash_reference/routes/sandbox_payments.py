"""`/__sandbox/payments`: a payment history on demand, as sandbox controls (only with `ServerConfig.sandbox`;
outside the contract: payments come from the payment provider, no API route creates one).

* `POST /__sandbox/payments` `{user, count}` — records `count` (1..100) succeeded payments of `user` (a seeded
  identity name, an e-mail address or a user id) for its current plan, one minute apart and all older than
  every payment it already has, so `GET /api/v1/billing/payments` (newest first) keeps its existing items on
  top. 200 `{data: {ids: [<the new payment ids, newest first>], total: <the user's payment count now>}}`.
* `DELETE /__sandbox/payments/{paymentId}` — removes a payment this control recorded; 200
  `{data: {id, deleted: true}}`. Any other id, or one already removed, is 404 NOT_FOUND: seeded and
  checkout payments cannot be removed this way.

The ids the control recorded are kept in the `meta` table, so `POST /__sandbox/reset` forgets them with the
payments themselves.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from msgflash_reference.accounts import insert_payment
from msgflash_reference.bodies import json_body
from msgflash_reference.clock import iso, month_period, parse_iso
from msgflash_reference.envelopes import ok
from msgflash_reference.errors import not_found
from msgflash_reference.ids import parse_id
from msgflash_reference.requests.sandbox import PaymentsCreateBody
from msgflash_reference.routes.sandbox import _user_id
from msgflash_reference.services import Svc
from msgflash_reference.subscriptions import current_plan

router = APIRouter()

MADE_KEY = "sandbox.payments"  # meta row: JSON list of the payment ids this control recorded
SPACING = timedelta(minutes=1)


def _made(conn: sqlite3.Connection) -> list[str]:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (MADE_KEY,)).fetchone()
    return json.loads(row[0]) if row is not None else []


def _remember(conn: sqlite3.Connection, ids: list[str]) -> None:
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (MADE_KEY, json.dumps(ids)))


@router.post("/__sandbox/payments")
def create_sandbox_payments(
    svc: Svc, body: Annotated[PaymentsCreateBody, Depends(json_body(PaymentsCreateBody))]
) -> JSONResponse:
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        user_id = _user_id(conn, body.user)
        plan = current_plan(conn, svc.plans, user_id, now)
        oldest = conn.execute("SELECT MIN(created_at) FROM payments WHERE user_id = ?", (user_id,)).fetchone()[0]
        # below the oldest existing payment: the pages the user already had keep their first items
        start = min(now, parse_iso(oldest)) if oldest else now
        ids = []
        for n in range(1, body.count + 1):
            created = start - n * SPACING
            period_start, period_end = month_period(created)
            ids.append(insert_payment(
                conn, user_id=user_id, plan_code=plan.code, plan_name=plan.name, amount=plan.price_monthly * 100,
                status="succeeded", period_start=iso(period_start), period_end=iso(period_end),
                created_at=iso(created),
            ))
        _remember(conn, _made(conn) + ids)
        total = conn.execute("SELECT COUNT(*) FROM payments WHERE user_id = ?", (user_id,)).fetchone()[0]
    return ok({"ids": ids, "total": int(total)})


@router.delete("/__sandbox/payments/{payment_id:rid}")
def delete_sandbox_payment(payment_id: str, svc: Svc) -> JSONResponse:
    pid = parse_id(payment_id)
    with svc.db.transaction() as conn:
        made = _made(conn)
        if pid not in made:
            raise not_found("Payment")
        conn.execute("DELETE FROM payments WHERE id = ?", (pid,))
        _remember(conn, [i for i in made if i != pid])
    return ok({"id": pid, "deleted": True})
