"""The delivery simulator: an outbound message moves `queued` -> `sent` -> `delivered` without any network.

Nothing is ever sent to WhatsApp. A message accepted by the API gets a `message_deliveries` row: ~150 ms later
(server clock) the worker "hands it to the provider" (`sent`, a fake `providerMessageId`), ~250 ms after that it
is `delivered`. A scheduled message waits for its `scheduledAt`; at that moment the paying owner's
subscription and monthly outbound quota are checked again (facts §5.3) and the message is counted then — or it
ends `failed` with the refusal's code in `error`. A message whose instance is no longer connected (or deleted)
ends `failed` with `INSTANCE_NOT_CONNECTED`. Every valid recipient is delivered (the simulated WhatsApp
registry of `phone_numbers.py` is used by number lookups only).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from datetime import datetime, timedelta

from msgflash_reference.clock import iso
from msgflash_reference.errors import ApiError
from msgflash_reference.outbound import subscription_usable
from msgflash_reference.services import Services
from msgflash_reference.subscriptions import current_plan

DISPATCH_DELAY = timedelta(milliseconds=150)
DELIVER_DELAY = timedelta(milliseconds=250)
BATCH = 200  # messages moved per worker step


def enqueue_delivery(conn: sqlite3.Connection, message_id: str, due: datetime, *, scheduled: bool) -> None:
    conn.execute(
        "INSERT INTO message_deliveries (message_id, stage, due_at, scheduled) VALUES (?, 'dispatch', ?, ?)",
        (message_id, iso(due), int(scheduled)),
    )


def provider_message_id() -> str:
    return "wamid.SIM" + secrets.token_hex(10).upper()


def _fail(conn: sqlite3.Connection, message_id: str, error: str, now_iso: str) -> None:
    conn.execute(
        "UPDATE messages SET status = 'failed', error = ?, updated_at = ? WHERE id = ?", (error, now_iso, message_id)
    )
    conn.execute("DELETE FROM message_deliveries WHERE message_id = ?", (message_id,))


def _dispatch(svc: Services, conn: sqlite3.Connection, message: sqlite3.Row, scheduled: bool, now: datetime) -> None:
    now_iso = iso(now)
    if scheduled:
        if not subscription_usable(conn, svc, message["owner_id"], now):
            _fail(conn, message["id"], "SUBSCRIPTION_INACTIVE", now_iso)
            return
        outbound = svc.policies.messaging.outbound
        try:
            plan = current_plan(conn, svc.plans, message["owner_id"], now)
            svc.policies.scheduled_recheck.check(outbound, conn, message["owner_id"], plan, now)
        except ApiError as refusal:
            _fail(conn, message["id"], refusal.code, now_iso)
            return
        outbound.record(conn, message["owner_id"], "messages", now)
    instance = conn.execute(
        "SELECT status, deleted_at FROM instances WHERE id = ?", (message["instance_id"],)
    ).fetchone()
    if instance is None or instance["deleted_at"] is not None or instance["status"] != "connected":
        _fail(conn, message["id"], "INSTANCE_NOT_CONNECTED", now_iso)
        return
    meta = json.loads(message["meta"]) if message["meta"] else {}
    meta["providerResult"] = {"simulated": True, "acceptedAt": now_iso}
    conn.execute(
        "UPDATE messages SET status = 'sent', provider_message_id = ?, meta = ?, updated_at = ? WHERE id = ?",
        (provider_message_id(), json.dumps(meta), now_iso, message["id"]),
    )
    conn.execute(
        "UPDATE message_deliveries SET stage = 'deliver', due_at = ? WHERE message_id = ?",
        (iso(now + DELIVER_DELAY), message["id"]),
    )


def advance_deliveries(svc: Services) -> bool:
    """Move every due message one stage on; True when something was due."""
    now = svc.clock.now()
    with svc.db.read() as conn:  # the common idle case costs one read, no write lock
        if conn.execute("SELECT 1 FROM message_deliveries WHERE due_at <= ? LIMIT 1", (iso(now),)).fetchone() is None:
            return False
    with svc.db.transaction() as conn:
        due = conn.execute(
            "SELECT * FROM message_deliveries WHERE due_at <= ? ORDER BY due_at, message_id LIMIT ?", (iso(now), BATCH)
        ).fetchall()
        for row in due:
            message = conn.execute("SELECT * FROM messages WHERE id = ?", (row["message_id"],)).fetchone()
            if message is None or message["status"] != ("queued" if row["stage"] == "dispatch" else "sent"):
                conn.execute("DELETE FROM message_deliveries WHERE message_id = ?", (row["message_id"],))
                continue
            if row["stage"] == "dispatch":
                _dispatch(svc, conn, message, bool(row["scheduled"]), now)
            else:
                conn.execute(
                    "UPDATE messages SET status = 'delivered', updated_at = ? WHERE id = ?", (iso(now), message["id"])
                )
                conn.execute("DELETE FROM message_deliveries WHERE message_id = ?", (message["id"],))
    return bool(due)
