"""Number lookups (facts §10, §11.13, G9): create (200 sync under 100 numbers, 202 async from 100), list
(cursor, newest first, `limit` 1–100 default 20), get (progress + `result` once done), progress, cancel
(async lookups still pending or processing; otherwise 400 BAD_REQUEST), import-contacts.

The instance must be the workspace's (404) and connected (400 BAD_REQUEST otherwise: the provider checks
through its WhatsApp session). Results are simulated from the numbers (see `lookups.py`, `phone_numbers.py`).
Import: a done lookup only (400 BAD_REQUEST otherwise); every number found on WhatsApp becomes a contact
named after the number (tagged with `tag` when given) unless the workspace already has a contact with that
phone (which then just gets the tag); numbers not on WhatsApp and invalid ones are never imported.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from msgflash_reference.auth import WorkspaceContext, WorkspaceKey
from msgflash_reference.bodies import json_body, parse_body
from msgflash_reference.clock import iso
from msgflash_reference.envelopes import accepted, ok
from msgflash_reference.errors import ApiError
from msgflash_reference.ids import new_id, parse_id
from msgflash_reference.listing import Filters, keyset_page
from msgflash_reference.lookups import (
    OPEN_STATUSES,
    async_view,
    create_lookup,
    lookup_view,
    progress_view,
    result_of,
    sync_view,
)
from msgflash_reference.outbound import load_usable_instance
from msgflash_reference.policies.pagination import CREATED_DESC
from msgflash_reference.requests.number_lookups import ImportBody, LookupCreate
from msgflash_reference.services import Services, Svc
from msgflash_reference.subscriptions import current_plan

router = APIRouter()

LOOKUPS_DEFAULT_LIMIT = 20
LOOKUPS_MAX_LIMIT = 100


def optional_import_body() -> Callable[[Request], Awaitable[ImportBody]]:
    async def dependency(request: Request) -> ImportBody:
        raw = await request.body()
        return ImportBody() if not raw.strip() else parse_body(ImportBody, raw)

    return dependency


def load_lookup(svc: Services, conn: sqlite3.Connection, ctx: WorkspaceContext, raw_id: str) -> sqlite3.Row:
    return svc.policies.ownership.load(conn, "number_lookups", parse_id(raw_id), ctx.workspace_id, "Number lookup")


@router.post("/api/v1/number-lookups")
def create_number_lookup(
    ctx: WorkspaceKey, svc: Svc, body: Annotated[LookupCreate, Depends(json_body(LookupCreate))]
) -> JSONResponse:
    instance_id = parse_id(body.instanceId, "instanceId")
    policies = svc.policies.messaging
    run_async = policies.lookups.is_async(len(body.numbers))
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        plan = current_plan(conn, svc.plans, ctx.owner_id, now)
        policies.features.require(svc.policies.plan_rules, plan, "numberLookups")
        instance = load_usable_instance(svc, conn, ctx, instance_id)
        if instance["status"] != "connected":
            raise ApiError("BAD_REQUEST", "The instance is not connected: lookups need a connected instance")
        lookup_id = create_lookup(
            conn,
            workspace_id=ctx.workspace_id,
            owner_id=ctx.owner_id,
            instance_id=instance["id"],
            numbers=body.numbers,
            run_async=run_async,
            now_iso=iso(now),
        )
        row = conn.execute("SELECT * FROM number_lookups WHERE id = ?", (lookup_id,)).fetchone()
    return accepted(async_view(row)) if run_async else ok(svc.policies.views.lookup_counters.sync(sync_view(row)))


@router.get("/api/v1/number-lookups")
def list_number_lookups(
    ctx: WorkspaceKey, svc: Svc, limit: str | None = None, cursor: str | None = None
) -> JSONResponse:
    pager = svc.policies.pager
    size = pager.parse_limit(limit, default=LOOKUPS_DEFAULT_LIMIT, maximum=LOOKUPS_MAX_LIMIT)
    after = pager.decode(cursor, CREATED_DESC) if cursor is not None else None
    filters = Filters().add("workspace_id = ?", ctx.workspace_id)
    with svc.db.read() as conn:
        page = keyset_page(
            conn,
            pager,
            source="number_lookups",
            columns="*",
            filters=filters,
            sort=CREATED_DESC,
            limit=size,
            after=after,
        )
    views = svc.policies.views.lookups
    lookups = [views.progress(progress_view(r)) for r in page.rows]
    return ok({"lookups": lookups, "nextCursor": page.next_cursor, "hasMore": page.has_more})


@router.get("/api/v1/number-lookups/{lookup_id:rid}")
def get_number_lookup(ctx: WorkspaceKey, svc: Svc, lookup_id: str) -> JSONResponse:
    with svc.db.read() as conn:
        return ok(lookup_view(load_lookup(svc, conn, ctx, lookup_id)))


@router.get("/api/v1/number-lookups/{lookup_id:rid}/progress")
def get_number_lookup_progress(ctx: WorkspaceKey, svc: Svc, lookup_id: str) -> JSONResponse:
    with svc.db.read() as conn:
        return ok(svc.policies.views.lookups.progress(progress_view(load_lookup(svc, conn, ctx, lookup_id))))


@router.post("/api/v1/number-lookups/{lookup_id:rid}/cancel")
def cancel_number_lookup(ctx: WorkspaceKey, svc: Svc, lookup_id: str) -> JSONResponse:
    now = iso(svc.clock.now())
    with svc.db.transaction() as conn:
        row = load_lookup(svc, conn, ctx, lookup_id)
        if row["mode"] != "async" or row["status"] not in OPEN_STATUSES:
            raise ApiError(
                "BAD_REQUEST", f"Only an asynchronous lookup in progress can be cancelled (this one is {row['status']})"
            )
        conn.execute(
            "UPDATE number_lookups SET status = 'cancelled', updated_at = ?, completed_at = ? WHERE id = ?",
            (now, now, row["id"]),
        )
        row = conn.execute("SELECT * FROM number_lookups WHERE id = ?", (row["id"],)).fetchone()
        return ok(svc.policies.views.lookups.progress(progress_view(row)))


def _import(
    conn: sqlite3.Connection, ctx: WorkspaceContext, numbers: list[str], tag: str | None, now: str
) -> dict[str, Any]:
    created_ids: list[str] = []
    existing = 0
    for number in dict.fromkeys(numbers):
        row = conn.execute(
            "SELECT id, tags FROM contacts WHERE workspace_id = ? AND phone = ? ORDER BY created_at LIMIT 1",
            (ctx.workspace_id, number),
        ).fetchone()
        if row is not None:
            existing += 1
            tags = json.loads(row["tags"])
            if tag and tag not in tags:
                conn.execute(
                    "UPDATE contacts SET tags = ?, updated_at = ? WHERE id = ?",
                    (json.dumps([*tags, tag]), now, row["id"]),
                )
            continue
        contact_id = new_id()
        conn.execute(
            """INSERT INTO contacts (id, workspace_id, owner_id, name, phone, tags, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (contact_id, ctx.workspace_id, ctx.owner_id, number, number, json.dumps([tag] if tag else []), now, now),
        )
        created_ids.append(contact_id)
    return {"imported": len(created_ids), "alreadyExisting": existing, "contactIds": created_ids}


@router.post("/api/v1/number-lookups/{lookup_id:rid}/import-contacts")
def import_lookup_contacts(
    ctx: WorkspaceKey, svc: Svc, lookup_id: str, body: Annotated[ImportBody, Depends(optional_import_body())]
) -> JSONResponse:
    tag = body.tag.strip() if body.tag and body.tag.strip() else None
    with svc.db.transaction() as conn:
        row = load_lookup(svc, conn, ctx, lookup_id)
        if row["status"] != "done":
            raise ApiError("BAD_REQUEST", f"Only a done lookup can be imported (this one is {row['status']})")
        result = result_of(row)
        numbers = svc.policies.messaging.lookups.importable(result)
        summary = _import(conn, ctx, numbers, tag, iso(svc.clock.now()))
    return ok(
        {
            "lookupId": row["id"],
            "tag": tag,
            **summary,
            "skippedNotOnWhatsApp": len(result["notOnWhatsApp"]),
            "skippedInvalid": len(result["invalid"]),
        }
    )
