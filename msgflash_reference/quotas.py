"""Monthly counters and quotas: API requests (per key and per paying owner) and outbound messages/statuses.

Counters live per owner and calendar month of the server clock. A team key's traffic is charged to the team
owner (TEAM-11). `QuotaPolicy` holds the decisions faults can swap: who pays, when the quota is exhausted, and
which code says so.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from msgflash_reference.clock import iso, month_period, period_key
from msgflash_reference.errors import ApiError
from msgflash_reference.plan_rules import CapScope, count_api_keys, count_instances
from msgflash_reference.plans import Plan


@dataclass(frozen=True)
class QuotaPolicy:
    # 'owner': the workspace's paying owner; 'actor': whoever holds the key (a bug for team keys)
    charge_to: str = "owner"
    # exhausted when count >= quota (the request that would be number quota+1 is refused)
    allow_one_over: bool = False
    api_quota_code: str = "MONTHLY_API_REQUEST_QUOTA_EXCEEDED"
    api_quota_message: str = "Monthly API request quota exceeded"

    def payer(self, owner_id: str, key_holder_id: str) -> str:
        """Whose monthly API quota a request is counted on: the workspace's paying owner (TEAM-11)."""
        return owner_id if self.charge_to == "owner" else key_holder_id

    def exhausted(self, used: int, quota: int) -> bool:
        return used > quota if self.allow_one_over else used >= quota


def _ensure_row(conn: sqlite3.Connection, owner_id: str, key: str) -> None:
    conn.execute("INSERT OR IGNORE INTO usage_counters (owner_id, period_key) VALUES (?, ?)", (owner_id, key))


def read_counters(conn: sqlite3.Connection, owner_id: str, now: datetime) -> dict[str, int]:
    row = conn.execute(
        "SELECT messages_count, statuses_count, api_requests_count FROM usage_counters "
        "WHERE owner_id = ? AND period_key = ?",
        (owner_id, period_key(now)),
    ).fetchone()
    if row is None:
        return {"messages": 0, "statuses": 0, "api_requests": 0}
    return {"messages": row[0], "statuses": row[1], "api_requests": row[2]}


def charge_api_request(
    conn: sqlite3.Connection, policy: QuotaPolicy, *, payer_id: str, key_id: str, plan: Plan, now: datetime
) -> None:
    """Refuse with 429 when the payer's monthly API quota is used up; otherwise count this request."""
    used = read_counters(conn, payer_id, now)["api_requests"]
    if policy.exhausted(used, plan.monthly_api_request_quota):
        raise ApiError(policy.api_quota_code, policy.api_quota_message)
    key = period_key(now)
    _ensure_row(conn, payer_id, key)
    conn.execute(
        "UPDATE usage_counters SET api_requests_count = api_requests_count + 1 WHERE owner_id = ? AND period_key = ?",
        (payer_id, key),
    )
    stamp = iso(now)
    conn.execute(
        """INSERT INTO api_key_usage (key_id, period_key, request_count, last_request_at) VALUES (?, ?, 1, ?)
           ON CONFLICT(key_id, period_key) DO UPDATE SET request_count = request_count + 1,
             last_request_at = excluded.last_request_at""",
        (key_id, key, stamp),
    )
    conn.execute("UPDATE api_keys SET last_used_at = ? WHERE id = ?", (stamp, key_id))


def check_outbound(conn: sqlite3.Connection, owner_id: str, plan: Plan, now: datetime, count: int = 1) -> None:
    """429 MONTHLY_OUTBOUND_QUOTA_EXCEEDED when `count` more messages/statuses would not fit."""
    used = read_counters(conn, owner_id, now)
    if used["messages"] + used["statuses"] + count > plan.monthly_outbound_quota:
        raise ApiError("MONTHLY_OUTBOUND_QUOTA_EXCEEDED", "Monthly outbound quota exceeded")


def record_outbound(conn: sqlite3.Connection, owner_id: str, kind: str, now: datetime, count: int = 1) -> None:
    """Count sent messages (`kind='messages'`) or published statuses (`kind='statuses'`)."""
    column = {"messages": "messages_count", "statuses": "statuses_count"}[kind]
    key = period_key(now)
    _ensure_row(conn, owner_id, key)
    conn.execute(
        f"UPDATE usage_counters SET {column} = {column} + ? WHERE owner_id = ? AND period_key = ?",
        (count, owner_id, key),
    )


def set_counters(
    conn: sqlite3.Connection,
    owner_id: str,
    now: datetime,
    *,
    messages: int | None = None,
    statuses: int | None = None,
    api_requests: int | None = None,
) -> None:
    """Overwrite this month's counters (sandbox controls)."""
    key = period_key(now)
    _ensure_row(conn, owner_id, key)
    for column, value in (
        ("messages_count", messages),
        ("statuses_count", statuses),
        ("api_requests_count", api_requests),
    ):
        if value is not None:
            conn.execute(
                f"UPDATE usage_counters SET {column} = ? WHERE owner_id = ? AND period_key = ?",
                (value, owner_id, key),
            )


def usage_view(conn: sqlite3.Connection, owner_id: str, now: datetime) -> dict[str, Any]:
    """The six usage counters of facts §11.2 for the owner's current month."""
    counters = read_counters(conn, owner_id, now)
    scope = CapScope(owner_id=owner_id)
    return {
        "messagesCount": counters["messages"],
        "statusesCount": counters["statuses"],
        "effectiveOutboundUsage": counters["messages"] + counters["statuses"],
        "apiRequestsCount": counters["api_requests"],
        "activeInstancesCount": count_instances(conn, scope),
        "activeApiKeysCount": count_api_keys(conn, scope),
    }


def period_view(now: datetime) -> dict[str, str]:
    start, end = month_period(now)
    return {"start": iso(start), "end": iso(end)}
