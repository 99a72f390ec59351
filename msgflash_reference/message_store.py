"""Message rows and their API shape (facts §11.3). The send routes (a later issue) write through here too."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from msgflash_reference.ids import new_id

MESSAGE_STATUSES = ("queued", "sent", "delivered", "read", "failed", "received")


def insert_message(
    conn: sqlite3.Connection,
    *,
    workspace_id: str,
    owner_id: str,
    user_id: str | None,
    instance_id: str,
    to: str,
    from_number: str | None,
    type_: str,
    body: str | None,
    status: str,
    created_at: str,
    direction: str = "outbound",
    contact_id: str | None = None,
    media_url: str | None = None,
    meta: dict[str, Any] | None = None,
    provider_message_id: str | None = None,
    scheduled_at: str | None = None,
) -> str:
    message_id = new_id()
    conn.execute(
        """INSERT INTO messages (id, workspace_id, owner_id, user_id, instance_id, contact_id, direction,
             type,
             from_number, to_number, body, media_url, status, meta, provider_message_id, scheduled_at,
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            message_id,
            workspace_id,
            owner_id,
            user_id,
            instance_id,
            contact_id,
            direction,
            type_,
            from_number,
            to,
            body,
            media_url,
            status,
            json.dumps(meta) if meta is not None else None,
            provider_message_id,
            scheduled_at,
            created_at,
            created_at,
        ),
    )
    return message_id


def message_view(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "userId": row["user_id"],
        "instanceId": row["instance_id"],
        "contactId": row["contact_id"],
        "campaignId": row["campaign_id"],
        "direction": row["direction"],
        "type": row["type"],
        "from": row["from_number"],
        "to": row["to_number"],
        "body": row["body"],
        "mediaUrl": row["media_url"],
        "status": row["status"],
        "error": row["error"],
        "meta": json.loads(row["meta"]) if row["meta"] else None,
        "providerMessageId": row["provider_message_id"],
        "scheduledAt": row["scheduled_at"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }
