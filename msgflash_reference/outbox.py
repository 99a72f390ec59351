"""The sandbox outbox: every e-mail the server "sends" (verification, password reset, invitation) is a row
here and nothing leaves the machine. `GET /__sandbox/outbox` reads it; a real target has no such thing.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from msgflash_reference.clock import iso
from msgflash_reference.ids import new_id

MAIL_KINDS = ("verify_email", "reset_password", "team_invitation")


def send_mail(
    conn: sqlite3.Connection,
    *,
    to: str,
    kind: str,
    subject: str,
    token: str | None,
    now: datetime,
    **payload: Any,
) -> str:
    """Record one mail (inside the caller's transaction); `payload` holds what the mail's link points to."""
    assert kind in MAIL_KINDS, kind
    mail_id = new_id()
    conn.execute(
        """INSERT INTO outbox (id, email, kind, subject, token, payload, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        (mail_id, to, kind, subject, token, json.dumps(payload), iso(now)),
    )
    return mail_id


def mail_view(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "to": row["email"],
        "kind": row["kind"],
        "subject": row["subject"],
        "token": row["token"],
        **json.loads(row["payload"]),
        "createdAt": row["created_at"],
    }


def read_outbox(conn: sqlite3.Connection, email: str | None, kind: str | None = None) -> list[dict[str, Any]]:
    """Mails, newest first, optionally for one address (case-insensitive) and of one kind."""
    clauses, params = [], []
    if email:
        clauses.append("email = ?")
        params.append(email.strip())
    if kind:
        clauses.append("kind = ?")
        params.append(kind)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(f"SELECT * FROM outbox {where} ORDER BY created_at DESC, rowid DESC", params).fetchall()
    return [mail_view(r) for r in rows]
