"""The console's session policies: sign-up and sign-in answers (`svc.policies.console_auth`), which workspace
a console request acts in (`workspace_resolver`) and what deleting a team does (`team_lifecycle`).

Each policy is a small class; a fault (`faults/console.py`) is a subclass getting one step wrong.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from msgflash_reference.clock import iso
from msgflash_reference.contexts import ConsoleUser, WorkspaceContext, team_not_found
from msgflash_reference.errors import ApiError
from msgflash_reference.ids import is_uuid
from msgflash_reference.server_parts import ServerParts


# -- which workspace a console request acts in -------------------------------------------------------------
class ConsoleWorkspaceResolver:
    """X-Team-Id on console resource routes: absent -> personal; else an active membership of a live team,
    otherwise 404 TEAM_NOT_FOUND (unknown, never joined, left, removed, deleted, malformed; facts §2.2).
    `/api/teams/:teamId*` use the same membership lookup with the id from the path."""

    def membership(self, conn: sqlite3.Connection, user_id: str, team_id: str) -> sqlite3.Row | None:
        """The caller's active membership row joined with its live team (`id, name, owner_user_id, role,
        created_at, joined_at`), or None."""
        return conn.execute(
            """SELECT t.id, t.name, t.owner_user_id, t.created_at, m.role, m.joined_at FROM teams t
               JOIN team_members m ON m.team_id = t.id AND m.user_id = ? AND m.removed_at IS NULL
               WHERE t.id = ? AND t.deleted_at IS NULL""",
            (user_id, team_id),
        ).fetchone()

    def personal(self, user: ConsoleUser) -> WorkspaceContext:
        return WorkspaceContext(user.id, user.id, user.id, via="console")

    def resolve(self, svc: ServerParts, user: ConsoleUser, team_header: str | None) -> WorkspaceContext:
        if team_header is None:
            return self.personal(user)
        header = team_header.strip()  # sent empty still counts as sent, and names no team (G26)
        if not is_uuid(header):
            raise self.not_a_member()
        with svc.db.read() as conn:
            row = self.membership(conn, user.id, header.lower())
        if row is None:
            raise self.not_a_member()
        return WorkspaceContext(
            row["id"], row["owner_user_id"], user.id, team_id=row["id"], role=row["role"], via="console"
        )

    def not_a_member(self) -> ApiError:
        return team_not_found()

    def on_auth_route(self, svc: ServerParts, user: ConsoleUser, team_header: str | None) -> None:
        """`/api/auth/*` ignore X-Team-Id (facts §2.2, TEAM-17): nothing to do."""
        return None


# -- console sign-up and sign-in ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AuthRules:
    """What signup answers and what login refuses (facts §1 console auth, G12)."""

    def signup_answer(self, svc: ServerParts, user_id: str, email: str) -> dict[str, object]:
        """No automatic sign-in (AUTH-09): no token, verification required."""
        return {"success": True, "verificationRequired": True, "email": email}

    def wrong_credentials(self) -> ApiError:
        return ApiError("UNAUTHORIZED", "Invalid e-mail or password")

    def check_verified(self, user: sqlite3.Row) -> None:
        if not user["email_verified"]:
            raise ApiError("EMAIL_NOT_VERIFIED", "Confirm your e-mail address before signing in")

    def session_answer(self, token: str, expires_at: str, user: sqlite3.Row) -> dict[str, object]:
        """G12: `{token, expiresAt, user: {id, email, fullName}}`."""
        return {
            "token": token,
            "expiresAt": expires_at,
            "user": {"id": user["id"], "email": user["email"], "fullName": user["full_name"]},
        }


# -- team deletion -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TeamLifecycle:
    def on_delete(self, conn: sqlite3.Connection, team_id: str, now: datetime) -> None:
        """Soft delete: the team's keys are revoked and its pending invitations lapse ([S] TEAM-19)."""
        stamp = iso(now)
        conn.execute("UPDATE teams SET deleted_at = ?, updated_at = ? WHERE id = ?", (stamp, stamp, team_id))
        conn.execute("UPDATE api_keys SET revoked_at = ? WHERE team_id = ? AND revoked_at IS NULL", (stamp, team_id))
        conn.execute(
            "UPDATE team_invitations SET status = 'revoked' WHERE team_id = ? AND status = 'pending'",
            (team_id,),
        )
