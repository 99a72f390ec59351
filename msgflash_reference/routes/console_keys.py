"""Unified console API keys (facts §12 "[S] Unified console API keys"): `/api/api-keys` in the personal
workspace or, with X-Team-Id, the team's (owner/admin only: collaborators get 403 TEAM_ACCESS_DENIED).

One key pool per owner: personal keys and the keys of the owner's teams count together against the owner's
plan (`plan_rules` cap `api_keys`, PLAN-05). Rows never carry the secret; it is returned once, at creation.
The key functions here serve the legacy `/api/teams/:teamId/api-keys` routes too.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from msgflash_reference.accounts import issue_key, revoke_key
from msgflash_reference.auth import WorkspaceContext
from msgflash_reference.bodies import json_body
from msgflash_reference.clock import iso, period_key
from msgflash_reference.console_access import ConsoleContext
from msgflash_reference.envelopes import created, deleted, ok
from msgflash_reference.errors import invalid_field, not_found
from msgflash_reference.ids import parse_id
from msgflash_reference.plan_rules import CapScope
from msgflash_reference.policies.roles import Action
from msgflash_reference.requests.console_teams import KeyCreate
from msgflash_reference.services import Services, Svc
from msgflash_reference.subscriptions import current_plan

router = APIRouter()

PERIOD_KEY_RE = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


def key_row_view(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "keyPrefix": row["key_prefix"],
        "kind": row["kind"],
        "lastUsedAt": row["last_used_at"],
        "revokedAt": row["revoked_at"],
        "createdAt": row["created_at"],
    }


def _scope_sql(team_id: str | None) -> str:
    """The keys of a workspace: one team's, or the personal keys of a user."""
    return "team_id = :team" if team_id else "team_id IS NULL AND user_id = :user"


def workspace_keys(conn: sqlite3.Connection, *, team_id: str | None, user_id: str) -> list[sqlite3.Row]:
    return conn.execute(
        f"SELECT * FROM api_keys WHERE {_scope_sql(team_id)} ORDER BY created_at DESC, id DESC",
        {"team": team_id, "user": user_id},
    ).fetchall()


def create_workspace_key(
    svc: Services,
    conn: sqlite3.Connection,
    *,
    owner_id: str,
    actor_id: str,
    team_id: str | None,
    name: str,
    now: datetime,
) -> dict[str, Any]:
    """Check the owner's pooled cap, issue the key, return its row with the secret (shown this once)."""
    plan = current_plan(conn, svc.plans, owner_id, now)
    scope = CapScope(owner_id=owner_id, workspace_id=team_id or owner_id, team_id=team_id, now_iso=iso(now))
    svc.policies.plan_rules.enforce(conn, "api_keys", plan, scope)
    issued = issue_key(conn, svc.policies.key_generator, user_id=actor_id, team_id=team_id, name=name, now=now)
    row = conn.execute("SELECT * FROM api_keys WHERE id = ?", (issued.id,)).fetchone()
    svc.policies.key_list_view.issued(issued.id, issued.secret)
    return {**key_row_view(row), "secret": issued.secret}


def revoke_workspace_key(
    conn: sqlite3.Connection, *, key_id: str, team_id: str | None, user_id: str, now: datetime
) -> None:
    """Revoked at once (AUTH-03); 404 NOT_FOUND for a key outside the workspace. Revoking twice is a no-op."""
    row = conn.execute(
        f"SELECT id FROM api_keys WHERE id = :id AND {_scope_sql(team_id)}",
        {"id": key_id, "team": team_id, "user": user_id},
    ).fetchone()
    if row is None:
        raise not_found("API key")
    revoke_key(conn, key_id, now)


def _require_key_manager(svc: Services, ctx: WorkspaceContext) -> None:
    svc.policies.roles.require(Action.API_KEYS_MANAGE, ctx.role)


@router.get("/api/api-keys")
def list_keys(ctx: ConsoleContext, svc: Svc) -> JSONResponse:
    _require_key_manager(svc, ctx)
    with svc.db.read() as conn:
        rows = workspace_keys(conn, team_id=ctx.team_id, user_id=ctx.actor_id)
    return ok([svc.policies.key_list_view.listed(key_row_view(r)) for r in rows])


@router.post("/api/api-keys")
def create_key(
    ctx: ConsoleContext, svc: Svc, body: Annotated[KeyCreate, Depends(json_body(KeyCreate))]
) -> JSONResponse:
    """`msgf_live_…` in the personal workspace, `msgf_team_…` with X-Team-Id (G19)."""
    _require_key_manager(svc, ctx)
    return created(issue_named_key(svc, body, owner_id=ctx.owner_id, actor_id=ctx.actor_id, team_id=ctx.team_id))


def issue_named_key(svc: Services, body: KeyCreate, *, owner_id: str, actor_id: str,
                    team_id: str | None) -> dict[str, Any]:
    """The console's key creation (here and the legacy team route): a non-blank name, then one transaction."""
    name = body.name.strip()
    if not name:
        raise invalid_field("name", "must not be blank")
    with svc.db.transaction() as conn:
        return create_workspace_key(svc, conn, owner_id=owner_id, actor_id=actor_id, team_id=team_id, name=name,
                                    now=svc.clock.now())


@router.get("/api/api-keys/usage")
def key_usage(ctx: ConsoleContext, svc: Svc, periodKey: str | None = None) -> JSONResponse:
    """`{periodKey, totalRequests, apiKeys[...]}`: request counts of the workspace's keys for one month."""
    _require_key_manager(svc, ctx)
    if periodKey is not None and not PERIOD_KEY_RE.match(periodKey):
        raise invalid_field("periodKey", "must be YYYY-MM")
    period = periodKey or period_key(svc.clock.now())
    with svc.db.read() as conn:
        rows = workspace_keys(conn, team_id=ctx.team_id, user_id=ctx.actor_id)
        usage = {
            r["key_id"]: r
            for r in conn.execute(
                """SELECT * FROM api_key_usage
                   WHERE period_key = ? AND key_id IN (SELECT value FROM json_each(?))""",
                (period, _json_ids(rows)),
            )
        }
    items = []
    view = svc.policies.key_list_view
    for row in rows:
        hit = usage.get(row["id"])
        items.append(
            {
                **view.usage_listed(key_row_view(row)),
                "requestCount": hit["request_count"] if hit else 0,
                "lastRequestAt": hit["last_request_at"] if hit else None,
            }
        )
    return ok({"periodKey": period, "totalRequests": sum(i["requestCount"] for i in items), "apiKeys": items})


def _json_ids(rows: list[sqlite3.Row]) -> str:
    return json.dumps([r["id"] for r in rows])


@router.delete("/api/api-keys/{key_id:rid}")
def delete_key(key_id: str, ctx: ConsoleContext, svc: Svc) -> JSONResponse:
    _require_key_manager(svc, ctx)
    key_id = parse_id(key_id)
    with svc.db.transaction() as conn:
        revoke_workspace_key(conn, key_id=key_id, team_id=ctx.team_id, user_id=ctx.actor_id, now=svc.clock.now())
    return deleted(key_id)
