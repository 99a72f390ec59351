"""Console contacts (reference choice G20): `GET/POST /api/contacts`, the same shapes as `/api/v1/contacts`,
in the personal workspace or the X-Team-Id team (404 TEAM_NOT_FOUND otherwise, TEAM-14..19).

The representative console resource route. Only the authentication differs from the public route (a JWT and
the console workspace instead of an API key), so the handlers are the public ones, called with the console
workspace: paging, search, validation and shapes cannot drift apart.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from msgflash_reference.bodies import json_body
from msgflash_reference.console_access import ConsoleContext
from msgflash_reference.contact_store import ContactCreate
from msgflash_reference.routes import contacts as public_contacts
from msgflash_reference.services import Svc

router = APIRouter()


@router.get("/api/contacts")
def list_contacts(
    ctx: ConsoleContext,
    svc: Svc,
    limit: str | None = None,
    cursor: str | None = None,
    search: str | None = None,
    sort: str | None = None,
) -> JSONResponse:
    return public_contacts.list_contacts(ctx=ctx, svc=svc, limit=limit, cursor=cursor, search=search, sort=sort)


@router.post("/api/contacts")
def create_contact(
    ctx: ConsoleContext, svc: Svc, body: Annotated[ContactCreate, Depends(json_body(ContactCreate))]
) -> JSONResponse:
    return public_contacts.create_contact(ctx=ctx, svc=svc, body=body)
