"""Creating the account-side rows: users, keys, teams, members, instances, payments.

Shared by the seed, the console routes and the sandbox; each function writes inside the caller's transaction.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from msgflash_reference.clock import iso
from msgflash_reference.ids import new_id
from msgflash_reference.keys import IssuedKey, KeyGenerator, display_prefix, hash_secret
from msgflash_reference.passwords import hash_password


def create_user(
    conn: sqlite3.Connection,
    *,
    email: str,
    password: str | None,
    full_name: str | None,
    verified: bool,
    iterations: int,
    now: datetime,
    phone: str | None = None,
) -> str:
    user_id = new_id()
    stamp = iso(now)
    conn.execute(
        """INSERT INTO users (id, email, full_name, password_hash, email_verified, phone, display_name,
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            user_id,
            email,
            full_name,
            hash_password(password, iterations) if password else None,
            int(verified),
            phone,
            full_name,
            stamp,
            stamp,
        ),
    )
    return user_id


def set_password(conn: sqlite3.Connection, user_id: str, password: str, iterations: int, now: datetime) -> None:
    conn.execute(
        "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
        (hash_password(password, iterations), iso(now), user_id),
    )


def issue_key(
    conn: sqlite3.Connection,
    generator: KeyGenerator,
    *,
    user_id: str,
    team_id: str | None,
    name: str,
    now: datetime,
) -> IssuedKey:
    """Store a new key (hash + display prefix only) and return its secret, which is shown once.
    Caps are the caller's business (PlanRules.enforce 'api_keys' on the owner)."""
    kind = "team" if team_id else "personal"
    secret = generator.new_secret(kind)
    key_id = new_id()
    conn.execute(
        """INSERT INTO api_keys (id, user_id, team_id, kind, name, key_prefix, key_hash, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        (key_id, user_id, team_id, kind, name, display_prefix(secret), hash_secret(secret), iso(now)),
    )
    return IssuedKey(key_id, secret, kind, display_prefix(secret))


def revoke_key(conn: sqlite3.Connection, key_id: str, now: datetime) -> None:
    conn.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (iso(now), key_id))


def create_team(conn: sqlite3.Connection, *, owner_id: str, name: str, now: datetime) -> str:
    team_id = new_id()
    stamp = iso(now)
    conn.execute(
        "INSERT INTO teams (id, name, owner_user_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        (team_id, name, owner_id, stamp, stamp),
    )
    add_member(conn, team_id=team_id, user_id=owner_id, role="owner", now=now)
    return team_id


def add_member(conn: sqlite3.Connection, *, team_id: str, user_id: str, role: str, now: datetime) -> None:
    """Make the user an active member (re-activates a former member)."""
    conn.execute(
        """INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)
           ON CONFLICT(team_id, user_id) DO UPDATE SET role = excluded.role, joined_at = excluded.joined_at,
             removed_at = NULL""",
        (team_id, user_id, role, iso(now)),
    )


def create_instance(
    conn: sqlite3.Connection,
    *,
    workspace_id: str,
    owner_id: str,
    team_id: str | None,
    name: str,
    status: str,
    wa_number: str | None,
    now: datetime,
    health_score: int = 80,
    meta: dict[str, Any] | None = None,
) -> str:
    instance_id = new_id()
    stamp = iso(now)
    conn.execute(
        """INSERT INTO instances (id, workspace_id, owner_id, team_id, name, wa_number, status, meta,
             health_score, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            instance_id,
            workspace_id,
            owner_id,
            team_id,
            name,
            wa_number,
            status,
            json.dumps(meta) if meta is not None else None,
            health_score,
            stamp,
            stamp,
        ),
    )
    return instance_id


def insert_payment(
    conn: sqlite3.Connection,
    *,
    user_id: str,
    plan_code: str,
    plan_name: str,
    amount: int,
    status: str,
    period_start: str | None,
    period_end: str | None,
    created_at: str,
    team_id: str | None = None,
) -> str:
    payment_id = new_id()
    conn.execute(
        """INSERT INTO payments (id, user_id, plan_code, plan_name, amount, status, period_start, period_end,
             team_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            payment_id,
            user_id,
            plan_code,
            plan_name,
            amount,
            status,
            period_start,
            period_end,
            team_id,
            created_at,
        ),
    )
    return payment_id
