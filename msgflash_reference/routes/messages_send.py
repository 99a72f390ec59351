"""`POST /api/v1/messages/send` and `POST /api/v1/messages/schedule` (facts §11.3, G2): 201 with the stored
message, `status: "queued"`; the delivery simulator (`delivery.py`) moves it on. Nothing reaches WhatsApp.

Order of checks: body (400 VALIDATION_ERROR; exactly one of type/templateId, content per type, ≤ 2 buttons),
recipient (422 INVALID_DESTINATION), subscription (403 SUBSCRIPTION_INACTIVE), instance (404; 403
INSTANCE_NOT_ASSIGNED for a team collaborator), template and contact (404 NOT_FOUND; template mode: 400
TEMPLATE_CONTEXT_UNAVAILABLE when the template reads `contact.*` and the contact is missing or unknown, 400
TEMPLATE_VARIABLES_MISSING when a placeholder has no value), then the monthly outbound quota (429
MONTHLY_OUTBOUND_QUOTA_EXCEEDED). A send counts on `messagesCount` of the paying owner at once; a scheduled
message is checked against the quota now and again, and counted, when it goes out.

The router's lifespan runs the messaging worker (deliveries, lookups, campaigns).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from msgflash_reference.auth import WorkspaceContext, WorkspaceKey
from msgflash_reference.bodies import json_body
from msgflash_reference.clock import iso
from msgflash_reference.delivery import DISPATCH_DELAY, enqueue_delivery
from msgflash_reference.envelopes import created
from msgflash_reference.errors import not_found
from msgflash_reference.ids import parse_id
from msgflash_reference.message_content import (
    MEDIA_TYPES,
    ScheduleBody,
    SendBody,
    buttons_meta,
    parse_timestamp,
)
from msgflash_reference.message_store import insert_message
from msgflash_reference.messaging_worker import messaging_lifespan
from msgflash_reference.outbound import load_usable_instance, usable_plan
from msgflash_reference.services import Services, Svc
from msgflash_reference.templating import (
    RenderContext,
    contact_context,
    instance_context,
    render,
    user_context,
    uses_namespace,
)

router = APIRouter(lifespan=messaging_lifespan)


@dataclass(frozen=True)
class Composed:
    type: str
    body: str | None
    media_url: str | None
    contact_id: str | None
    meta: dict[str, Any]


def _contact(conn: sqlite3.Connection, svc: Services, ctx: WorkspaceContext, contact_id: str) -> sqlite3.Row:
    return svc.policies.ownership.load(conn, "contacts", contact_id, ctx.workspace_id, "Contact")


def _compose_template(
    conn: sqlite3.Connection, svc: Services, ctx: WorkspaceContext, body: SendBody, instance: sqlite3.Row
) -> Composed:
    template = conn.execute(
        "SELECT * FROM templates WHERE id = ? AND workspace_id = ?",
        (parse_id(body.templateId or "", "templateId"), ctx.workspace_id),
    ).fetchone()
    if template is None:
        raise not_found("Template")
    names = svc.policies.messaging.template_variables.variables(template["body"], None)
    contact = None
    if body.contactId is not None:
        contact_id = parse_id(body.contactId, "contactId")
        contact = conn.execute(
            "SELECT * FROM contacts WHERE id = ? AND workspace_id = ?", (contact_id, ctx.workspace_id)
        ).fetchone()
        if contact is None and not uses_namespace(names, "contact"):
            raise not_found("Contact")
    if contact is None and uses_namespace(names, "contact"):
        svc.policies.send_rules.contact_context_missing()
    user = conn.execute("SELECT * FROM users WHERE id = ?", (ctx.actor_id,)).fetchone()
    context = RenderContext(
        contact_context(contact) if contact is not None else None,
        user_context(user),
        instance_context(instance),
        body.variables or {},
    )
    rendering = render(template["body"], context)
    text = svc.policies.send_rules.rendered_text(template["body"], rendering)
    meta = {"template": {"id": template["id"], "name": template["name"], "variables": body.variables or {}}}
    return Composed(template["type"], text, template["media_url"], contact["id"] if contact else None, meta)


def _compose_direct(conn: sqlite3.Connection, svc: Services, ctx: WorkspaceContext, body: SendBody) -> Composed:
    kind = str(body.type)
    contact = _contact(conn, svc, ctx, parse_id(body.contactId, "contactId")) if body.contactId else None
    meta: dict[str, Any] = {}
    text = body.text
    if kind == "location":
        meta["location"] = {
            "latitude": body.latitude,
            "longitude": body.longitude,
            "name": body.locationName,
            "address": body.locationAddress,
        }
        text = text or body.locationName
    elif kind == "contact" and contact is not None:
        meta["sharedContact"] = {"id": contact["id"], "name": contact["name"], "phone": contact["phone"]}
        text = text or contact["name"]
    elif kind == "buttons":
        meta["buttons"] = buttons_meta(body)
        text = text or body.description
    media_url = body.mediaUrl if kind in MEDIA_TYPES else None
    return Composed(kind, text, media_url, contact["id"] if contact else None, meta)


def accept_message(svc: Services, ctx: WorkspaceContext, body: SendBody, scheduled_at: datetime | None) -> JSONResponse:
    policies = svc.policies.messaging
    body = svc.policies.send_rules.checked(body)
    instances = svc.policies.instance_reference
    instance_ref = instances.parse(body.instanceId)
    if body.templateId is not None:
        parse_id(body.templateId, "templateId")
    if body.contactId is not None:
        parse_id(body.contactId, "contactId")
    to = policies.destination.normalize(body.to)
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        plan = usable_plan(conn, svc, ctx.owner_id, now)
        instance = load_usable_instance(svc, conn, ctx, instances.resolve(conn, ctx.workspace_id, instance_ref))
        if body.templateId is not None:
            content = _compose_template(conn, svc, ctx, body, instance)
        else:
            content = _compose_direct(conn, svc, ctx, body)
        policies.outbound.check(conn, ctx.owner_id, plan, now)
        message_id = insert_message(
            conn,
            workspace_id=ctx.workspace_id,
            owner_id=ctx.owner_id,
            user_id=ctx.actor_id,
            instance_id=instance["id"],
            to=to,
            from_number=instance["wa_number"],
            type_=content.type,
            body=content.body,
            status="queued",
            created_at=iso(now),
            contact_id=content.contact_id,
            media_url=content.media_url,
            meta=content.meta or None,
            scheduled_at=iso(scheduled_at) if scheduled_at else None,
        )
        if scheduled_at is None:
            policies.outbound.record(conn, ctx.owner_id, "messages", now)
            enqueue_delivery(conn, message_id, now + DISPATCH_DELAY, scheduled=False)
        else:
            enqueue_delivery(conn, message_id, max(scheduled_at, now + DISPATCH_DELAY), scheduled=True)
        row = conn.execute("SELECT * FROM messages WHERE id = ?", (message_id,)).fetchone()
    answer = created(policies.send_response.view(row))
    if scheduled_at is not None:
        answer.status_code = svc.policies.send_rules.schedule_status
    return answer


@router.post("/api/v1/messages/send")
def send_message(ctx: WorkspaceKey, svc: Svc, body: Annotated[SendBody, Depends(json_body(SendBody))]) -> JSONResponse:
    return accept_message(svc, ctx, body, None)


@router.post("/api/v1/messages/schedule")
def schedule_message(
    ctx: WorkspaceKey, svc: Svc, body: Annotated[ScheduleBody, Depends(json_body(ScheduleBody))]
) -> JSONResponse:
    when = parse_timestamp(body.scheduledAt, "scheduledAt")
    return accept_message(svc, ctx, body, when)
