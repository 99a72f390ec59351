"""Faults of the console's sessions: sign-up and sign-in answers (AUTH-09..12), which workspace an X-Team-Id
opens (TEAM-14..18) and what deleting a team leaves behind (TEAM-19).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from msgflash_reference.clock import iso
from msgflash_reference.contexts import ConsoleUser, WorkspaceContext
from msgflash_reference.errors import ApiError
from msgflash_reference.faults.fault import Fault, chain, swap
from msgflash_reference.policies import Policies
from msgflash_reference.policies.console import AuthRules, ConsoleWorkspaceResolver, TeamLifecycle
from msgflash_reference.policies.key_resolver import KeyResolver
from msgflash_reference.server_parts import ServerParts
from msgflash_reference.tokens import issue_token


class _MembershipWithoutMemberCheck(ConsoleWorkspaceResolver):
    """Checks that the team exists, not that the caller belongs to it."""

    def membership(self, conn: sqlite3.Connection, user_id: str, team_id: str) -> sqlite3.Row | None:
        return conn.execute(
            """SELECT t.id, t.name, t.owner_user_id, t.created_at, COALESCE(m.role, 'collaborator') AS role,
                      m.joined_at FROM teams t
               LEFT JOIN team_members m ON m.team_id = t.id AND m.user_id = ? AND m.removed_at IS NULL
               WHERE t.id = ? AND t.deleted_at IS NULL""",
            (user_id, team_id),
        ).fetchone()


class _MembershipIgnoringRemoval(ConsoleWorkspaceResolver):
    """Forgets `removed_at`: members who left or were removed keep their access."""

    def membership(self, conn: sqlite3.Connection, user_id: str, team_id: str) -> sqlite3.Row | None:
        return conn.execute(
            """SELECT t.id, t.name, t.owner_user_id, t.created_at, m.role, m.joined_at FROM teams t
               JOIN team_members m ON m.team_id = t.id AND m.user_id = ?
               WHERE t.id = ? AND t.deleted_at IS NULL""",
            (user_id, team_id),
        ).fetchone()


class _MembershipIgnoringDeletion(ConsoleWorkspaceResolver):
    """Forgets the soft delete: a deleted team still opens."""

    def membership(self, conn: sqlite3.Connection, user_id: str, team_id: str) -> sqlite3.Row | None:
        return conn.execute(
            """SELECT t.id, t.name, t.owner_user_id, t.created_at, m.role, m.joined_at FROM teams t
               JOIN team_members m ON m.team_id = t.id AND m.user_id = ? AND m.removed_at IS NULL
               WHERE t.id = ?""",
            (user_id, team_id),
        ).fetchone()


class _UnknownTeamFallsBackToPersonal(ConsoleWorkspaceResolver):
    """An X-Team-Id the caller cannot use is silently dropped: the request runs in the personal workspace."""

    def resolve(self, svc: ServerParts, user: ConsoleUser, team_header: str | None) -> WorkspaceContext:
        try:
            return super().resolve(svc, user, team_header)
        except ApiError:
            return self.personal(user)


class _UnknownTeamForbidden(ConsoleWorkspaceResolver):
    def not_a_member(self) -> ApiError:
        return ApiError("FORBIDDEN", "You do not have access to this team")


class _HeaderReadOnAuthRoutes(ConsoleWorkspaceResolver):
    """A shared middleware-style check runs on /api/auth/* too."""

    def on_auth_route(self, svc: ServerParts, user: ConsoleUser, team_header: str | None) -> None:
        self.resolve(svc, user, team_header)


class _PersonalDefaultsToFirstTeam(ConsoleWorkspaceResolver):
    """Without X-Team-Id the console opens the caller's first team (a "last used workspace" default)."""

    def resolve(self, svc: ServerParts, user: ConsoleUser, team_header: str | None) -> WorkspaceContext:
        if (team_header or "").strip():
            return super().resolve(svc, user, team_header)
        with svc.db.read() as conn:
            row = conn.execute(
                """SELECT t.id FROM teams t JOIN team_members m ON m.team_id = t.id AND m.user_id = ?
                   AND m.removed_at IS NULL WHERE t.deleted_at IS NULL ORDER BY m.joined_at, t.id LIMIT 1""",
                (user.id,),
            ).fetchone()
        return super().resolve(svc, user, row["id"] if row else None)


class _KeysOfDeletedTeamsLive(KeyResolver):
    def live_team(self, conn: sqlite3.Connection, team_id: str) -> sqlite3.Row | None:
        return conn.execute("SELECT * FROM teams WHERE id = ?", (team_id,)).fetchone()


@dataclass(frozen=True)
class _DeleteWithoutRevoking(TeamLifecycle):
    def on_delete(self, conn: sqlite3.Connection, team_id: str, now: datetime) -> None:
        stamp = iso(now)
        conn.execute("UPDATE teams SET deleted_at = ?, updated_at = ? WHERE id = ?", (stamp, stamp, team_id))


@dataclass(frozen=True)
class _SignupSignsIn(AuthRules):
    """Signs the new account in at once, before its e-mail is verified."""

    def signup_answer(self, svc: ServerParts, user_id: str, email: str) -> dict[str, object]:
        token, expires_at = issue_token(user_id, svc.config.jwt_secret, svc.clock.now(), svc.config.jwt_ttl_seconds)
        return {**super().signup_answer(svc, user_id, email), "token": token, "expiresAt": expires_at}


@dataclass(frozen=True)
class _UnverifiedMayLogIn(AuthRules):
    def check_verified(self, user: sqlite3.Row) -> None:
        return None


@dataclass(frozen=True)
class _WrongPasswordIsBadRequest(AuthRules):
    def wrong_credentials(self) -> ApiError:
        return ApiError("BAD_REQUEST", "Invalid e-mail or password")


@dataclass(frozen=True)
class _TokenAsAccessToken(AuthRules):
    """The session JWT under `accessToken` (an OAuth habit) instead of `token`."""

    def session_answer(self, token: str, expires_at: str, user: sqlite3.Row) -> dict[str, object]:
        answer = super().session_answer(token, expires_at, user)
        return {"accessToken": answer.pop("token"), **answer}


def _team_key_survives_delete(policies: Policies) -> Policies:
    return chain(swap("team_lifecycle", _DeleteWithoutRevoking()), swap("key_resolver", _KeysOfDeletedTeamsLive()))(
        policies
    )


FAULTS: tuple[Fault, ...] = (
    Fault(
        "signup-auto-signin",
        ("AUTH-09",),
        "signup answers with a session token before the e-mail is verified",
        swap("console_auth", _SignupSignsIn()),
    ),
    Fault(
        "login-wrong-password-400",
        ("AUTH-10",),
        "a wrong console password answers 400 BAD_REQUEST instead of 401 UNAUTHORIZED",
        swap("console_auth", _WrongPasswordIsBadRequest()),
    ),
    Fault(
        "login-unverified-allowed",
        ("AUTH-11",),
        "accounts whose e-mail is not verified can sign in",
        swap("console_auth", _UnverifiedMayLogIn()),
    ),
    Fault(
        "login-token-as-access-token",
        ("AUTH-12",),
        "the login answer carries the JWT as data.accessToken, not data.token (G12)",
        swap("console_auth", _TokenAsAccessToken()),
    ),
    Fault(
        "console-team-membership-unchecked",
        ("TEAM-14",),
        "X-Team-Id of any live team opens it, member or not",
        swap("workspace_resolver", _MembershipWithoutMemberCheck()),
    ),
    Fault(
        "removed-member-keeps-team-access",
        ("TEAM-15",),
        "members who left or were removed keep using the team workspace",
        swap("workspace_resolver", _MembershipIgnoringRemoval()),
    ),
    Fault(
        "deleted-team-still-opens",
        ("TEAM-19",),
        "a soft-deleted team still opens in the console",
        swap("workspace_resolver", _MembershipIgnoringDeletion()),
    ),
    Fault(
        "console-bad-team-header-ignored",
        ("TEAM-14", "TEAM-18"),
        "an unusable X-Team-Id is dropped and the personal workspace answers",
        swap("workspace_resolver", _UnknownTeamFallsBackToPersonal()),
    ),
    Fault(
        "console-unknown-team-403",
        ("TEAM-14", "TEAM-18"),
        "an unusable X-Team-Id answers 403 FORBIDDEN instead of 404 TEAM_NOT_FOUND",
        swap("workspace_resolver", _UnknownTeamForbidden()),
    ),
    Fault(
        "console-team-header-on-auth",
        ("TEAM-17",),
        "/api/auth/* check X-Team-Id too (404 TEAM_NOT_FOUND on a bogus one)",
        swap("workspace_resolver", _HeaderReadOnAuthRoutes()),
    ),
    Fault(
        "console-defaults-to-first-team",
        ("TEAM-16",),
        "without X-Team-Id the console acts in the caller's first team, not the personal workspace",
        swap("workspace_resolver", _PersonalDefaultsToFirstTeam()),
    ),
    Fault(
        "team-key-survives-team-delete",
        ("TEAM-19",),
        "deleting a team neither revokes its keys nor stops them authenticating",
        _team_key_survives_delete,
    ),
)
