"""Contact bulk operations, shared by the synchronous routes (< 100 ids) and the job worker (≥ 100 ids).

Ids are processed in the order given, so a repeated id counts once as done and then as already done; the
counts then always add up to the number of ids sent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence


def existing_contacts(conn: sqlite3.Connection, workspace_id: str, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT id FROM contacts WHERE workspace_id = ? AND id IN ({marks})", (workspace_id, *chunk)
        ).fetchall()
        found.update(r[0] for r in rows)
    return found


def delete_contacts(conn: sqlite3.Connection, workspace_id: str, ids: Sequence[str]) -> tuple[int, list[str]]:
    """(deleted count, ids not found) — memberships go with the contacts (ON DELETE CASCADE)."""
    live = existing_contacts(conn, workspace_id, ids)
    deleted = 0
    not_found: list[str] = []
    for contact_id in dict.fromkeys(ids):
        if contact_id in live:
            conn.execute("DELETE FROM contacts WHERE id = ? AND workspace_id = ?", (contact_id, workspace_id))
            deleted += 1
        else:
            not_found.append(contact_id)
    return deleted, not_found


def add_members(
    conn: sqlite3.Connection, workspace_id: str, group_id: str, ids: Sequence[str], now_iso: str
) -> dict[str, int]:
    """{added, alreadyInGroup, notFound}; contacts of another workspace count as not found."""
    live = existing_contacts(conn, workspace_id, ids)
    counts = {"added": 0, "alreadyInGroup": 0, "notFound": 0}
    for contact_id in ids:
        if contact_id not in live:
            counts["notFound"] += 1
            continue
        cur = conn.execute(
            "INSERT OR IGNORE INTO group_members (group_id, contact_id, added_at) VALUES (?, ?, ?)",
            (group_id, contact_id, now_iso),
        )
        counts["added" if cur.rowcount else "alreadyInGroup"] += 1
    return counts


def remove_members(conn: sqlite3.Connection, group_id: str, ids: Sequence[str]) -> dict[str, int]:
    """{removed, notInGroup}; unknown ids are simply not in the group."""
    counts = {"removed": 0, "notInGroup": 0}
    for contact_id in ids:
        cur = conn.execute("DELETE FROM group_members WHERE group_id = ? AND contact_id = ?", (group_id, contact_id))
        counts["removed" if cur.rowcount else "notInGroup"] += 1
    return counts
