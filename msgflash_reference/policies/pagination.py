"""Cursor pagination: limit parsing, sort orders, the opaque cursor codec, keyset conditions, page building.

A cursor is base64url of `<sort key>|<id>` (facts §9: `createdAt|id` or `name|id`); the next page holds the
rows strictly after that tuple in the sort order, ties broken by id. One extra row is fetched to know whether
more follow. Faults subclass Pager and override one method (an off-by-one keyset, a lost tie-break, ...).
"""

from __future__ import annotations

import base64
import binascii
import re
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from msgflash_reference.errors import invalid_field
from msgflash_reference.ids import is_uuid

TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
CURSOR_MAX_CHARS = 2048


@dataclass(frozen=True)
class SortSpec:
    name: str
    column: str  # SQL expression of the sort key
    descending: bool
    key_is_timestamp: bool
    id_column: str = "id"


CREATED_DESC = SortSpec("createdAt_desc", "created_at", True, True)
NAME_ASC = SortSpec("name_asc", "name", False, False)
CONTACT_SORTS: Mapping[str, SortSpec] = {CREATED_DESC.name: CREATED_DESC, NAME_ASC.name: NAME_ASC}


@dataclass(frozen=True)
class Page:
    rows: list[sqlite3.Row]
    next_cursor: str | None
    has_more: bool


class Pager:
    def parse_limit(self, raw: str | None, *, default: int, maximum: int) -> int:
        """`limit` 1..maximum (default when absent); anything else is 400 VALIDATION_ERROR (G17)."""
        if raw is None:
            return default
        if not re.fullmatch(r"[0-9]{1,6}", raw.strip()):
            raise invalid_field("limit", f"must be an integer from 1 to {maximum}")
        value = int(raw)
        if not 1 <= value <= maximum:
            raise invalid_field("limit", f"must be an integer from 1 to {maximum}")
        return value

    def resolve_sort(self, raw: str | None, allowed: Mapping[str, SortSpec], default: SortSpec) -> SortSpec:
        if raw is None:
            return default
        if raw not in allowed:
            raise invalid_field("sort", f"must be one of {', '.join(allowed)}")
        return allowed[raw]

    # -- cursor codec ------------------------------------------------------------------------------
    def encode(self, key: str, row_id: str) -> str:
        return base64.urlsafe_b64encode(f"{key}|{row_id}".encode()).decode("ascii").rstrip("=")

    def decode(self, cursor: str, sort: SortSpec) -> tuple[str, str]:
        """(sort key, id) from a cursor; 400 VALIDATION_ERROR when it is not one of ours for this sort."""
        bad = invalid_field("cursor", "is not a valid cursor for this listing and sort")
        if not cursor or len(cursor) > CURSOR_MAX_CHARS:
            raise bad
        text = cursor.strip().replace("+", "-").replace("/", "_").rstrip("=")
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            decoded = raw.decode("utf-8")
        except (binascii.Error, ValueError):
            raise bad from None
        if base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=") != text:
            raise bad  # not canonical base64: not something we issued
        key, sep, row_id = decoded.rpartition("|")
        if not sep or not is_uuid(row_id):
            raise bad
        if sort.key_is_timestamp and not TIMESTAMP_RE.match(key):
            raise bad
        return key, row_id.lower()

    # -- SQL pieces --------------------------------------------------------------------------------
    def order_by(self, sort: SortSpec) -> str:
        direction = "DESC" if sort.descending else "ASC"
        return f"{sort.column} {direction}, {sort.id_column} {direction}"

    def after(self, sort: SortSpec, key: str, row_id: str) -> tuple[str, list[str]]:
        """Rows strictly after (key, id) in the sort order."""
        op = "<" if sort.descending else ">"
        return (
            f"({sort.column} {op} ? OR ({sort.column} = ? AND {sort.id_column} {op} ?))",
            [key, key, row_id],
        )

    def offset(self, page: int, limit: int) -> int:
        """Row offset of a 1-based page (page/limit listings: payments, templates)."""
        return (page - 1) * limit

    def fetch_size(self, limit: int) -> int:
        return limit + 1

    def page(self, rows: Sequence[sqlite3.Row], limit: int, cursor_of: Callable[[sqlite3.Row], str]) -> Page:
        items = list(rows[:limit])
        has_more = len(rows) > limit
        return Page(items, cursor_of(items[-1]) if has_more and items else None, has_more)
