"""Templates (facts §11.5, G3 G4 G7): CRUD, page/limit listing, preview.

A text template needs a `body`, a media template (image, video, audio, document) a `mediaUrl` (its body is an
optional caption); other types are 400 VALIDATION_ERROR. Placeholders are checked (400 TEMPLATE_INVALID, see
`templating.py`) and `variables` is always recomputed from the body: a `variables` list in the request is
accepted and ignored (TPL-06). The list is newest first, `page` ≥ 1, `limit` 1–100 (default 20). Preview
renders with the optional instance, contact and `variables` and sends nothing; what it cannot fill is listed in
`missingVariables` (`valid: false`); an unknown instance or contact is 404.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from msgflash_reference.auth import WorkspaceContext, WorkspaceKey
from msgflash_reference.billing_views import parse_page
from msgflash_reference.bodies import json_body, parse_body
from msgflash_reference.clock import iso
from msgflash_reference.envelopes import created, deleted, ok
from msgflash_reference.errors import invalid_field
from msgflash_reference.ids import new_id, parse_id
from msgflash_reference.requests.templates import PreviewBody, TemplateCreate, TemplateUpdate
from msgflash_reference.services import Services, Svc
from msgflash_reference.templating import RenderContext, contact_context, instance_context, render, user_context

router = APIRouter()

TEMPLATES_DEFAULT_LIMIT = 20
TEMPLATES_MAX_LIMIT = 100


def optional_json_body(model: type[PreviewBody]) -> Callable[[Request], Awaitable[PreviewBody]]:
    """The request body is optional here: none (or an empty one) is the model's defaults."""

    async def dependency(request: Request) -> PreviewBody:
        raw = await request.body()
        return model() if not raw.strip() else parse_body(model, raw)

    return dependency


def template_view(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "type": row["type"],
        "body": row["body"],
        "mediaUrl": row["media_url"],
        "variables": json.loads(row["variables"]),
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def _clean_name(name: str) -> str:
    if not name.strip():
        raise invalid_field("name", "must not be blank")
    return name.strip()


def _check_update(svc: Svc, body: TemplateUpdate) -> None:
    """G28: an update is judged on what it carries, like a create (so its answer never rests on the stored
    template): a new `type` brings the content it needs, and a `body` or `mediaUrl` it gives is not blank."""
    for field in ("body", "mediaUrl"):
        value = getattr(body, field)
        if field in body.model_fields_set and value is not None and not value.strip():
            raise invalid_field(field, "must not be blank")
    if body.type is not None:
        svc.policies.views.templates.check_content(body.type, body.body, body.mediaUrl)


def load_template(svc: Services, conn: sqlite3.Connection, ctx: WorkspaceContext, raw_id: str) -> sqlite3.Row:
    return svc.policies.ownership.load(conn, "templates", parse_id(raw_id), ctx.workspace_id, "Template")


@router.get("/api/v1/templates")
def list_templates(ctx: WorkspaceKey, svc: Svc, page: str | None = None, limit: str | None = None) -> JSONResponse:
    size = svc.policies.listings.templates.limit(svc.policies.pager, limit, default=TEMPLATES_DEFAULT_LIMIT,
                                         maximum=TEMPLATES_MAX_LIMIT)
    number = parse_page(page)
    offset = svc.policies.views.templates.offset(number, size)
    with svc.db.read() as conn:
        total = int(
            conn.execute("SELECT COUNT(*) FROM templates WHERE workspace_id = ?", (ctx.workspace_id,)).fetchone()[0]
        )
        rows = (
            []
            if offset >= total
            else conn.execute(
                "SELECT * FROM templates WHERE workspace_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                (ctx.workspace_id, size, offset),
            ).fetchall()
        )
    return ok(
        {
            "templates": [template_view(r) for r in rows],
            "total": total,
            "page": number,
            "limit": size,
            "totalPages": math.ceil(total / size),
        }
    )


@router.post("/api/v1/templates")
def create_template(
    ctx: WorkspaceKey, svc: Svc, body: Annotated[TemplateCreate, Depends(json_body(TemplateCreate))]
) -> JSONResponse:
    name = _clean_name(body.name)
    svc.policies.views.templates.check_content(body.type, body.body, body.mediaUrl)
    variables = svc.policies.messaging.template_variables.variables(body.body, body.variables)
    stamp = iso(svc.clock.now())
    template_id = new_id()
    with svc.db.transaction() as conn:
        conn.execute(
            """INSERT INTO templates (id, workspace_id, owner_id, name, type, body, media_url, variables, created_at,
                 updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                template_id,
                ctx.workspace_id,
                ctx.owner_id,
                name,
                body.type,
                body.body,
                body.mediaUrl,
                json.dumps(variables),
                stamp,
                stamp,
            ),
        )
        row = conn.execute("SELECT * FROM templates WHERE id = ?", (template_id,)).fetchone()
    return created(template_view(row))


@router.get("/api/v1/templates/{template_id:rid}")
def get_template(ctx: WorkspaceKey, svc: Svc, template_id: str) -> JSONResponse:
    with svc.db.read() as conn:
        return ok(template_view(load_template(svc, conn, ctx, template_id)))


@router.put("/api/v1/templates/{template_id:rid}")
def update_template(
    ctx: WorkspaceKey,
    svc: Svc,
    template_id: str,
    body: Annotated[TemplateUpdate, Depends(json_body(TemplateUpdate))],
) -> JSONResponse:
    tid = parse_id(template_id)
    _check_update(svc, body)
    with svc.db.transaction() as conn:
        row = load_template(svc, conn, ctx, tid)
        name = _clean_name(body.name) if body.name is not None else row["name"]
        kind = body.type or row["type"]
        text = body.body if "body" in body.model_fields_set else row["body"]
        media_url = body.mediaUrl if "mediaUrl" in body.model_fields_set else row["media_url"]
        svc.policies.views.templates.check_content(kind, text, media_url)
        variables = svc.policies.messaging.template_variables.variables(text, body.variables)
        conn.execute(
            """UPDATE templates SET name = ?, type = ?, body = ?, media_url = ?, variables = ?, updated_at = ?
               WHERE id = ?""",
            (name, kind, text, media_url, json.dumps(variables), iso(svc.clock.now()), tid),
        )
        row = conn.execute("SELECT * FROM templates WHERE id = ?", (tid,)).fetchone()
    return ok(template_view(row))


@router.delete("/api/v1/templates/{template_id:rid}")
def delete_template(ctx: WorkspaceKey, svc: Svc, template_id: str) -> JSONResponse:
    with svc.db.transaction() as conn:
        row = load_template(svc, conn, ctx, template_id)
        conn.execute("DELETE FROM templates WHERE id = ?", (row["id"],))
    return deleted(row["id"])


def _preview_context(
    conn: sqlite3.Connection, svc: Services, ctx: WorkspaceContext, body: PreviewBody
) -> RenderContext:
    ownership = svc.policies.ownership
    instance = contact = None
    if body.instanceId is not None:
        instance = ownership.load(
            conn, "instances", parse_id(body.instanceId, "instanceId"), ctx.workspace_id, "Instance"
        )
    if body.contactId is not None:
        contact = ownership.load(conn, "contacts", parse_id(body.contactId, "contactId"), ctx.workspace_id, "Contact")
    user = conn.execute("SELECT * FROM users WHERE id = ?", (ctx.actor_id,)).fetchone()
    return RenderContext(
        contact_context(contact) if contact is not None else None,
        user_context(user),
        instance_context(instance) if instance is not None else None,
        svc.policies.views.templates.preview_custom(body.variables),
    )


@router.post("/api/v1/templates/{template_id:rid}/preview")
def preview_template(
    ctx: WorkspaceKey,
    svc: Svc,
    template_id: str,
    body: Annotated[PreviewBody, Depends(optional_json_body(PreviewBody))],
) -> JSONResponse:
    with svc.db.read() as conn:
        template = load_template(svc, conn, ctx, template_id)
        rendering = render(template["body"], _preview_context(conn, svc, ctx, body))
    missing = svc.policies.views.previews.missing(rendering.missing)
    return ok(
        {
            "rendered": rendering.text,
            "variables": rendering.variables,
            "missingVariables": missing,
            "valid": not missing,
        }
    )
