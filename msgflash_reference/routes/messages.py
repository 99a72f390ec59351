"""Message history (facts §11.3, G11): list newest first with `instanceId` and `status` filters, and get.
The send and schedule routes come with the messaging issue."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from msgflash_reference.auth import WorkspaceKey
from msgflash_reference.envelopes import ok
from msgflash_reference.ids import parse_id
from msgflash_reference.listing import Filters, keyset_page
from msgflash_reference.message_store import message_view
from msgflash_reference.policies.pagination import CREATED_DESC
from msgflash_reference.services import Svc

router = APIRouter()

MESSAGES_DEFAULT_LIMIT = 20
MESSAGES_MAX_LIMIT = 100


@router.get("/api/v1/messages")
def list_messages(
    ctx: WorkspaceKey,
    svc: Svc,
    limit: str | None = None,
    cursor: str | None = None,
    instanceId: str | None = None,  # the documented parameter name
    status: str | None = None,
) -> JSONResponse:
    pager = svc.policies.pager
    size = pager.parse_limit(limit, default=MESSAGES_DEFAULT_LIMIT, maximum=MESSAGES_MAX_LIMIT)
    after = pager.decode(cursor, CREATED_DESC) if cursor is not None else None
    filters = Filters().add("workspace_id = ?", ctx.workspace_id)
    svc.policies.message_filters.apply(filters, instanceId, status)
    with svc.db.read() as conn:
        page = keyset_page(
            conn, pager, source="messages", columns="*", filters=filters, sort=CREATED_DESC, limit=size, after=after
        )
    return ok(
        {"messages": [message_view(r) for r in page.rows], "nextCursor": page.next_cursor, "hasMore": page.has_more}
    )


@router.get("/api/v1/messages/{message_id:rid}")
def get_message(ctx: WorkspaceKey, svc: Svc, message_id: str) -> JSONResponse:
    mid = parse_id(message_id)
    with svc.db.read() as conn:
        row = svc.policies.ownership.load(conn, "messages", mid, ctx.workspace_id, "Message")
        return ok(svc.policies.views.messages.read(message_view(row)))
