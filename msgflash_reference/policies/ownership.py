"""Loading a workspace's resource by id: unknown and foreign ids are the same 404 (decisions #8, ERR-02).

Every by-id route of the public API loads its resource here, so the workspace condition of a by-id lookup has
one home (`scope`), which the cross-workspace faults (`faults/ownership.py`) drop for one table at a time.
"""

from __future__ import annotations

import sqlite3

from msgflash_reference.errors import not_found

# Tables a route may load by id (the table name is never taken from the request).
LOADABLE_TABLES = frozenset({"contacts", "contact_groups", "bulk_jobs", "messages", "instances", "webhooks",
                             "templates", "campaigns", "number_lookups"})
SOFT_DELETED_TABLES = frozenset({"instances", "webhooks"})


class Ownership:
    def load(self, conn: sqlite3.Connection, table: str, row_id: str, workspace_id: str, what: str) -> sqlite3.Row:
        """The row when it belongs to the workspace; 404 NOT_FOUND "<what> not found" otherwise."""
        assert table in LOADABLE_TABLES, table
        scope, params = self.scope(table, workspace_id)
        extra = " AND deleted_at IS NULL" if table in SOFT_DELETED_TABLES else ""
        row = conn.execute(f"SELECT * FROM {table} WHERE id = ?{scope}{extra}", (row_id, *params)).fetchone()
        if row is None:
            raise not_found(what)
        return row

    def scope(self, table: str, workspace_id: str) -> tuple[str, tuple[str, ...]]:
        """The condition (and its parameters) that keeps a by-id lookup of `table` inside the workspace."""
        return " AND workspace_id = ?", (workspace_id,)
