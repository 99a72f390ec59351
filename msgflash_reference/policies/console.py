"""The console's policies (sign-in, team workspace resolution, invitations, team deletion) and its faults.

`faults.py` loads this module through its EXTENSION_MODULES hook: POLICY_DEFAULTS land in
`svc.policies.extra` and FAULTS join the registry (the role-matrix faults of `policies/roles.py` are
registered from here too). Each policy is a small class; a fault is a subclass getting one step wrong.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from msgflash_reference.auth import ConsoleUser, WorkspaceContext, team_not_found
from msgflash_reference.clock import iso
from msgflash_reference.errors import ApiError
from msgflash_reference.faults import Fault
from msgflash_reference.ids import is_uuid
from msgflash_reference.keys import hash_secret
from msgflash_reference.plan_rules import DEFAULT_CAPS, CapScope
from msgflash_reference.policies.key_resolver import KeyResolver
from msgflash_reference.policies.roles import ROLE_FAULTS, RoleMatrix
from msgflash_reference.tokens import issue_token

if TYPE_CHECKING:
    from msgflash_reference.policies import Policies
    from msgflash_reference.services import Services

INVITATION_TTL = timedelta(hours=24)  # facts §12: invitations expire after 24 h (UTC)


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

    def resolve(self, svc: Services, user: ConsoleUser, team_header: str | None) -> WorkspaceContext:
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

    def on_auth_route(self, svc: Services, user: ConsoleUser, team_header: str | None) -> None:
        """`/api/auth/*` ignore X-Team-Id (facts §2.2, TEAM-17): nothing to do."""
        return None


# -- invitations -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InvitationRules:
    ttl: timedelta = INVITATION_TTL

    def expires_at(self, now: datetime) -> str:
        return iso(now + self.ttl)

    def is_live(self, row: sqlite3.Row, now: datetime) -> bool:
        return row["status"] == "pending" and row["expires_at"] > iso(now)

    def find_by_token(self, conn: sqlite3.Connection, token: str) -> sqlite3.Row | None:
        return conn.execute("SELECT * FROM team_invitations WHERE token_hash = ?", (hash_secret(token),)).fetchone()

    def emails_match(self, invited: str, signed_in: str) -> bool:
        return invited.strip().casefold() == signed_in.strip().casefold()

    def check_invitee(self, conn: sqlite3.Connection, email: str) -> None:
        """Anyone can be invited, with or without an account, on any plan (INV-13)."""
        return None

    def resend_expiry(self, old: sqlite3.Row, now: datetime) -> str:
        """A resent invitation gets a fresh 24 h (INV-09)."""
        return self.expires_at(now)

    def revoke_on_resend(self, conn: sqlite3.Connection, old_id: str) -> None:
        """The previous link stops working (INV-04)."""
        conn.execute("UPDATE team_invitations SET status = 'revoked' WHERE id = ?", (old_id,))

    def mine_item_keys(self) -> tuple[str, str]:
        """(id field, team id field) of `GET /api/teams/invitations/mine` items."""
        return ("invitationId", "teamId")


# -- console sign-up and sign-in ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AuthRules:
    """What signup answers and what login refuses (facts §1 console auth, G12)."""

    def signup_answer(self, svc: Services, user_id: str, email: str) -> dict[str, object]:
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


POLICY_DEFAULTS: dict[str, object] = {
    "auth": AuthRules(),
    "roles": RoleMatrix(),
    "workspace_resolver": ConsoleWorkspaceResolver(),
    "invitations": InvitationRules(),
    "teams": TeamLifecycle(),
}


def auth_rules(svc: Services) -> AuthRules:
    return svc.policies.extra["auth"]


def workspace_resolver(svc: Services) -> ConsoleWorkspaceResolver:
    return svc.policies.extra["workspace_resolver"]


def invitation_rules(svc: Services) -> InvitationRules:
    return svc.policies.extra["invitations"]


def team_lifecycle(svc: Services) -> TeamLifecycle:
    return svc.policies.extra["teams"]


# == faults =================================================================================================
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

    def resolve(self, svc: Services, user: ConsoleUser, team_header: str | None) -> WorkspaceContext:
        try:
            return super().resolve(svc, user, team_header)
        except ApiError:
            return self.personal(user)


class _UnknownTeamForbidden(ConsoleWorkspaceResolver):
    def not_a_member(self) -> ApiError:
        return ApiError("FORBIDDEN", "You do not have access to this team")


class _HeaderReadOnAuthRoutes(ConsoleWorkspaceResolver):
    """A shared middleware-style check runs on /api/auth/* too."""

    def on_auth_route(self, svc: Services, user: ConsoleUser, team_header: str | None) -> None:
        self.resolve(svc, user, team_header)


class _PersonalDefaultsToFirstTeam(ConsoleWorkspaceResolver):
    """Without X-Team-Id the console opens the caller's first team (a "last used workspace" default)."""

    def resolve(self, svc: Services, user: ConsoleUser, team_header: str | None) -> WorkspaceContext:
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
class _NeverExpiring(InvitationRules):
    def is_live(self, row: sqlite3.Row, now: datetime) -> bool:
        return row["status"] == "pending"


@dataclass(frozen=True)
class _ResendKeepsOldToken(InvitationRules):
    def revoke_on_resend(self, conn: sqlite3.Connection, old_id: str) -> None:
        return None


@dataclass(frozen=True)
class _ResendKeepsExpiry(InvitationRules):
    def resend_expiry(self, old: sqlite3.Row, now: datetime) -> str:
        return old["expires_at"]


@dataclass(frozen=True)
class _TokenLookedUpUnhashed(InvitationRules):
    """Looks the e-mail link's token up as stored text, but only its hash is stored: never found."""

    def find_by_token(self, conn: sqlite3.Connection, token: str) -> sqlite3.Row | None:
        return conn.execute("SELECT * FROM team_invitations WHERE token_hash = ?", (token,)).fetchone()


@dataclass(frozen=True)
class _AcceptIgnoresEmail(InvitationRules):
    def emails_match(self, invited: str, signed_in: str) -> bool:
        return True


@dataclass(frozen=True)
class _InviteeNeedsAccount(InvitationRules):
    def check_invitee(self, conn: sqlite3.Connection, email: str) -> None:
        if conn.execute("SELECT 1 FROM users WHERE email = ?", (email,)).fetchone() is None:
            raise ApiError("NOT_FOUND", "No MsgFlash account uses this e-mail address")


@dataclass(frozen=True)
class _MineUsesGenericIds(InvitationRules):
    def mine_item_keys(self) -> tuple[str, str]:
        return ("id", "team")


@dataclass(frozen=True)
class _SignupSignsIn(AuthRules):
    """Signs the new account in at once, before its e-mail is verified."""

    def signup_answer(self, svc: Services, user_id: str, email: str) -> dict[str, object]:
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


def count_keys_of_workspace(conn: sqlite3.Connection, scope: CapScope) -> int:
    """The key count of the workspace acted in only (personal keys, or one team's): the pool split apart."""
    if scope.team_id:
        sql, arg = "SELECT COUNT(*) FROM api_keys WHERE team_id = ? AND revoked_at IS NULL", scope.team_id
    else:
        sql = "SELECT COUNT(*) FROM api_keys WHERE team_id IS NULL AND user_id = ? AND revoked_at IS NULL"
        arg = scope.owner_id
    return int(conn.execute(sql, (arg,)).fetchone()[0])


def _extra(name: str, policy: object):
    def apply(policies: Policies) -> Policies:
        return policies.with_extra(name, policy)

    return apply


def _resolver(policy: ConsoleWorkspaceResolver):
    return _extra("workspace_resolver", policy)


def _team_key_survives_delete(policies: Policies) -> Policies:
    policies = policies.with_extra("teams", _DeleteWithoutRevoking())
    return replace(policies, key_resolver=_KeysOfDeletedTeamsLive())


def _key_pool_per_workspace(policies: Policies) -> Policies:
    cap = replace(DEFAULT_CAPS["api_keys"], count=count_keys_of_workspace)
    return replace(policies, plan_rules=policies.plan_rules.with_cap(cap))


CONSOLE_FAULTS: tuple[Fault, ...] = (
    Fault(
        "signup-auto-signin",
        ("AUTH-09",),
        "signup answers with a session token before the e-mail is verified",
        _extra("auth", _SignupSignsIn()),
    ),
    Fault(
        "login-wrong-password-400",
        ("AUTH-10",),
        "a wrong console password answers 400 BAD_REQUEST instead of 401 UNAUTHORIZED",
        _extra("auth", _WrongPasswordIsBadRequest()),
    ),
    Fault(
        "login-unverified-allowed",
        ("AUTH-11",),
        "accounts whose e-mail is not verified can sign in",
        _extra("auth", _UnverifiedMayLogIn()),
    ),
    Fault(
        "login-token-as-access-token",
        ("AUTH-12",),
        "the login answer carries the JWT as data.accessToken, not data.token (G12)",
        _extra("auth", _TokenAsAccessToken()),
    ),
    Fault(
        "console-team-membership-unchecked",
        ("TEAM-14",),
        "X-Team-Id of any live team opens it, member or not",
        _resolver(_MembershipWithoutMemberCheck()),
    ),
    Fault(
        "removed-member-keeps-team-access",
        ("TEAM-15",),
        "members who left or were removed keep using the team workspace",
        _resolver(_MembershipIgnoringRemoval()),
    ),
    Fault(
        "deleted-team-still-opens",
        ("TEAM-19",),
        "a soft-deleted team still opens in the console",
        _resolver(_MembershipIgnoringDeletion()),
    ),
    Fault(
        "console-bad-team-header-ignored",
        ("TEAM-14", "TEAM-18"),
        "an unusable X-Team-Id is dropped and the personal workspace answers",
        _resolver(_UnknownTeamFallsBackToPersonal()),
    ),
    Fault(
        "console-unknown-team-403",
        ("TEAM-14", "TEAM-18"),
        "an unusable X-Team-Id answers 403 FORBIDDEN instead of 404 TEAM_NOT_FOUND",
        _resolver(_UnknownTeamForbidden()),
    ),
    Fault(
        "console-team-header-on-auth",
        ("TEAM-17",),
        "/api/auth/* check X-Team-Id too (404 TEAM_NOT_FOUND on a bogus one)",
        _resolver(_HeaderReadOnAuthRoutes()),
    ),
    Fault(
        "console-defaults-to-first-team",
        ("TEAM-16",),
        "without X-Team-Id the console acts in the caller's first team, not the personal workspace",
        _resolver(_PersonalDefaultsToFirstTeam()),
    ),
    Fault(
        "team-key-survives-team-delete",
        ("TEAM-19",),
        "deleting a team neither revokes its keys nor stops them authenticating",
        _team_key_survives_delete,
    ),
    Fault(
        "api-key-cap-per-workspace",
        ("PLAN-05",),
        "the key cap counts the workspace's keys only: personal and team keys get a pool each",
        _key_pool_per_workspace,
    ),
    Fault(
        "invite-never-expires",
        ("INV-03",),
        "invitations stay acceptable after 24 h",
        _extra("invitations", _NeverExpiring()),
    ),
    Fault(
        "resend-keeps-old-token",
        ("INV-04",),
        "resending issues a new link but the old one keeps working",
        _extra("invitations", _ResendKeepsOldToken()),
    ),
    Fault(
        "resend-keeps-expiry",
        ("INV-09",),
        "a resent invitation keeps the old expiresAt instead of now + 24 h",
        _extra("invitations", _ResendKeepsExpiry()),
    ),
    Fault(
        "accept-token-unhashed",
        ("INV-02",),
        "accepting by e-mail token looks the raw token up where only hashes are stored (always 410)",
        _extra("invitations", _TokenLookedUpUnhashed()),
    ),
    Fault(
        "accept-ignores-email",
        ("INV-05",),
        "anyone signed in can accept an invitation addressed to someone else",
        _extra("invitations", _AcceptIgnoresEmail()),
    ),
    Fault(
        "invite-requires-account",
        ("INV-13",),
        "inviting an e-mail without a MsgFlash account answers 404",
        _extra("invitations", _InviteeNeedsAccount()),
    ),
    Fault(
        "invitations-mine-generic-ids",
        ("INV-08",),
        "GET /api/teams/invitations/mine items carry `id`/`team` instead of `invitationId`/`teamId`",
        _extra("invitations", _MineUsesGenericIds()),
    ),
)

FAULTS: tuple[Fault, ...] = (*ROLE_FAULTS, *CONSOLE_FAULTS)
