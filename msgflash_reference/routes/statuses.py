"""`POST /api/v1/statuses` (facts §11.4): publish a WhatsApp status (simulated) → 201 {instanceId,
providerMessageId}. Needs the statuses feature on the paying owner's plan (403 STATUSES_NOT_AVAILABLE_ON_PLAN:
Pro and Plus in the default line-up) and counts on the monthly outbound quota (`statusesCount`, 429
MONTHLY_OUTBOUND_QUOTA_EXCEEDED when used up). An image status's `content` is its public URL (http or https).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from msgflash_reference.auth import WorkspaceKey
from msgflash_reference.bodies import json_body
from msgflash_reference.clock import iso
from msgflash_reference.delivery import provider_message_id
from msgflash_reference.envelopes import created
from msgflash_reference.errors import invalid_field
from msgflash_reference.ids import new_id, parse_id
from msgflash_reference.outbound import load_usable_instance, usable_plan
from msgflash_reference.requests.statuses import StatusBody
from msgflash_reference.services import Svc

router = APIRouter()


@router.post("/api/v1/statuses")
def publish_status(
    ctx: WorkspaceKey, svc: Svc, body: Annotated[StatusBody, Depends(json_body(StatusBody))]
) -> JSONResponse:
    instance_id = parse_id(body.instanceId, "instanceId")
    if not body.content.strip():
        raise invalid_field("content", "must not be blank")
    if body.type == "image" and not body.content.strip().lower().startswith(("https://", "http://")):
        raise invalid_field("content", "must be the public URL of the image for type image")
    policies = svc.policies.messaging
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        plan = usable_plan(conn, svc, ctx.owner_id, now)
        policies.features.require(svc.policies.plan_rules, plan, "statuses")
        instance = load_usable_instance(svc, conn, ctx, instance_id)
        policies.outbound.check(conn, ctx.owner_id, plan, now)
        provider_id = provider_message_id()
        conn.execute(
            """INSERT INTO published_statuses (id, workspace_id, owner_id, user_id, instance_id, type, content, caption,
                 background_color, provider_message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                new_id(),
                ctx.workspace_id,
                ctx.owner_id,
                ctx.actor_id,
                instance["id"],
                body.type,
                body.content,
                body.caption if body.type == "image" else None,
                body.backgroundColor if body.type == "text" else None,
                provider_id,
                iso(now),
            ),
        )
        policies.outbound.record(conn, ctx.owner_id, "statuses", now)
    return created(svc.policies.views.statuses.view(instance["id"], provider_id))
