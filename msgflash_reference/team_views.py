"""Teams, members, pending invitations and instance assignments as the console shows them (facts §12): read-only
queries and API shapes, no policy involved (the writes are `team_store.py`'s).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from msgflash_reference.clock import iso


def invitation_view(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "teamId": row["team_id"],
        "email": row["email"],
        "role": row["role"],
        "status": row["status"],
        "invitedByUserId": row["invited_by_user_id"],
        "expiresAt": row["expires_at"],
        "createdAt": row["created_at"],
    }


def team_summaries(conn: sqlite3.Connection, user_id: str) -> list[dict[str, Any]]:
    """The caller's active memberships of live teams, oldest team first (GET /api/teams)."""
    rows = conn.execute(
        """SELECT t.id, t.name, t.owner_user_id, t.created_at, m.role, m.joined_at FROM teams t
           JOIN team_members m ON m.team_id = t.id AND m.user_id = ? AND m.removed_at IS NULL
           WHERE t.deleted_at IS NULL ORDER BY t.created_at, t.id""",
        (user_id,),
    ).fetchall()
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "role": r["role"],
            "isOwner": r["role"] == "owner",
            "ownerUserId": r["owner_user_id"],
            "joinedAt": r["joined_at"],
            "createdAt": r["created_at"],
        }
        for r in rows
    ]


def members(conn: sqlite3.Connection, team_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        """SELECT u.id, u.email, u.full_name, m.role, m.joined_at FROM team_members m
           JOIN users u ON u.id = m.user_id WHERE m.team_id = ? AND m.removed_at IS NULL
           ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, m.joined_at, u.id""",
        (team_id,),
    ).fetchall()
    return [
        {
            "id": r["id"],
            "email": r["email"],
            "fullName": r["full_name"],
            "role": r["role"],
            "joinedAt": r["joined_at"],
        }
        for r in rows
    ]


def pending_invitations(conn: sqlite3.Connection, team_id: str, now: datetime) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT * FROM team_invitations WHERE team_id = ? AND status = 'pending' ORDER BY created_at, rowid",
        (team_id,),
    ).fetchall()
    return [invitation_view(r) for r in rows if r["expires_at"] > iso(now)]


def assignments(conn: sqlite3.Connection, team_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        """SELECT a.*, i.name, i.wa_number, i.status FROM instance_assignments a
           JOIN instances i ON i.id = a.instance_id
           JOIN team_members m ON m.team_id = a.team_id AND m.user_id = a.user_id AND m.removed_at IS NULL
           WHERE a.team_id = ? AND i.deleted_at IS NULL ORDER BY a.created_at, a.instance_id, a.user_id""",
        (team_id,),
    ).fetchall()
    return [
        {
            "teamId": r["team_id"],
            "instanceId": r["instance_id"],
            "userId": r["user_id"],
            "assignedByUserId": r["assigned_by_user_id"],
            "createdAt": r["created_at"],
            "instance": {
                "id": r["instance_id"],
                "name": r["name"],
                "waNumber": r["wa_number"],
                "status": r["status"],
            },
        }
        for r in rows
    ]


def team_detail(conn: sqlite3.Connection, team_id: str, now: datetime) -> dict[str, Any]:
    team = conn.execute("SELECT * FROM teams WHERE id = ?", (team_id,)).fetchone()
    return {
        "id": team["id"],
        "name": team["name"],
        "ownerUserId": team["owner_user_id"],
        "createdAt": team["created_at"],
        "members": members(conn, team_id),
        "pendingInvitations": pending_invitations(conn, team_id, now),
        "instanceAssignments": assignments(conn, team_id),
    }
