"""Console contacts (reference choice G20): `GET/POST /api/contacts`, the same shapes as `/api/v1/contacts`,
in the personal workspace or the X-Team-Id team (404 TEAM_NOT_FOUND otherwise, TEAM-14..19).

The representative console resource route: it goes through the same pager and search policies as the public
contacts listing, so the console and the public API page and search alike.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import Field

from msgflash_reference.bodies import StrictBody, json_body
from msgflash_reference.clock import iso
from msgflash_reference.console_access import ConsoleContext
from msgflash_reference.envelopes import created, ok
from msgflash_reference.errors import invalid_field
from msgflash_reference.ids import new_id
from msgflash_reference.policies.pagination import CONTACT_SORTS, CREATED_DESC
from msgflash_reference.services import Svc

router = APIRouter()

CONTACTS_DEFAULT_LIMIT = 50
CONTACTS_MAX_LIMIT = 100
E164 = r"^\+[1-9][0-9]{6,14}$"


class ContactBody(StrictBody):
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(pattern=E164)
    tags: list[str] = Field(default_factory=list, max_length=100)
    meta: dict[str, Any] | None = None


def contact_view(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "phone": row["phone"],
        "tags": json.loads(row["tags"]),
        "temperature": row["temperature"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


@router.get("/api/contacts")
def list_contacts(
    ctx: ConsoleContext,
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
    where, params = ["workspace_id = ?"], [ctx.workspace_id]
    if term is not None:
        sql, args = matcher.condition("contacts", term)
        where.append(sql)
        params.extend(args)
    with svc.db.read() as conn:
        total = int(conn.execute(f"SELECT COUNT(*) FROM contacts WHERE {' AND '.join(where)}", params).fetchone()[0])
        if cursor is not None:
            sql, args = pager.after(order, *pager.decode(cursor, order))
            where.append(sql)
            params.extend(args)
        rows = conn.execute(
            f"SELECT * FROM contacts WHERE {' AND '.join(where)} ORDER BY {pager.order_by(order)} LIMIT ?",
            [*params, pager.fetch_size(size)],
        ).fetchall()
    page = pager.page(rows, size, lambda r: pager.encode(r[order.column], r["id"]))
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


@router.post("/api/contacts")
def create_contact(
    ctx: ConsoleContext, svc: Svc, body: Annotated[ContactBody, Depends(json_body(ContactBody))]
) -> JSONResponse:
    name = body.name.strip()
    if not name:
        raise invalid_field("name", "must not be blank")
    stamp = iso(svc.clock.now())
    contact_id = new_id()
    with svc.db.transaction() as conn:
        conn.execute(
            """INSERT INTO contacts (id, workspace_id, owner_id, name, phone, tags, meta, created_at,
                 updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
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
    return created({**contact_view(row), "meta": body.meta})
