"""`/__sandbox/*`: controls of the embedded reference server, outside the MsgFlash contract. Registered only
when `ServerConfig.sandbox` is on; a suite must never need them against a real target.

* `GET|POST /__sandbox/clock` — read or move the server clock (`{advanceSeconds}`, `{now}` or
  `{reset: true}`): invitation expiry, end of the billing period, scheduled plan changes.
* `GET /__sandbox/outbox?email=&kind=` — the e-mails the server "sent" (invitation, verification and reset
  tokens), newest first. Nothing is really sent.
* `GET /__sandbox/checkout/{sessionId}` — the page a console `checkoutUrl` points to;
  `POST …/complete` plays the payment provider: the plan applies now and a payment is recorded.
* `POST /__sandbox/plan {user, plan}` and
  `POST /__sandbox/counters {user, messages?, statuses?, apiRequests?}` — put an account on a plan / set
  its counters for this month, without a payment. `user` is a seeded identity name (`owner`, `admin`,
  `collaborator`, `outsider`), an e-mail address or a user id.
* `POST /__sandbox/reset` — back to the state the server had when it finished starting: the seeded state
  (same identities, keys and passwords, so a written profile stays valid), or empty when started unseeded;
  the clock goes back to real time.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from msgflash_reference.bodies import json_body
from msgflash_reference.clock import iso, parse_iso
from msgflash_reference.envelopes import ok
from msgflash_reference.errors import ApiError, invalid_field, not_found, validation_error
from msgflash_reference.ids import parse_id
from msgflash_reference.outbox import MAIL_KINDS, read_outbox
from msgflash_reference.quotas import set_counters, usage_view
from msgflash_reference.requests.sandbox import ClockBody, CountersBody, PlanBody
from msgflash_reference.seed import SEED_META_KEY
from msgflash_reference.services import Services, Svc
from msgflash_reference.subscriptions import current_subscription, set_plan

Snapshot = dict[str, tuple[list[str], list[tuple[Any, ...]]]]
MAX_CLOCK_SHIFT_SECONDS = 100 * 366 * 24 * 3600


def take_snapshot(conn: sqlite3.Connection) -> Snapshot:
    tables = [
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    ]
    snapshot: Snapshot = {}
    for table in tables:
        cursor = conn.execute(f'SELECT * FROM "{table}"')
        snapshot[table] = ([d[0] for d in cursor.description], [tuple(r) for r in cursor.fetchall()])
    return snapshot


def restore_snapshot(conn: sqlite3.Connection, snapshot: Snapshot) -> None:
    """Inside a write transaction: every table emptied and refilled (foreign keys checked at commit)."""
    conn.execute("PRAGMA defer_foreign_keys = ON")
    tables = [
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    ]
    for table in tables:
        conn.execute(f'DELETE FROM "{table}"')
    for table, (columns, rows) in snapshot.items():
        if rows:
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


@asynccontextmanager
async def remember_start_state(app: FastAPI) -> AsyncIterator[None]:
    """The server has seeded (or not) before it starts serving: that state is what reset restores."""
    svc: Services = app.state.services
    with svc.db.read() as conn:
        app.state.sandbox_snapshot = take_snapshot(conn)
    yield


router = APIRouter(lifespan=remember_start_state)


def _clock_view(svc: Services) -> dict[str, Any]:
    return {"now": iso(svc.clock.now()), "offsetSeconds": svc.clock.offset.total_seconds()}


def _user_id(conn: sqlite3.Connection, user: str) -> str:
    """A seeded identity name, an e-mail address or a user id -> the user id; 404 NOT_FOUND otherwise."""
    wanted = user.strip()
    seeded = conn.execute("SELECT value FROM meta WHERE key = ?", (SEED_META_KEY,)).fetchone()
    if seeded is not None and wanted in json.loads(seeded[0]).get("users", {}):
        wanted = json.loads(seeded[0])["users"][wanted]
    row = conn.execute("SELECT id FROM users WHERE id = ? OR email = ?", (wanted.lower(), wanted)).fetchone()
    if row is None:
        raise not_found("User")
    return row["id"]


@router.get("/__sandbox/clock")
def get_clock(svc: Svc) -> JSONResponse:
    return ok(_clock_view(svc))


@router.post("/__sandbox/clock")
def move_clock(svc: Svc, body: Annotated[ClockBody, Depends(json_body(ClockBody))]) -> JSONResponse:
    given = [name for name in ("advanceSeconds", "now", "reset") if getattr(body, name) is not None]
    if len(given) != 1:
        raise validation_error([{"field": "body", "message": "give exactly one of advanceSeconds, now, reset"}])
    if body.advanceSeconds is not None:
        if abs(body.advanceSeconds) > MAX_CLOCK_SHIFT_SECONDS:
            raise invalid_field("advanceSeconds", "must be within 100 years")
        svc.clock.advance(timedelta(seconds=body.advanceSeconds))
    elif body.now is not None:
        try:
            svc.clock.set(parse_iso(body.now))
        except ValueError:
            raise invalid_field("now", "must be an ISO 8601 timestamp with a timezone") from None
    elif body.reset:
        svc.clock.reset()
    return ok(_clock_view(svc))


@router.get("/__sandbox/outbox")
def get_outbox(svc: Svc, email: str | None = None, kind: str | None = None) -> JSONResponse:
    if kind is not None and kind not in MAIL_KINDS:
        raise invalid_field("kind", f"must be one of {', '.join(MAIL_KINDS)}")
    with svc.db.read() as conn:
        return ok(read_outbox(conn, email, kind))


def _session(conn: sqlite3.Connection, raw_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM checkout_sessions WHERE id = ?", (parse_id(raw_id, "sessionId"),)).fetchone()
    if row is None:
        raise not_found("Checkout session")
    return row


def _session_view(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "sessionId": row["id"],
        "userId": row["user_id"],
        "planCode": row["plan_code"],
        "status": row["status"],
        "createdAt": row["created_at"],
        "completedAt": row["completed_at"],
    }


@router.get("/__sandbox/checkout/{session_id:rid}")
def get_checkout(session_id: str, svc: Svc) -> JSONResponse:
    with svc.db.read() as conn:
        return ok(_session_view(_session(conn, session_id)))


@router.post("/__sandbox/checkout/{session_id:rid}/complete")
def complete_checkout(session_id: str, svc: Svc) -> JSONResponse:
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        session = _session(conn, session_id)
        if session["status"] != "open":
            raise ApiError("CONFLICT", "This checkout session is already completed")
        plan = svc.plans.get(session["plan_code"])
        if plan is None:
            raise not_found("Plan")
        payment_id = svc.policies.billing.complete_checkout(svc, conn, session["user_id"], plan, now)
        conn.execute(
            "UPDATE checkout_sessions SET status = 'completed', completed_at = ? WHERE id = ?",
            (iso(now), session["id"]),
        )
        session = _session(conn, session_id)
    return ok({**_session_view(session), "paymentId": payment_id})


@router.post("/__sandbox/plan")
def put_on_plan(svc: Svc, body: Annotated[PlanBody, Depends(json_body(PlanBody))]) -> JSONResponse:
    if svc.plans.get(body.plan) is None:
        raise invalid_field("plan", f"must be one of {', '.join(p.code for p in svc.plans.plans)}")
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        user_id = _user_id(conn, body.user)
        set_plan(conn, user_id, body.plan, now)
        sub = current_subscription(conn, svc.plans, user_id, now)
    return ok({"userId": user_id, "plan": sub.plan.ref()})


@router.post("/__sandbox/counters")
def put_counters(svc: Svc, body: Annotated[CountersBody, Depends(json_body(CountersBody))]) -> JSONResponse:
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        user_id = _user_id(conn, body.user)
        set_counters(conn, user_id, now, messages=body.messages, statuses=body.statuses, api_requests=body.apiRequests)
        return ok({"userId": user_id, "usage": usage_view(conn, user_id, now)})


@router.post("/__sandbox/reset")
def reset(request: Request, svc: Svc) -> JSONResponse:
    snapshot: Snapshot = request.app.state.sandbox_snapshot
    with svc.db.transaction() as conn:
        restore_snapshot(conn, snapshot)
    svc.clock.reset()
    return ok({"reset": True, **_clock_view(svc)})
