"""Campaigns (facts §11.6): their API shape, the safety evaluation, and the simulated run.

Lifecycle: `scheduled` until `schedule` (server clock), then `running`: the recipients are resolved (all
contacts, contacts with any of the tags, the explicit contact ids that exist in the workspace, or the group's
members), and enqueued as ordinary outbound messages, 20 per worker step (each checked against the
subscription and the outbound quota, counted, then delivered by `delivery.py`; a refused one is stored
`failed` with the refusal's code). A one-off campaign (`repeat` none/noe/absent) is `completed` once every
recipient is enqueued; a daily or weekly one stays `running` and starts its next occurrence a day or a week
later. `paused` stops enqueuing (pausable: scheduled, running); resume makes it `running` again.

Safety (V1): computed from the instance's health score at create and resume: ≥ 70 `allow`/low, 40–69
`warn`/medium, < 40 `warn`/high. `warn` never blocks.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from msgflash_reference.clock import iso, parse_iso
from msgflash_reference.delivery import DISPATCH_DELAY, enqueue_delivery
from msgflash_reference.errors import ApiError
from msgflash_reference.message_store import insert_message
from msgflash_reference.outbound import subscription_usable
from msgflash_reference.phone_numbers import normalize_number
from msgflash_reference.services import Services
from msgflash_reference.subscriptions import current_plan
from msgflash_reference.templating import RenderContext, contact_context, instance_context, render, user_context

log = logging.getLogger("msgflash_reference.messaging")

REPEAT_PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
CAMPAIGN_BATCH = 20
# Campaigns with something to do now: due to start, enqueuing, finished enqueuing, or due for their next occurrence.
DUE_CAMPAIGNS = (
    "(status = 'scheduled' AND next_run_at <= :now) OR (status = 'running' AND "
    "(pending_contacts != '[]' OR next_run_at IS NULL OR next_run_at <= :now))"
)
STATS_STATUSES = ("queued", "sent", "delivered", "read", "failed")


# -- safety ------------------------------------------------------------------------------------------
def safety_of(instance: sqlite3.Row) -> dict[str, Any]:
    score = max(0, min(100, int(instance["health_score"])))
    if score >= 70:
        return {
            "decision": "allow",
            "riskLevel": "low",
            "state": "stable",
            "score": score,
            "reasons": [],
            "recommendations": [],
        }
    high = score < 40
    return {
        "decision": "warn",
        "riskLevel": "high" if high else "medium",
        "state": "at_risk" if high else "warming",
        "score": score,
        "reasons": [f"The instance's health score is {score}/100"],
        "recommendations": ["Send to fewer recipients at a time", "Prefer contacts who wrote to you recently"],
    }


# -- the API shape -----------------------------------------------------------------------------------
def stats_of(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    counts = dict(
        conn.execute(
            "SELECT status, COUNT(*) FROM messages WHERE campaign_id = ? GROUP BY status", (row["id"],)
        ).fetchall()
    )
    return {
        "planned": row["planned"],
        **{status: int(counts.get(status, 0)) for status in STATS_STATUSES},
        "cancelled": row["skipped"],
        "processingStartedAt": row["processing_started_at"],
        "lastEnqueuedAt": row["last_enqueued_at"],
        "completedAt": row["completed_at"],
        "cancelledAt": row["cancelled_at"],
    }


def campaign_view(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "userId": row["user_id"],
        "instanceId": row["instance_id"],
        "name": row["name"],
        "templateId": row["template_id"],
        "type": row["type"],
        "body": row["body"],
        "mediaUrl": row["media_url"],
        "schedule": row["schedule"],
        "repeat": row["repeat"],
        "status": row["status"],
        "recipients": json.loads(row["recipients"]),
        "templateVariables": json.loads(row["template_variables"]) if row["template_variables"] else None,
        "stats": stats_of(conn, row),
        "safety": json.loads(row["safety"]) if row["safety"] else None,
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


# -- the run -----------------------------------------------------------------------------------------
def _recipients(conn: sqlite3.Connection, campaign: sqlite3.Row) -> list[str]:
    spec = json.loads(campaign["recipients"])
    workspace = campaign["workspace_id"]
    kind = spec.get("type")
    if kind == "all":
        rows = conn.execute("SELECT id FROM contacts WHERE workspace_id = ? ORDER BY created_at, id", (workspace,))
        return [r[0] for r in rows]
    if kind == "tags":
        wanted = set(spec.get("value") or [])
        rows = conn.execute(
            "SELECT id, tags FROM contacts WHERE workspace_id = ? ORDER BY created_at, id", (workspace,)
        )
        return [r[0] for r in rows if wanted & set(json.loads(r[1]))]
    if kind == "explicit":
        ids = list(dict.fromkeys(v.lower() for v in spec.get("value") or []))
        marks = ",".join("?" for _ in ids)
        found = (
            {
                r[0]
                for r in conn.execute(
                    f"SELECT id FROM contacts WHERE workspace_id = ? AND id IN ({marks})", (workspace, *ids)
                )
            }
            if ids
            else set()
        )
        return [i for i in ids if i in found]
    rows = conn.execute(
        """SELECT m.contact_id FROM group_members m JOIN contact_groups g ON g.id = m.group_id
           WHERE g.id = ? AND g.workspace_id = ? ORDER BY m.added_at, m.contact_id""",
        ((spec.get("groupId") or "").lower(), workspace),
    )
    return [r[0] for r in rows]


def _next_occurrence(campaign: sqlite3.Row, current: str, now: datetime) -> str | None:
    period = REPEAT_PERIODS.get(campaign["repeat"] or "")
    if period is None:
        return None
    following = parse_iso(current) + period
    if following <= now:  # the clock jumped several periods: skip the missed occurrences
        following += period * ((now - following) // period + 1)
    return iso(following)


def _start_occurrence(conn: sqlite3.Connection, campaign: sqlite3.Row, now: datetime) -> None:
    contacts = _recipients(conn, campaign)
    now_iso = iso(now)
    conn.execute(
        """UPDATE campaigns SET status = 'running', processing_started_at = COALESCE(processing_started_at, ?),
             pending_contacts = ?, planned = planned + ?, next_run_at = ?, updated_at = ? WHERE id = ?""",
        (
            now_iso,
            json.dumps(contacts),
            len(contacts),
            _next_occurrence(campaign, campaign["next_run_at"] or campaign["schedule"], now),
            now_iso,
            campaign["id"],
        ),
    )


def _content_for(
    conn: sqlite3.Connection, campaign: sqlite3.Row, contact: sqlite3.Row, instance: sqlite3.Row
) -> tuple[str, str | None, str | None, dict[str, Any], str | None]:
    """(type, body, mediaUrl, meta, error) of the campaign's message to `contact`."""
    if campaign["template_id"] is None:
        meta = {"campaign": {"id": campaign["id"]}}
        if campaign["content"]:
            meta["buttons"] = json.loads(campaign["content"])
        return campaign["type"], campaign["body"], campaign["media_url"], meta, None
    template = conn.execute(
        "SELECT * FROM templates WHERE id = ? AND workspace_id = ?", (campaign["template_id"], campaign["workspace_id"])
    ).fetchone()
    if template is None:
        return "text", None, None, {"campaign": {"id": campaign["id"]}}, "TEMPLATE_NOT_FOUND"
    user = conn.execute("SELECT * FROM users WHERE id = ?", (campaign["user_id"],)).fetchone()
    variables = json.loads(campaign["template_variables"]) if campaign["template_variables"] else {}
    context = RenderContext(contact_context(contact), user_context(user), instance_context(instance), variables)
    rendering = render(template["body"], context)
    meta = {"campaign": {"id": campaign["id"]}, "template": {"id": template["id"], "name": template["name"]}}
    error = None if rendering.complete else "TEMPLATE_VARIABLES_MISSING"
    return template["type"], rendering.text or None, template["media_url"], meta, error


def _enqueue(svc: Services, conn: sqlite3.Connection, campaign: sqlite3.Row, now: datetime) -> None:
    pending: list[str] = json.loads(campaign["pending_contacts"])
    batch, rest = pending[:CAMPAIGN_BATCH], pending[CAMPAIGN_BATCH:]
    instance = conn.execute("SELECT * FROM instances WHERE id = ?", (campaign["instance_id"],)).fetchone()
    owner = campaign["owner_id"]
    outbound = svc.policies.messaging.outbound
    now_iso = iso(now)
    skipped = 0
    for contact_id in batch:
        contact = conn.execute(
            "SELECT * FROM contacts WHERE id = ? AND workspace_id = ?", (contact_id, campaign["workspace_id"])
        ).fetchone()
        to = normalize_number(contact["phone"]) if contact is not None else None
        if contact is None or to is None or instance is None:
            skipped += 1
            continue
        kind, body, media_url, meta, error = _content_for(conn, campaign, contact, instance)
        if error is None and not subscription_usable(conn, svc, owner, now):
            error = "SUBSCRIPTION_INACTIVE"
        if error is None:
            try:
                outbound.check(conn, owner, current_plan(conn, svc.plans, owner, now), now)
            except ApiError as refusal:
                error = refusal.code
        message_id = insert_message(
            conn,
            workspace_id=campaign["workspace_id"],
            owner_id=owner,
            user_id=campaign["user_id"],
            instance_id=campaign["instance_id"],
            to=to,
            from_number=instance["wa_number"],
            type_=kind,
            body=body,
            status="failed" if error else "queued",
            created_at=now_iso,
            contact_id=contact_id,
            media_url=media_url,
            meta=meta,
        )
        conn.execute("UPDATE messages SET campaign_id = ?, error = ? WHERE id = ?", (campaign["id"], error, message_id))
        if error is None:
            outbound.record(conn, owner, "messages", now)
            enqueue_delivery(conn, message_id, now + DISPATCH_DELAY, scheduled=False)
    conn.execute(
        """UPDATE campaigns SET pending_contacts = ?, skipped = skipped + ?, last_enqueued_at = ?, updated_at = ?
           WHERE id = ?""",
        (json.dumps(rest), skipped, now_iso, now_iso, campaign["id"]),
    )


def advance_campaigns(svc: Services) -> bool:
    """One step of the campaign due first: start an occurrence, enqueue a batch, or complete it."""
    now = svc.clock.now()
    now_iso = iso(now)
    with svc.db.read() as conn:  # the common idle case costs one read, no write lock
        if conn.execute(f"SELECT 1 FROM campaigns WHERE {DUE_CAMPAIGNS} LIMIT 1", {"now": now_iso}).fetchone() is None:
            return False
    with svc.db.transaction() as conn:
        campaign = conn.execute(
            f"SELECT * FROM campaigns WHERE {DUE_CAMPAIGNS} ORDER BY updated_at, id LIMIT 1",
            {"now": now_iso},
        ).fetchone()
        if campaign is None:
            return False
        conn.execute("SAVEPOINT campaign_step")
        try:
            _step(svc, conn, campaign, now)
        except Exception:  # a campaign that cannot run must not hold up the others: undone, then marked failed
            log.exception("campaign %s failed", campaign["id"])
            conn.execute("ROLLBACK TO campaign_step")
            conn.execute(
                "UPDATE campaigns SET status = 'failed', pending_contacts = '[]', next_run_at = NULL, "
                "completed_at = ?, updated_at = ? WHERE id = ?",
                (now_iso, now_iso, campaign["id"]),
            )
        conn.execute("RELEASE campaign_step")
    return True


def _step(svc: Services, conn: sqlite3.Connection, campaign: sqlite3.Row, now: datetime) -> None:
    if campaign["status"] == "scheduled" or (
        campaign["pending_contacts"] == "[]" and campaign["next_run_at"] is not None
    ):
        _start_occurrence(conn, campaign, now)
    elif campaign["pending_contacts"] != "[]":
        _enqueue(svc, conn, campaign, now)
    else:
        conn.execute(
            "UPDATE campaigns SET status = 'completed', completed_at = ?, updated_at = ? WHERE id = ?",
            (iso(now), iso(now), campaign["id"]),
        )
