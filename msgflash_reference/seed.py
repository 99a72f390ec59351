"""Seeding: the identities a target profile needs (owner on Pro, team with admin and collaborator,
second team, outsider on Free), their instances, a few messages and payments. Secrets are random on every run.

A database that was seeded before is re-used: its seeded identities get fresh keys and passwords (the old
seeded keys are revoked; only hashes were ever stored, so the old secrets cannot be given again).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from msgflash_reference.accounts import (
    add_member,
    create_instance,
    create_team,
    create_user,
    insert_payment,
    issue_key,
    revoke_key,
    set_password,
)
from msgflash_reference.clock import iso, month_period
from msgflash_reference.ids import new_id
from msgflash_reference.keys import KeyGenerator
from msgflash_reference.message_store import insert_message
from msgflash_reference.services import Services
from msgflash_reference.subscriptions import set_plan

SEED_KEY_GENERATOR = KeyGenerator()

IDENTITIES = ("owner", "admin", "collaborator", "outsider")
SEED_META_KEY = "seed"


@dataclass(frozen=True)
class SeededIdentity:
    name: str
    user_id: str
    email: str
    password: str
    api_key: str


@dataclass(frozen=True)
class SeedResult:
    identities: dict[str, SeededIdentity]
    team_id: str
    team_api_key: str
    other_team_id: str
    reused: bool = False
    instance_ids: dict[str, list[str]] = field(default_factory=dict)


def _password() -> str:
    return secrets.token_urlsafe(18)


def seed(svc: Services) -> SeedResult:
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        stored = conn.execute("SELECT value FROM meta WHERE key = ?", (SEED_META_KEY,)).fetchone()
        if stored is None:
            result, record = _seed_fresh(conn, svc, now)
        else:
            result, record = _rotate(conn, svc, json.loads(stored[0]), now)
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (SEED_META_KEY, json.dumps(record)),
        )
    _report_provisioned_keys(svc, result, record["keys"])
    return result


def _report_provisioned_keys(svc: Services, result: SeedResult, key_ids: dict[str, str]) -> None:
    """The seeded keys are the keys an account had before the run: the key-list view hears of them (a seam)."""
    view = svc.policies.key_list_view
    for name, key_id in key_ids.items():
        view.provisioned(key_id, result.team_api_key if name == "team" else result.identities[name].api_key)


def _seed_fresh(conn: sqlite3.Connection, svc: Services, now: datetime) -> tuple[SeedResult, dict]:
    # Seeded keys stand for keys issued before any fault: a key-format fault shows on keys created later.
    cfg, gen = svc.config, SEED_KEY_GENERATOR
    run = secrets.token_hex(4)
    names = {
        "owner": "Olivia Owner",
        "admin": "Adam Admin",
        "collaborator": "Chloe Collaborator",
        "outsider": "Oscar Outsider",
    }
    plans = {"owner": "pro", "admin": "free", "collaborator": "free", "outsider": "free"}
    identities: dict[str, SeededIdentity] = {}
    key_ids: dict[str, str] = {}
    for name in IDENTITIES:
        email = f"{name}-{run}@seed.msgflash.test"
        password = _password()
        user_id = create_user(
            conn,
            email=email,
            password=password,
            full_name=names[name],
            verified=True,
            iterations=cfg.password_iterations,
            now=now,
        )
        set_plan(conn, user_id, plans[name], now)
        key = issue_key(conn, gen, user_id=user_id, team_id=None, name=f"seed {name}", now=now)
        identities[name] = SeededIdentity(name, user_id, email, password, key.secret)
        key_ids[name] = key.id
    owner, admin, collab = (identities[n].user_id for n in ("owner", "admin", "collaborator"))
    team_id = create_team(conn, owner_id=owner, name="Seed Team", now=now)
    add_member(conn, team_id=team_id, user_id=admin, role="admin", now=now)
    add_member(conn, team_id=team_id, user_id=collab, role="collaborator", now=now)
    other_team_id = create_team(conn, owner_id=owner, name="Second Team", now=now)
    # Created by the admin: team traffic must still be charged to the owner (TEAM-11).
    team_key = issue_key(conn, gen, user_id=admin, team_id=team_id, name="seed team key", now=now)
    key_ids["team"] = team_key.id

    outsider = identities["outsider"].user_id
    instances = {
        "owner": [
            create_instance(
                conn,
                workspace_id=owner,
                owner_id=owner,
                team_id=None,
                name=f"Owner line {i}",
                status="connected",
                wa_number=f"+3361000000{i}",
                now=now,
            )
            for i in (1, 2)
        ],
        "team": [
            create_instance(
                conn,
                workspace_id=team_id,
                owner_id=owner,
                team_id=team_id,
                name="Team line",
                status="connected",
                wa_number="+33610000003",
                now=now,
            )
        ],
        "outsider": [
            create_instance(
                conn,
                workspace_id=outsider,
                owner_id=outsider,
                team_id=None,
                name="Outsider line",
                status="connected",
                wa_number="+33620000001",
                now=now,
            )
        ],
    }
    _seed_messages(conn, owner, team_id, outsider, instances, now)
    _seed_payments(conn, owner, now)
    _seed_webhook(conn, owner, now)
    result = SeedResult(identities, team_id, team_key.secret, other_team_id, False, instances)
    record = {
        "users": {n: i.user_id for n, i in identities.items()},
        "keys": key_ids,
        "team": team_id,
        "other_team": other_team_id,
        "admin_for_team_key": admin,
    }
    return result, record


def _seed_messages(
    conn: sqlite3.Connection,
    owner: str,
    team_id: str,
    outsider: str,
    instances: dict[str, list[str]],
    now: datetime,
) -> None:
    plan = [  # (workspace, payer, instance, status)
        (owner, owner, instances["owner"][0], "delivered"),
        (owner, owner, instances["owner"][0], "read"),
        (owner, owner, instances["owner"][0], "failed"),
        (owner, owner, instances["owner"][1], "delivered"),
        (owner, owner, instances["owner"][1], "sent"),
        (owner, owner, instances["owner"][1], "queued"),
        (team_id, owner, instances["team"][0], "delivered"),
        (team_id, owner, instances["team"][0], "sent"),
        (outsider, outsider, instances["outsider"][0], "delivered"),
    ]
    for n, (workspace, payer, instance, status) in enumerate(plan):
        insert_message(
            conn,
            workspace_id=workspace,
            owner_id=payer,
            user_id=payer,
            instance_id=instance,
            to=f"+2291234{n:04d}",
            from_number=None,
            type_="text",
            body=f"Seed message {n + 1}",
            status=status,
            created_at=iso(now - timedelta(minutes=60 - n)),
            provider_message_id=f"seed-{secrets.token_hex(6)}",
        )


def _seed_webhook(conn: sqlite3.Connection, owner: str, now: datetime) -> None:
    """One endpoint of the owner, there before the run (a list holds more than what a check creates)."""
    from msgflash_reference.routes.webhooks import signing_secret  # routes import after the `rid` convertor

    stamp = iso(now)
    conn.execute(
        """INSERT INTO webhooks (id, workspace_id, owner_id, url, events, secret, active, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)""",
        (new_id(), owner, owner, "https://hooks.seed.msgflash.test/owner", json.dumps(["message.delivered"]),
         signing_secret(), stamp, stamp),
    )


def _seed_payments(conn: sqlite3.Connection, owner: str, now: datetime) -> None:
    start, _ = month_period(now)
    for months_back in (2, 1, 0):
        period_start = start
        for _ in range(months_back):
            period_start = month_period(period_start - timedelta(days=1))[0]
        period_end = month_period(period_start)[1]
        insert_payment(
            conn,
            user_id=owner,
            plan_code="pro",
            plan_name="Pro",
            amount=1900,
            status="succeeded",
            period_start=iso(period_start),
            period_end=iso(period_end),
            created_at=iso(period_start + timedelta(minutes=5)),
        )


def _rotate(conn: sqlite3.Connection, svc: Services, record: dict, now: datetime) -> tuple[SeedResult, dict]:
    # Seeded keys stand for keys issued before any fault: a key-format fault shows on keys created later.
    cfg, gen = svc.config, SEED_KEY_GENERATOR
    identities: dict[str, SeededIdentity] = {}
    key_ids: dict[str, str] = {}
    for name in IDENTITIES:
        user_id = record["users"][name]
        email = conn.execute("SELECT email FROM users WHERE id = ?", (user_id,)).fetchone()[0]
        password = _password()
        set_password(conn, user_id, password, cfg.password_iterations, now)
        revoke_key(conn, record["keys"][name], now)
        key = issue_key(conn, gen, user_id=user_id, team_id=None, name=f"seed {name}", now=now)
        identities[name] = SeededIdentity(name, user_id, email, password, key.secret)
        key_ids[name] = key.id
    revoke_key(conn, record["keys"]["team"], now)
    team_key = issue_key(
        conn, gen, user_id=record["admin_for_team_key"], team_id=record["team"], name="seed team key", now=now
    )
    key_ids["team"] = team_key.id
    result = SeedResult(identities, record["team"], team_key.secret, record["other_team"], True)
    return result, {**record, "keys": key_ids}
