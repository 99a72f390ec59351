"""Faults of loading a resource by id (ERR-01..04, ERR-02 404 for another workspace's id, TEAM-10): the
ownership policy every by-id route loads through. Besides a wrong answer for unknown and foreign ids: a
read-through cache deletes never clear (one per server), and one per resource kind that drops the workspace
condition of its by-id lookup.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict

from msgflash_reference.errors import ApiError
from msgflash_reference.faults.fault import Fault, swap
from msgflash_reference.policies.ownership import Ownership

CACHE_SIZE = 4096

# kind (as the fault names it, the path segment of its routes) -> (table, the by-id routes it reaches)


class _ForeignIdForbidden(Ownership):
    """Finds the row by id first, then refuses another workspace's with 403 — confirming that it exists."""

    def load(self, conn: sqlite3.Connection, table: str, row_id: str, workspace_id: str, what: str) -> sqlite3.Row:
        row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        if row is not None and row["workspace_id"] != workspace_id:
            raise ApiError("FORBIDDEN", f"{what} belongs to another workspace")
        return super().load(conn, table, row_id, workspace_id, what)


class _UnknownIdUnchecked(Ownership):
    """Returns the lookup result without checking it; callers then crash on None (500)."""

    def load(self, conn: sqlite3.Connection, table: str, row_id: str, workspace_id: str, what: str) -> sqlite3.Row:
        return conn.execute(
            f"SELECT * FROM {table} WHERE id = ? AND workspace_id = ?", (row_id, workspace_id)
        ).fetchone()


SCOPED_KINDS: dict[str, tuple[str, str]] = {
    "contacts": ("contacts", "GET/PUT/DELETE /contacts/{id}"),
    "groups": ("contact_groups", "GET/PUT/DELETE /contacts/groups/{id} and its /members"),
    "templates": ("templates", "GET/PUT/DELETE /templates/{id} and /preview"),
    "messages": ("messages", "GET /messages/{id}"),
    "campaigns": ("campaigns", "GET /campaigns/{id}, /pause and /resume"),
    "webhooks": ("webhooks", "DELETE /webhooks/{id}"),
    "bulk-jobs": ("bulk_jobs", "GET /contacts/bulk-jobs/{id}, /progress and /cancel"),
    "number-lookups": ("number_lookups", "GET /number-lookups/{id}, /progress, /cancel and /import-contacts"),
    "instances": ("instances", "GET /instances/{id}, /state and /health"),
}


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


class _UnknownInstanceNotConnected(Ownership):
    """Reports an instance the workspace does not have as one that is not connected (400)."""

    def load(self, conn: sqlite3.Connection, table: str, row_id: str, workspace_id: str, what: str) -> sqlite3.Row:
        try:
            return super().load(conn, table, row_id, workspace_id, what)
        except ApiError:
            if table == "instances":
                raise ApiError("BAD_REQUEST", "The instance is not connected") from None
            raise


class _UnscopedTable(Ownership):
    """Looks rows of one table up by id alone: any workspace's row is found."""

    def __init__(self, table: str) -> None:
        self.table = table

    def scope(self, table: str, workspace_id: str) -> tuple[str, tuple[str, ...]]:
        return ("", ()) if table == self.table else super().scope(table, workspace_id)


# A refactor to a shared "get by id" helper loses `AND workspace_id = ?` for one table: every by-id route of that
# kind serves another workspace's item to any valid key (TEAM-10, ERR-02; decisions #8). Lists stay scoped.
CROSS_WORKSPACE_FAULTS: tuple[Fault, ...] = tuple(
    Fault(f"{kind}-cross-workspace-by-id", ("TEAM-10", "ERR-02"),
          f"{routes}: another workspace's item is served (the by-id lookup lost its workspace condition)",
          swap("ownership", _UnscopedTable(table)))
    for kind, (table, routes) in SCOPED_KINDS.items()
)


FAULTS: tuple[Fault, ...] = (
    Fault(
        "foreign-id-403",
        ("ERR-02",),
        "another workspace's id answers 403 FORBIDDEN instead of 404 NOT_FOUND",
        swap("ownership", _ForeignIdForbidden()),
    ),
    Fault(
        "unknown-id-500",
        ("ERR-01", "ERR-04", "CNT-09", "JOB-06", "GRP-10"),
        "an unknown id is not checked and crashes the handler (500)",
        swap("ownership", _UnknownIdUnchecked()),
    ),
    Fault(
        "ownership-cache-survives-delete",
        ("CNT-09", "GRP-10", "WH-07"),
        "resources are loaded through a cache deletes never clear: deleted ones stay readable or deletable",
        lambda p: swap("ownership", _CachedOwnership())(p),  # one cache per server
    ),
    Fault("unknown-instance-not-connected", ("MSG-09", "STAT-03", "LKP-04", "ERR-04"),
          "an instance the workspace does not have answers 400 BAD_REQUEST (not connected) instead of 404",
          swap("ownership", _UnknownInstanceNotConnected())),
    *CROSS_WORKSPACE_FAULTS,
)
