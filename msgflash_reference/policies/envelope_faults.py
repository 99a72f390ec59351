"""Envelope and error faults beyond the core's (ENV, ERR, and a delete that a cache survives).

Loaded by `faults.py` through EXTENSION_MODULES (FAULTS below). Each swaps one policy for a subclass of the
default that gets one thing wrong, the way a real implementation would:

* `error-message-as-detail`: the error mapper names the human text `detail` (a framework habit), so error
  bodies lack `message` (ENV-02);
* `has-more-as-count`: the pager reports how many rows lie beyond the page instead of whether any do, so
  cursor pages carry `hasMore: 1` or `0` (ENV-05);
* `unissued-cursor-crashes`: the cursor codec trusts its input, so a cursor the server never issued crashes
  the listing with 500 instead of 400 (a 5xx on an edge input, ERR-10);
* `ownership-cache-survives-delete`: loading a resource by id goes through a read-through cache that deletes
  never invalidate, so a deleted contact stays readable, a deleted group crashes its reads and a deleted
  webhook can be deleted again (CNT-09, GRP-10, WH-07).
"""

from __future__ import annotations

import base64
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from msgflash_reference.errors import ApiError
from msgflash_reference.faults import Fault
from msgflash_reference.policies.error_mapper import ErrorMapper
from msgflash_reference.policies.ownership import Ownership
from msgflash_reference.policies.pagination import Page, Pager, SortSpec

CACHE_SIZE = 4096


class _MessageAsDetail(ErrorMapper):
    def body(self, error: ApiError) -> dict[str, Any]:
        payload = dict(super().body(error)["error"])
        payload["detail"] = payload.pop("message")
        return {"error": payload}


class _HasMoreAsCount(Pager):
    def page(self, rows: Sequence[sqlite3.Row], limit: int, cursor_of: Callable[[sqlite3.Row], str]) -> Page:
        found = super().page(rows, limit, cursor_of)
        return replace(found, has_more=max(0, len(rows) - limit))  # type: ignore[arg-type]


class _TrustingCursorCodec(Pager):
    """Decodes without guarding: malformed base64 or text raises out of the handler (500)."""

    def decode(self, cursor: str, sort: SortSpec) -> tuple[str, str]:
        text = cursor.strip()
        decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8")
        key, _, row_id = decoded.rpartition("|")
        return key, row_id.lower()


class _CachedOwnership(Ownership):
    """Remembers every row it loaded, keyed by table, id and workspace; nothing ever invalidates it."""

    def __init__(self) -> None:
        self._rows: OrderedDict[tuple[str, str, str], sqlite3.Row] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, conn: sqlite3.Connection, table: str, row_id: str, workspace_id: str, what: str) -> sqlite3.Row:
        key = (table, row_id, workspace_id)
        with self._lock:
            if key in self._rows:
                return self._rows[key]
        row = super().load(conn, table, row_id, workspace_id, what)
        with self._lock:
            self._rows[key] = row
            while len(self._rows) > CACHE_SIZE:
                self._rows.popitem(last=False)
        return row


FAULTS: tuple[Fault, ...] = (
    Fault(
        "error-message-as-detail",
        ("ENV-02",),
        "error bodies name their text `detail` instead of `message`",
        lambda p: replace(p, error_mapper=_MessageAsDetail()),
    ),
    Fault(
        "has-more-as-count",
        ("ENV-05",),
        "cursor pages say how many rows follow (hasMore: 1, 0) instead of true/false",
        lambda p: replace(p, pager=_HasMoreAsCount()),
    ),
    Fault(
        "unissued-cursor-crashes",
        ("ERR-10",),
        "a cursor the server never issued crashes the listing (500) instead of 400 VALIDATION_ERROR",
        lambda p: replace(p, pager=_TrustingCursorCodec()),
    ),
    Fault(
        "ownership-cache-survives-delete",
        ("CNT-09", "GRP-10", "WH-07"),
        "resources are loaded through a cache deletes never clear: deleted ones stay readable or deletable",
        lambda p: replace(p, ownership=_CachedOwnership()),
    ),
)
