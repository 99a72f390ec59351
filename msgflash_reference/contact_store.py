"""Contacts (facts §11.7): request bodies, the API shape, and the rules shared by the routes."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from pydantic import Field

from msgflash_reference.bodies import NonNullBody, StrictBody
from msgflash_reference.errors import invalid_field
from msgflash_reference.ids import is_uuid

E164 = r"^\+[1-9][0-9]{6,14}$"
CONTACTS_DEFAULT_LIMIT = 50
CONTACTS_MAX_LIMIT = 100
BULK_MAX_IDS = 10_000


class ContactCreate(NonNullBody):
    """The spec types each field (meta an object): a null is refused, leave the field out instead."""

    name: str = Field(min_length=1)
    phone: str = Field(pattern=E164)
    tags: list[str] = Field(default_factory=list)
    meta: dict[str, Any] | None = None


class ContactUpdate(NonNullBody):
    """All optional, never null; `tags` and `meta` replace the stored values (CNT-03)."""

    name: str | None = Field(default=None, min_length=1)
    phone: str | None = Field(default=None, pattern=E164)
    tags: list[str] | None = Field(default=None)
    meta: dict[str, Any] | None = None


class ContactIds(StrictBody):
    """1 to 10 000 contact ids (UUIDs); the upper bound is the bulk policy's (`policies/contacts.py`)."""

    contactIds: list[str] = Field(min_length=1)  # the documented name


def clean_name(name: str) -> str:
    stripped = name.strip()
    if not stripped:
        raise invalid_field("name", "must not be blank")
    return stripped


def contact_ids(body: ContactIds) -> list[str]:
    """Canonical (lowercase) ids in the order given; 400 when one is not a UUID."""
    bad = [n for n, value in enumerate(body.contactIds) if not is_uuid(value)]
    if bad:
        raise invalid_field(f"contactIds.{bad[0]}", "must be a UUID")
    return [value.lower() for value in body.contactIds]


def contact_view(row: sqlite3.Row, *, with_meta: bool = False) -> dict[str, Any]:
    """List items carry no `meta` (facts §11.7); a single contact does."""
    view: dict[str, Any] = {
        "id": row["id"],
        "name": row["name"],
        "phone": row["phone"],
        "tags": json.loads(row["tags"]),
        "temperature": row["temperature"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }
    if with_meta:
        view["meta"] = json.loads(row["meta"]) if row["meta"] else None
    return view
