"""Contact groups and their members (facts §10, §11.8, reference choice G6). The group cap is counted on the
paying owner across all of their workspaces (PLAN-13/14)."""

from __future__ import annotations

import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from msgflash_reference.auth import WorkspaceContext, WorkspaceKey
from msgflash_reference.bodies import json_body
from msgflash_reference.bulk_ops import add_members, remove_members
from msgflash_reference.clock import iso
from msgflash_reference.contact_store import ContactIds, clean_name, contact_ids, contact_view
from msgflash_reference.envelopes import accepted, created, deleted, ok
from msgflash_reference.ids import new_id, parse_id
from msgflash_reference.jobs import accepted_view, create_job
from msgflash_reference.listing import Filters, count, keyset_page
from msgflash_reference.plan_rules import CapScope
from msgflash_reference.policies.pagination import CREATED_DESC, SortSpec
from msgflash_reference.requests.groups import GroupCreate, GroupUpdate
from msgflash_reference.services import Services, Svc
from msgflash_reference.subscriptions import current_plan

router = APIRouter()

GROUPS_DEFAULT_LIMIT = 50
GROUPS_MAX_LIMIT = 100
MEMBERS_ORDER = SortSpec("addedAt_asc", "gm.added_at", False, True, id_column="gm.contact_id")


def group_view(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "color": row["color"],
        "contactCount": row["contact_count"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def load_group(conn: sqlite3.Connection, svc: Services, ctx: WorkspaceContext, group_id: str) -> sqlite3.Row:
    svc.policies.ownership.load(conn, "contact_groups", group_id, ctx.workspace_id, "Group")
    columns = svc.policies.contacts.group_counts.columns()
    return conn.execute(f"SELECT {columns} FROM contact_groups g WHERE g.id = ?", (group_id,)).fetchone()


@router.get("/api/v1/contacts/groups")
def list_groups(
    ctx: WorkspaceKey, svc: Svc, limit: str | None = None, cursor: str | None = None, search: str | None = None
) -> JSONResponse:
    pager, matcher = svc.policies.pager, svc.policies.search
    size = pager.parse_limit(limit, default=GROUPS_DEFAULT_LIMIT, maximum=GROUPS_MAX_LIMIT)
    term = matcher.parse(search)
    after = pager.decode(cursor, CREATED_DESC) if cursor is not None else None
    filters = Filters().add("workspace_id = ?", ctx.workspace_id)
    if term is not None:
        sql, params = matcher.condition("groups", term)
        filters.add(sql, *params)
    with svc.db.read() as conn:
        total = count(conn, "contact_groups g", filters)
        page = keyset_page(
            conn,
            pager,
            source="contact_groups g",
            columns=svc.policies.contacts.group_counts.columns(),
            filters=filters,
            sort=CREATED_DESC,
            limit=size,
            after=after,
        )
    return ok(
        {
            "groups": [group_view(r) for r in page.rows],
            "total": total,
            "limit": size,
            "nextCursor": page.next_cursor,
            "hasMore": page.has_more,
        }
    )


@router.post("/api/v1/contacts/groups")
def create_group(
    ctx: WorkspaceKey, svc: Svc, body: Annotated[GroupCreate, Depends(json_body(GroupCreate))]
) -> JSONResponse:
    name = clean_name(body.name)
    now = svc.clock.now()
    group_id = new_id()
    with svc.db.transaction() as conn:
        plan = current_plan(conn, svc.plans, ctx.owner_id, now)
        scope = CapScope(owner_id=ctx.owner_id, workspace_id=ctx.workspace_id)
        svc.policies.plan_rules.enforce(conn, "groups", plan, scope)
        conn.execute(
            """INSERT INTO contact_groups (id, workspace_id, owner_id, name, description, color, created_at,
                 updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (group_id, ctx.workspace_id, ctx.owner_id, name, body.description, body.color, iso(now), iso(now)),
        )
        row = load_group(conn, svc, ctx, group_id)
    return created(svc.policies.contacts.group_views.created(group_view(row)))


@router.get("/api/v1/contacts/groups/{group_id:rid}")
def get_group(ctx: WorkspaceKey, svc: Svc, group_id: str) -> JSONResponse:
    gid = parse_id(group_id, "groupId")
    with svc.db.read() as conn:
        return ok(group_view(load_group(conn, svc, ctx, gid)))


@router.put("/api/v1/contacts/groups/{group_id:rid}")
def update_group(
    ctx: WorkspaceKey, svc: Svc, group_id: str, body: Annotated[GroupUpdate, Depends(json_body(GroupUpdate))]
) -> JSONResponse:
    gid = parse_id(group_id, "groupId")
    given = body.model_fields_set
    changes: dict[str, object] = {}
    if "name" in given and body.name is not None:
        changes["name"] = clean_name(body.name)
    if "description" in given:
        changes["description"] = body.description
    if "color" in given:
        changes["color"] = body.color
    with svc.db.transaction() as conn:
        load_group(conn, svc, ctx, gid)
        if changes:
            assignments = ", ".join(f"{column} = ?" for column in changes)
            conn.execute(
                f"UPDATE contact_groups SET {assignments}, updated_at = ? WHERE id = ?",
                (*changes.values(), iso(svc.clock.now()), gid),
            )
        row = load_group(conn, svc, ctx, gid)
    return ok(group_view(row))


@router.delete("/api/v1/contacts/groups/{group_id:rid}")
def delete_group(ctx: WorkspaceKey, svc: Svc, group_id: str) -> JSONResponse:
    gid = parse_id(group_id, "groupId")
    with svc.db.transaction() as conn:
        load_group(conn, svc, ctx, gid)
        conn.execute("DELETE FROM contact_groups WHERE id = ?", (gid,))
    return deleted(gid)


@router.get("/api/v1/contacts/groups/{group_id:rid}/members")
def list_members(
    ctx: WorkspaceKey, svc: Svc, group_id: str, limit: str | None = None, cursor: str | None = None
) -> JSONResponse:
    """G6: members ordered by time added, then contact id."""
    gid = parse_id(group_id, "groupId")
    pager = svc.policies.pager
    size = pager.parse_limit(limit, default=GROUPS_DEFAULT_LIMIT, maximum=GROUPS_MAX_LIMIT)
    after = pager.decode(cursor, MEMBERS_ORDER) if cursor is not None else None
    with svc.db.read() as conn:
        load_group(conn, svc, ctx, gid)
        page = keyset_page(
            conn,
            pager,
            source="group_members gm JOIN contacts c ON c.id = gm.contact_id",
            columns="c.*, gm.added_at AS added_at, gm.contact_id AS contact_id",
            filters=Filters().add("gm.group_id = ?", gid),
            sort=MEMBERS_ORDER,
            limit=size,
            after=after,
        )
    return ok(
        {"members": [contact_view(r) for r in page.rows], "nextCursor": page.next_cursor, "hasMore": page.has_more}
    )


def _members_job(svc: Services, ctx: WorkspaceContext, operation: str, gid: str, ids: list[str]) -> JSONResponse:
    with svc.db.transaction() as conn:
        load_group(conn, svc, ctx, gid)
        job_id = create_job(
            conn,
            workspace_id=ctx.workspace_id,
            owner_id=ctx.owner_id,
            operation=operation,
            contact_ids=ids,
            group_id=gid,
            now_iso=iso(svc.clock.now()),
        )
    assert svc.jobs is not None
    svc.jobs.wake()
    return accepted(accepted_view(job_id, operation, len(ids), gid))


@router.post("/api/v1/contacts/groups/{group_id:rid}/members")
def add_group_members(
    ctx: WorkspaceKey, svc: Svc, group_id: str, body: Annotated[ContactIds, Depends(json_body(ContactIds))]
) -> JSONResponse:
    """< 100 ids: 200 {added, alreadyInGroup, notFound, total}; ≥ 100: 202 and a job."""
    gid = parse_id(group_id, "groupId")
    ids = contact_ids(body)
    rules = svc.policies.contacts.bulk
    rules.check_count(len(ids))
    if rules.is_async(len(ids)):
        return _members_job(svc, ctx, "add_to_group", gid, ids)
    with svc.db.transaction() as conn:
        load_group(conn, svc, ctx, gid)
        counts = add_members(conn, ctx.workspace_id, gid, ids, iso(svc.clock.now()))
    return ok(svc.policies.contacts.member_answers.added(counts, len(ids)))


@router.delete("/api/v1/contacts/groups/{group_id:rid}/members")
def remove_group_members(
    ctx: WorkspaceKey, svc: Svc, group_id: str, body: Annotated[ContactIds, Depends(json_body(ContactIds))]
) -> JSONResponse:
    """< 100 ids: 200 {removed, notInGroup}; ≥ 100: 202 and a job."""
    gid = parse_id(group_id, "groupId")
    ids = contact_ids(body)
    rules = svc.policies.contacts.bulk
    rules.check_count(len(ids))
    if rules.is_async(len(ids)):
        return _members_job(svc, ctx, "remove_from_group", gid, ids)
    with svc.db.transaction() as conn:
        load_group(conn, svc, ctx, gid)
        counts = remove_members(conn, gid, ids)
    return ok(rules.remove_result(counts, len(ids)))
