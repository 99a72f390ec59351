"""Who is calling and in which workspace: API-key auth for `/api/v1`, JWT auth for the console.

Public API pipeline (one dependency per route kind): authenticate the key (401) -> rate limit (429) ->
monthly API quota and counting on the paying owner (429) -> access rule of the route kind (403).
Console: `console_user` (Bearer JWT) and `console_workspace` (optional X-Team-Id -> 404 TEAM_NOT_FOUND).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from msgflash_reference.contexts import ConsoleUser, WorkspaceContext, team_not_found
from msgflash_reference.errors import ApiError
from msgflash_reference.ids import is_uuid
from msgflash_reference.policies.access import RouteKind, check_access
from msgflash_reference.quotas import charge_api_request
from msgflash_reference.services import Services, Svc
from msgflash_reference.subscriptions import current_plan
from msgflash_reference.tokens import verify_token


# -- public API (x-api-key) -------------------------------------------------------------------------
def authenticate_api_key(svc: Services, request: Request, kind: RouteKind) -> WorkspaceContext:
    policies = svc.policies
    resolver = policies.key_resolver
    with svc.db.read() as conn:
        identity = resolver.authenticate(conn, request.headers)
    workspace = resolver.workspace_of(identity)
    svc.rate_limiter.hit(policies.rate, policies.rate.bucket(identity, workspace, request.method))
    payer = policies.quota.payer(workspace.owner_id, identity.holder_id)
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        plan = current_plan(conn, svc.plans, payer, now)
        charge_api_request(conn, policies.quota, payer_id=payer, key_id=identity.key_id, plan=plan, now=now)
    check_access(policies.access_rules, kind, identity)
    return WorkspaceContext(
        workspace_id=workspace.workspace_id,
        owner_id=workspace.owner_id,
        actor_id=identity.holder_id,
        team_id=workspace.team_id,
        key_id=identity.key_id,
    )


def api_key_context(kind: RouteKind) -> Callable[..., WorkspaceContext]:
    def dependency(request: Request, svc: Svc) -> WorkspaceContext:
        return authenticate_api_key(svc, request, kind)

    dependency.__name__ = f"api_key_{kind.value}"
    return dependency


workspace_key = api_key_context(RouteKind.WORKSPACE)
personal_key = api_key_context(RouteKind.PERSONAL_ONLY)
any_key = api_key_context(RouteKind.OPEN)

# Route parameter types: `ctx: WorkspaceKey` on a team-aware route, `PersonalKey` on /me, /usage and the
# billing reads, `AnyKey` on /billing/plans.
WorkspaceKey = Annotated[WorkspaceContext, Depends(workspace_key)]
PersonalKey = Annotated[WorkspaceContext, Depends(personal_key)]
AnyKey = Annotated[WorkspaceContext, Depends(any_key)]


# -- console (JWT) ----------------------------------------------------------------------------------
def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def console_user(request: Request, svc: Svc) -> ConsoleUser:
    """The signed-in console user; 401 UNAUTHORIZED without a valid, unexpired JWT of a live user."""
    token = bearer_token(request)
    if not token:
        raise ApiError("UNAUTHORIZED", "Missing or invalid session token")
    user_id = verify_token(token, svc.config.jwt_secret, svc.clock.now())
    with svc.db.read() as conn:
        row = conn.execute(
            "SELECT id, email, full_name FROM users WHERE id = ? AND deleted_at IS NULL", (user_id,)
        ).fetchone()
    if row is None:
        raise ApiError("UNAUTHORIZED", "Invalid or expired session token")
    return ConsoleUser(row["id"], row["email"], row["full_name"])


ConsoleSession = Annotated[ConsoleUser, Depends(console_user)]


def resolve_console_workspace(svc: Services, user: ConsoleUser, team_header: str | None) -> WorkspaceContext:
    """Personal workspace without X-Team-Id; with it, the team when the user is an active member of a live
    team, else 404 TEAM_NOT_FOUND (unknown, never joined, left/removed, deleted, malformed, empty)."""
    if team_header is None:
        return WorkspaceContext(user.id, user.id, user.id, via="console")
    header = team_header.strip()  # sent empty still counts as sent, and names no team (G26)
    if not is_uuid(header):
        raise team_not_found()
    with svc.db.read() as conn:
        row = conn.execute(
            """SELECT t.id, t.owner_user_id, m.role FROM teams t
               JOIN team_members m ON m.team_id = t.id AND m.user_id = ? AND m.removed_at IS NULL
               WHERE t.id = ? AND t.deleted_at IS NULL""",
            (user.id, header.lower()),
        ).fetchone()
    if row is None:
        raise team_not_found()
    return WorkspaceContext(
        row["id"], row["owner_user_id"], user.id, team_id=row["id"], role=row["role"], via="console"
    )


def console_workspace(request: Request, user: ConsoleSession, svc: Svc) -> WorkspaceContext:
    """Dependency for console resource routes (never for /api/auth/*, which ignore X-Team-Id)."""
    return resolve_console_workspace(svc, user, request.headers.get("x-team-id"))


# Console route parameter types: `user: ConsoleSession` (/api/auth/*, /api/teams/*), `ctx: ConsoleWorkspace`
# on console resource routes that honour X-Team-Id.
ConsoleWorkspace = Annotated[WorkspaceContext, Depends(console_workspace)]
