"""Campaigns (facts §11.6): create, get, pause, resume. The run itself is `campaign_runner.py`.

Create: exactly one content mode (`templateId`, or `type` + content: text needs `body`, media types need
`mediaUrl`, buttons needs title, description and 1–2 buttons; location and contact are not campaign types);
recipients `all`, `tags` (≥ 1 tag), `explicit` (≥ 1 contact id, UUIDs; ids not in the workspace are skipped
when the campaign runs) or `group` (`groupId`, which must exist: 404); `repeat` none, noe (the docs' spelling),
daily or weekly — all 400 VALIDATION_ERROR when broken. Then 403 SUBSCRIPTION_INACTIVE, 403
CAMPAIGNS_NOT_AVAILABLE_ON_PLAN (the paying owner's plan: a team follows its owner), 404 for the instance or
template, 403 INSTANCE_NOT_ASSIGNED for a team collaborator. → 201 `status: "scheduled"` with `safety`.
Pause: scheduled or running → paused, otherwise 400 BAD_REQUEST. Resume: paused → running, otherwise 400.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from msgflash_reference.auth import WorkspaceContext, WorkspaceKey
from msgflash_reference.bodies import json_body
from msgflash_reference.campaign_runner import campaign_view, safety_of
from msgflash_reference.clock import iso
from msgflash_reference.envelopes import created, ok
from msgflash_reference.errors import ApiError, invalid_field, not_found, validation_error
from msgflash_reference.ids import is_uuid, new_id, parse_id
from msgflash_reference.message_content import (
    buttons_meta,
    buttons_problems,
    content_problems,
    parse_timestamp,
)
from msgflash_reference.outbound import load_usable_instance, usable_plan
from msgflash_reference.requests.campaigns import CampaignCreate
from msgflash_reference.services import Services, Svc

router = APIRouter()


def _check_body(body: CampaignCreate) -> None:
    if body.templateId is None and body.type is None:
        raise validation_error([{"field": "type", "message": "an empty campaign: give a templateId or a type"}])
    if body.templateId is not None and body.type is not None:
        raise validation_error([{"field": "templateId", "message": "give either templateId or type, not both"}])
    if not body.name.strip():
        raise invalid_field("name", "must not be blank")
    if body.type:
        problems = content_problems(body.type, text=body.body, text_field="body", body=body)
    else:
        problems = buttons_problems(body)
    recipients = body.recipients
    if recipients.type in ("tags", "explicit"):
        values = recipients.value or []
        if not values:
            problems.append(
                {"field": "recipients.value", "message": f"at least one entry is required for {recipients.type}"}
            )
        for n, value in enumerate(values):
            if not value.strip() or (recipients.type == "explicit" and not is_uuid(value)):
                what = "a contact id (UUID)" if recipients.type == "explicit" else "a non-empty tag"
                problems.append({"field": f"recipients.value.{n}", "message": f"must be {what}"})
                break
    if recipients.groupId is not None and not is_uuid(recipients.groupId):
        problems.append({"field": "recipients.groupId", "message": "must be a UUID"})
    elif recipients.type == "group" and recipients.groupId is None:
        problems.append({"field": "recipients.groupId", "message": "a group id (UUID) is required for type group"})
    if problems:
        raise validation_error(problems)


def _view(svc: Services, conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    view = campaign_view(conn, row)
    return {**view, "stats": svc.policies.views.campaigns.stats(view["stats"])}


def _load(svc: Services, conn: sqlite3.Connection, ctx: WorkspaceContext, raw_id: str) -> sqlite3.Row:
    campaign_id = parse_id(raw_id)
    return svc.policies.views.campaign_checks.load(svc.policies.ownership, conn, campaign_id, ctx.workspace_id)


@router.post("/api/v1/campaigns")
def create_campaign(
    ctx: WorkspaceKey, svc: Svc, body: Annotated[CampaignCreate, Depends(json_body(CampaignCreate))]
) -> JSONResponse:
    try:
        _check_body(body)
    except ApiError as err:
        if not svc.policies.views.campaign_checks.tolerates(err):
            raise
    schedule = iso(parse_timestamp(body.schedule, "schedule"))
    instance_id = parse_id(body.instanceId, "instanceId")
    template_id = parse_id(body.templateId, "templateId") if body.templateId else None
    policies = svc.policies.messaging
    now = svc.clock.now()
    campaign_id = new_id()
    with svc.db.transaction() as conn:
        plan = usable_plan(conn, svc, ctx.owner_id, now)
        policies.features.require(svc.policies.plan_rules, plan, "campaigns")
        instance = load_usable_instance(svc, conn, ctx, instance_id)
        if (
            template_id is not None
            and conn.execute(
                "SELECT 1 FROM templates WHERE id = ? AND workspace_id = ?", (template_id, ctx.workspace_id)
            ).fetchone()
            is None
        ):
            raise not_found("Template")
        recipients = body.recipients.model_dump(exclude_none=True)
        if body.recipients.type == "group" and body.recipients.groupId is not None:  # required by _check_body
            group_id = str(body.recipients.groupId).lower()
            svc.policies.ownership.load(conn, "contact_groups", group_id, ctx.workspace_id, "Group")
            recipients["groupId"] = group_id
        conn.execute(
            """INSERT INTO campaigns (id, workspace_id, owner_id, user_id, instance_id, name, template_id, type, body,
                 media_url, content, schedule, repeat, status, recipients, template_variables, safety, next_run_at,
                 created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                campaign_id,
                ctx.workspace_id,
                ctx.owner_id,
                ctx.actor_id,
                instance["id"],
                body.name.strip(),
                template_id,
                body.type,
                body.body if body.type else None,
                body.mediaUrl if body.type else None,
                json.dumps(buttons_meta(body)) if body.type == "buttons" else None,
                schedule,
                body.repeat,
                svc.policies.views.campaign_checks.initial_status,
                json.dumps(recipients),
                json.dumps(body.variables) if body.variables is not None else None,
                json.dumps(safety_of(instance)),
                schedule,
                iso(now),
                iso(now),
            ),
        )
        row = conn.execute("SELECT * FROM campaigns WHERE id = ?", (campaign_id,)).fetchone()
        return created(_view(svc, conn, row))


@router.get("/api/v1/campaigns/{campaign_id:rid}")
def get_campaign(ctx: WorkspaceKey, svc: Svc, campaign_id: str) -> JSONResponse:
    with svc.db.read() as conn:
        return ok(_view(svc, conn, _load(svc, conn, ctx, campaign_id)))


@router.post("/api/v1/campaigns/{campaign_id:rid}/pause")
def pause_campaign(ctx: WorkspaceKey, svc: Svc, campaign_id: str) -> JSONResponse:
    rules = svc.policies.messaging.campaigns
    with svc.db.transaction() as conn:
        row = _load(svc, conn, ctx, campaign_id)
        rules.check_pause(row["status"])
        conn.execute(
            "UPDATE campaigns SET status = 'paused', updated_at = ? WHERE id = ?", (iso(svc.clock.now()), row["id"])
        )
        return ok(_view(svc, conn, conn.execute("SELECT * FROM campaigns WHERE id = ?", (row["id"],)).fetchone()))


@router.post("/api/v1/campaigns/{campaign_id:rid}/resume")
def resume_campaign(ctx: WorkspaceKey, svc: Svc, campaign_id: str) -> JSONResponse:
    rules = svc.policies.messaging.campaigns
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        row = _load(svc, conn, ctx, campaign_id)
        rules.check_resume(row["status"])
        usable_plan(conn, svc, ctx.owner_id, now)
        instance = conn.execute("SELECT * FROM instances WHERE id = ?", (row["instance_id"],)).fetchone()
        safety = json.dumps(safety_of(instance)) if instance is not None else row["safety"]
        conn.execute(
            "UPDATE campaigns SET status = 'running', safety = ?, updated_at = ? WHERE id = ?",
            (safety, iso(now), row["id"]),
        )
        return ok(_view(svc, conn, conn.execute("SELECT * FROM campaigns WHERE id = ?", (row["id"],)).fetchone()))
