"""Loading a workspace's resource by id: unknown and foreign ids are the same 404 (decisions #8, ERR-02)."""

from __future__ import annotations

import sqlite3

from msgflash_reference.errors import not_found

# Tables a route may load by id (the table name is never taken from the request).
LOADABLE_TABLES = frozenset({"contacts", "contact_groups", "bulk_jobs", "messages", "instances", "webhooks"})


class Ownership:
    def load(self, conn: sqlite3.Connection, table: str, row_id: str, workspace_id: str, what: str) -> sqlite3.Row:
        """The row when it belongs to the workspace; 404 NOT_FOUND "<what> not found" otherwise."""
        assert table in LOADABLE_TABLES, table
        extra = " AND deleted_at IS NULL" if table in ("instances", "webhooks") else ""
        row = conn.execute(
            f"SELECT * FROM {table} WHERE id = ? AND workspace_id = ?{extra}", (row_id, workspace_id)
        ).fetchone()
        if row is None:
            raise not_found(what)
        return row
