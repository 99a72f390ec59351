"""Number lookups (facts §10, §11.13, G9): which numbers are on WhatsApp, simulated from the numbers themselves.

Each number given is classified on its own (duplicates included, so onWhatsApp + notOnWhatsApp + invalid =
requested): invalid when it does not normalise to E.164 (`phone_numbers.normalize_number`), otherwise on
WhatsApp unless its last digit is 0 (`phone_numbers.on_whatsapp`). Fewer than 100 numbers are checked during
the request (200, mode `sync`); from 100 on the lookup runs in the background (202, mode `async`), checked
"by the provider" in batches of 20, one batch per worker step (~25 ms), so progress is observable and a cancel
lands between batches. Open lookups resume after a restart.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from msgflash_reference.clock import iso
from msgflash_reference.ids import new_id
from msgflash_reference.phone_numbers import normalize_number, on_whatsapp
from msgflash_reference.services import Services

PROVIDER_BATCH = 20
OPEN_STATUSES = ("pending", "processing")
ASYNC_MESSAGE = "Lookup in progress. Check status later."


def classify(numbers: list[str]) -> dict[str, list[str]]:
    """{onWhatsApp: [E.164], notOnWhatsApp: [E.164], invalid: [as given]}."""
    found: dict[str, list[str]] = {"onWhatsApp": [], "notOnWhatsApp": [], "invalid": []}
    for raw in numbers:
        number = normalize_number(raw)
        if number is None:
            found["invalid"].append(raw)
        else:
            found["onWhatsApp" if on_whatsapp(number) else "notOnWhatsApp"].append(number)
    return found


def create_lookup(
    conn: sqlite3.Connection,
    *,
    workspace_id: str,
    owner_id: str,
    instance_id: str,
    numbers: list[str],
    run_async: bool,
    now_iso: str,
) -> str:
    """Store a lookup: done at once (sync) or pending for the worker (async)."""
    lookup_id = new_id()
    conn.execute(
        """INSERT INTO number_lookups (id, workspace_id, owner_id, instance_id, mode, status, numbers,
             requested_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)""",
        (
            lookup_id,
            workspace_id,
            owner_id,
            instance_id,
            "async" if run_async else "sync",
            json.dumps(numbers),
            len(numbers),
            now_iso,
            now_iso,
        ),
    )
    if not run_async:
        _check_batch(conn, lookup_id, numbers, 0, now_iso)
    return lookup_id


def _check_batch(conn: sqlite3.Connection, lookup_id: str, batch: list[str], start: int, now_iso: str) -> None:
    """Classify `batch` (the numbers from position `start`) into the lookup's running result."""
    row = conn.execute("SELECT * FROM number_lookups WHERE id = ?", (lookup_id,)).fetchone()
    found = classify(batch)
    on = json.loads(row["on_whatsapp"]) + found["onWhatsApp"]
    off = json.loads(row["not_on_whatsapp"]) + found["notOnWhatsApp"]
    bad = json.loads(row["invalid"]) + found["invalid"]
    processed = start + len(batch)
    done = processed >= row["requested_count"]
    valid = len(found["onWhatsApp"]) + len(found["notOnWhatsApp"])
    conn.execute(
        """UPDATE number_lookups SET status = ?, processed_count = ?, normalized_count = normalized_count + ?,
             checked_count = checked_count + ?, on_whatsapp = ?, not_on_whatsapp = ?, invalid = ?, updated_at = ?,
             completed_at = ? WHERE id = ?""",
        (
            "done" if done else "processing",
            processed,
            valid,
            valid,
            json.dumps(on),
            json.dumps(off),
            json.dumps(bad),
            now_iso,
            now_iso if done else None,
            lookup_id,
        ),
    )


def advance_lookups(svc: Services) -> bool:
    """Check one batch of the open lookup touched least recently; False when none is open."""
    open_statuses = svc.policies.views.lookups.open_statuses
    marks = ", ".join("?" for _ in open_statuses)
    with svc.db.read() as conn:  # the common idle case costs one read, no write lock
        waiting = f"SELECT 1 FROM number_lookups WHERE status IN ({marks}) LIMIT 1"
        if conn.execute(waiting, open_statuses).fetchone() is None:
            return False
    with svc.db.transaction() as conn:
        row = conn.execute(
            f"SELECT * FROM number_lookups WHERE status IN ({marks}) ORDER BY updated_at, id LIMIT 1", open_statuses
        ).fetchone()
        if row is None:
            return False
        numbers: list[str] = json.loads(row["numbers"])
        start = row["processed_count"]
        _check_batch(conn, row["id"], numbers[start : start + PROVIDER_BATCH], start, iso(svc.clock.now()))
    return True


def progress_of(row: sqlite3.Row) -> int:
    requested = row["requested_count"]
    return 100 if requested == 0 else min(100, row["processed_count"] * 100 // requested)


def result_of(row: sqlite3.Row) -> dict[str, list[str]]:
    return {
        "onWhatsApp": json.loads(row["on_whatsapp"]),
        "notOnWhatsApp": json.loads(row["not_on_whatsapp"]),
        "invalid": json.loads(row["invalid"]),
    }


def progress_view(row: sqlite3.Row) -> dict[str, Any]:
    result = result_of(row)
    return {
        "id": row["id"],
        "status": row["status"],
        "progress": progress_of(row),
        "requestedCount": row["requested_count"],
        "normalizedCount": row["normalized_count"],
        "checkedCount": row["checked_count"],
        "onWhatsAppCount": len(result["onWhatsApp"]),
        "notOnWhatsAppCount": len(result["notOnWhatsApp"]),
        "invalidCount": len(result["invalid"]),
        "error": row["error"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "completedAt": row["completed_at"],
    }


def lookup_view(row: sqlite3.Row) -> dict[str, Any]:
    """G9: the progress object plus `mode`, `instanceId`, and `result` once done."""
    view = {**progress_view(row), "mode": row["mode"], "instanceId": row["instance_id"]}
    if row["status"] == "done":
        view["result"] = result_of(row)
    return view


def sync_view(row: sqlite3.Row) -> dict[str, Any]:
    result = result_of(row)
    return {
        "mode": "sync",
        "lookupId": row["id"],
        "status": row["status"],
        "requested": row["requested_count"],
        "normalized": row["normalized_count"],
        "checked": row["checked_count"],
        "onWhatsAppCount": len(result["onWhatsApp"]),
        "notOnWhatsAppCount": len(result["notOnWhatsApp"]),
        "invalidCount": len(result["invalid"]),
        "result": result,
    }


def async_view(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "mode": "async",
        "lookupId": row["id"],
        "status": "pending",
        "requested": row["requested_count"],
        "message": ASYNC_MESSAGE,
    }
