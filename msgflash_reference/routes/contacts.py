"""Public contacts (facts §9, §10, §11.7): list (cursor, search, sort), CRUD, bulk delete."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from msgflash_reference.auth import WorkspaceKey
from msgflash_reference.bodies import json_body
from msgflash_reference.bulk_ops import delete_contacts
from msgflash_reference.clock import iso
from msgflash_reference.contact_store import (
    CONTACTS_DEFAULT_LIMIT,
    CONTACTS_MAX_LIMIT,
    ContactCreate,
    ContactIds,
    ContactUpdate,
    clean_name,
    contact_ids,
    contact_view,
)
from msgflash_reference.envelopes import accepted, created, deleted, ok
from msgflash_reference.ids import new_id, parse_id
from msgflash_reference.jobs import accepted_view, create_job
from msgflash_reference.listing import Filters, count, keyset_page
from msgflash_reference.policies.pagination import CONTACT_SORTS, CREATED_DESC
from msgflash_reference.services import Svc

router = APIRouter()


@router.get("/api/v1/contacts")
def list_contacts(
    ctx: WorkspaceKey,
    svc: Svc,
    limit: str | None = None,
    cursor: str | None = None,
    search: str | None = None,
    sort: str | None = None,
) -> JSONResponse:
    pager, matcher = svc.policies.pager, svc.policies.search
    size = pager.parse_limit(limit, default=CONTACTS_DEFAULT_LIMIT, maximum=CONTACTS_MAX_LIMIT)
    order = pager.resolve_sort(sort, CONTACT_SORTS, CREATED_DESC)
    term = matcher.parse(search)
    after = pager.decode(cursor, order) if cursor is not None else None
    filters = Filters().add("workspace_id = ?", ctx.workspace_id)
    if term is not None:
        sql, params = matcher.condition("contacts", term)
        filters.add(sql, *params)
    with svc.db.read() as conn:
        total = count(conn, "contacts", filters)
        page = keyset_page(
            conn, pager, source="contacts", columns="*", filters=filters, sort=order, limit=size, after=after
        )
    return ok(
        {
            "contacts": [contact_view(r) for r in page.rows],
            "total": total,
            "limit": size,
            "sort": order.name,
            "nextCursor": page.next_cursor,
            "hasMore": page.has_more,
        }
    )


@router.post("/api/v1/contacts")
def create_contact(
    ctx: WorkspaceKey, svc: Svc, body: Annotated[ContactCreate, Depends(json_body(ContactCreate))]
) -> JSONResponse:
    name = clean_name(body.name)
    stamp = iso(svc.clock.now())
    contact_id = new_id()
    with svc.db.transaction() as conn:
        conn.execute(
            """INSERT INTO contacts (id, workspace_id, owner_id, name, phone, tags, meta, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                contact_id,
                ctx.workspace_id,
                ctx.owner_id,
                name,
                body.phone,
                json.dumps(body.tags),
                json.dumps(body.meta) if body.meta is not None else None,
                stamp,
                stamp,
            ),
        )
        row = conn.execute("SELECT * FROM contacts WHERE id = ?", (contact_id,)).fetchone()
    return created(svc.policies.contacts.contact_answers.created(contact_view(row, with_meta=True)))


@router.get("/api/v1/contacts/{contact_id:rid}")
def get_contact(ctx: WorkspaceKey, svc: Svc, contact_id: str) -> JSONResponse:
    cid = parse_id(contact_id)
    with svc.db.read() as conn:
        row = svc.policies.ownership.load(conn, "contacts", cid, ctx.workspace_id, "Contact")
        return ok(contact_view(row, with_meta=True))


@router.put("/api/v1/contacts/{contact_id:rid}")
def update_contact(
    ctx: WorkspaceKey,
    svc: Svc,
    contact_id: str,
    body: Annotated[ContactUpdate, Depends(json_body(ContactUpdate))],
) -> JSONResponse:
    cid = parse_id(contact_id)
    with svc.db.transaction() as conn:
        stored = svc.policies.ownership.load(conn, "contacts", cid, ctx.workspace_id, "Contact")
        changes = svc.policies.contacts.update.changes(body, stored, clean_name)
        if changes:
            assignments = ", ".join(f"{column} = ?" for column in changes)
            conn.execute(
                f"UPDATE contacts SET {assignments}, updated_at = ? WHERE id = ?",
                (*changes.values(), iso(svc.clock.now()), cid),
            )
        row = conn.execute("SELECT * FROM contacts WHERE id = ?", (cid,)).fetchone()
    return ok(contact_view(row, with_meta=True))


@router.delete("/api/v1/contacts/{contact_id:rid}")
def delete_contact(ctx: WorkspaceKey, svc: Svc, contact_id: str) -> JSONResponse:
    cid = parse_id(contact_id)
    with svc.db.transaction() as conn:
        svc.policies.ownership.load(conn, "contacts", cid, ctx.workspace_id, "Contact")
        conn.execute("DELETE FROM contacts WHERE id = ?", (cid,))
    return deleted(cid)


@router.post("/api/v1/contacts/bulk-delete")
def bulk_delete(
    ctx: WorkspaceKey, svc: Svc, body: Annotated[ContactIds, Depends(json_body(ContactIds))]
) -> JSONResponse:
    """< 100 ids: 200 {requested, deleted, notFound: [ids]}; ≥ 100: 202 and a job (facts §10)."""
    ids = contact_ids(body)
    rules = svc.policies.contacts.bulk
    rules.check_count(len(ids))
    now = iso(svc.clock.now())
    with svc.db.transaction() as conn:
        if rules.is_async(len(ids)):
            job_id = create_job(
                conn,
                workspace_id=ctx.workspace_id,
                owner_id=ctx.owner_id,
                operation="bulk_delete_contacts",
                contact_ids=ids,
                group_id=None,
                now_iso=now,
            )
        else:
            removed, missing = delete_contacts(conn, ctx.workspace_id, ids)
            return ok(rules.delete_result(len(ids), removed, missing))
    assert svc.jobs is not None
    svc.jobs.wake()
    return accepted(accepted_view(job_id, "bulk_delete_contacts", len(ids), None))
