"""Webhook endpoints (facts §11.10, G4 G8): create (201 with the one-time signing `secret`), list (no secret),
delete (200 {id, deleted: true}; again → 404).

`url` must be an absolute http(s) URL (the guide asks for HTTPS; plain http is accepted — WH-04 is INFO);
`events` 1–50 names from the documented set (duplicates kept once, in order). The plan gate and the cap are the
core's plan rules on the paying owner: 403 WEBHOOKS_NOT_AVAILABLE_ON_PLAN (Free), 403
MAX_WEBHOOK_ENDPOINTS_REACHED (Starter 3, Pro 10, Plus 50). Nothing is ever posted to the URL.
"""

from __future__ import annotations

import json
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from msgflash_reference.auth import WorkspaceKey
from msgflash_reference.bodies import json_body
from msgflash_reference.clock import iso
from msgflash_reference.envelopes import created, ok
from msgflash_reference.errors import invalid_field
from msgflash_reference.ids import new_id, parse_id
from msgflash_reference.plan_rules import CapScope
from msgflash_reference.requests.webhooks import WebhookCreate
from msgflash_reference.services import Svc
from msgflash_reference.subscriptions import current_plan

router = APIRouter()


def signing_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def _check_url(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
        ok_url = parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and " " not in url.strip()
    except ValueError:
        ok_url = False
    if not ok_url:
        raise invalid_field("url", "must be an absolute http(s) URL")
    return url.strip()


@router.get("/api/v1/webhooks")
def list_webhooks(ctx: WorkspaceKey, svc: Svc) -> JSONResponse:
    shapes = svc.policies.messaging.webhook_shapes
    with svc.db.read() as conn:
        rows = conn.execute(
            "SELECT * FROM webhooks WHERE workspace_id = ? AND deleted_at IS NULL ORDER BY created_at, id",
            (ctx.workspace_id,),
        ).fetchall()
    return ok([shapes.listed(r) for r in rows])


@router.post("/api/v1/webhooks")
def create_webhook(
    ctx: WorkspaceKey, svc: Svc, body: Annotated[WebhookCreate, Depends(json_body(WebhookCreate))]
) -> JSONResponse:
    url = _check_url(body.url)
    svc.policies.views.webhooks.check_events(len(body.events))
    events = list(dict.fromkeys(body.events))
    now = svc.clock.now()
    webhook_id = new_id()
    with svc.db.transaction() as conn:
        plan = current_plan(conn, svc.plans, ctx.owner_id, now)
        svc.policies.plan_rules.enforce(
            conn, "webhooks", plan, CapScope(owner_id=ctx.owner_id, workspace_id=ctx.workspace_id)
        )
        conn.execute(
            """INSERT INTO webhooks (id, workspace_id, owner_id, url, events, secret, active, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)""",
            (webhook_id, ctx.workspace_id, ctx.owner_id, url, json.dumps(events), signing_secret(), iso(now), iso(now)),
        )
        row = conn.execute("SELECT * FROM webhooks WHERE id = ?", (webhook_id,)).fetchone()
    return created(svc.policies.messaging.webhook_shapes.created(row))


@router.delete("/api/v1/webhooks/{webhook_id:rid}")
def delete_webhook(ctx: WorkspaceKey, svc: Svc, webhook_id: str) -> JSONResponse:
    wid = parse_id(webhook_id)
    with svc.db.transaction() as conn:
        messaging = svc.policies.messaging
        messaging.webhook_deletion.delete(conn, svc.policies.ownership, messaging.webhook_removal, wid,
                                          ctx.workspace_id, iso(svc.clock.now()))
        row = conn.execute("SELECT * FROM webhooks WHERE id = ? AND workspace_id = ?", (wid, ctx.workspace_id))
        return svc.policies.messaging.webhook_shapes.removed(wid, row.fetchone())
