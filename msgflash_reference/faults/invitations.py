"""Faults of team invitations (INV, TEAM-28): expiry, the e-mail link's token, resend, who may be invited (again)
and what accepting checks and answers.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from fastapi.responses import JSONResponse

from msgflash_reference.envelopes import created
from msgflash_reference.errors import ApiError
from msgflash_reference.faults.fault import Fault, swap
from msgflash_reference.policies.invitations import AcceptRules, InvitationRules, InviteChecks


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


class _MembersInvitable(InviteChecks):
    """Only pending invitations are looked at: a current member gets a fresh invitation."""

    def check(self, is_member: bool, has_live_pending: bool) -> None:
        super().check(False, has_live_pending)


class _OwnerInvitable(InviteChecks):
    """Checks the role against the team's role list, owner included: an invitation can make a second owner."""

    invitable_roles = ("owner", "admin", "collaborator")


class _ReinviteIssuesAnother(InviteChecks):
    """"Inviting again resends": a second pending invitation is issued next to the live one."""

    def check(self, is_member: bool, has_live_pending: bool) -> None:
        super().check(is_member, False)


class _TokenWinsOverId(AcceptRules):
    """Only "neither" is refused: with both, the token is used and invitationId silently ignored."""

    def shape_ok(self, token: str | None, invitation_id: str | None) -> bool:
        return token is not None or invitation_id is not None


class _AcceptAgainIdempotent(AcceptRules):
    """A member accepting again is answered like the first accept ("nothing to do")."""

    def already_member(self, team_id: str, role: str) -> JSONResponse:
        return self.joined(team_id, role)


class _AcceptCreatedMembership(AcceptRules):
    """Joining creates a membership, so it answers 201 with it."""

    def joined(self, team_id: str, role: str) -> JSONResponse:
        return created({"teamId": team_id, "role": role})


FAULTS: tuple[Fault, ...] = (
    Fault(
        "invite-never-expires",
        ("INV-03",),
        "invitations stay acceptable after 24 h",
        swap("invitations", _NeverExpiring()),
    ),
    Fault(
        "resend-keeps-old-token",
        ("INV-04",),
        "resending issues a new link but the old one keeps working",
        swap("invitations", _ResendKeepsOldToken()),
    ),
    Fault(
        "resend-keeps-expiry",
        ("INV-09",),
        "a resent invitation keeps the old expiresAt instead of now + 24 h",
        swap("invitations", _ResendKeepsExpiry()),
    ),
    Fault(
        "accept-token-unhashed",
        ("INV-02",),
        "accepting by e-mail token looks the raw token up where only hashes are stored (always 410)",
        swap("invitations", _TokenLookedUpUnhashed()),
    ),
    Fault(
        "accept-ignores-email",
        ("INV-05",),
        "anyone signed in can accept an invitation addressed to someone else",
        swap("invitations", _AcceptIgnoresEmail()),
    ),
    Fault(
        "invite-requires-account",
        ("INV-13",),
        "inviting an e-mail without a MsgFlash account answers 404",
        swap("invitations", _InviteeNeedsAccount()),
    ),
    Fault(
        "invitations-mine-generic-ids",
        ("INV-08",),
        "GET /api/teams/invitations/mine items carry `id`/`team` instead of `invitationId`/`teamId`",
        swap("invitations", _MineUsesGenericIds()),
    ),
    Fault(
        "member-invitable",
        ("INV-10",),
        "inviting a current member issues a new invitation instead of 409 INVITE_DUPLICATE_MEMBER",
        swap("invite_checks", _MembersInvitable()),
    ),
    Fault(
        "owner-invitable",
        ("TEAM-28",),
        "an invitation with role owner is issued instead of refused",
        swap("invite_checks", _OwnerInvitable()),
    ),
    Fault(
        "reinvite-issues-another",
        ("INV-11",),
        "inviting an e-mail with a live pending invitation issues a second one instead of 409 CONFLICT",
        swap("invite_checks", _ReinviteIssuesAnother()),
    ),
    Fault(
        "accept-token-wins-over-id",
        ("INV-07",),
        "accept with both token and invitationId uses the token instead of refusing the request",
        swap("accept_rules", _TokenWinsOverId()),
    ),
    Fault(
        "accept-again-idempotent",
        ("INV-06",),
        "a member accepting an invitation again gets 200 instead of 409 INVITE_DUPLICATE_MEMBER",
        swap("accept_rules", _AcceptAgainIdempotent()),
    ),
    Fault(
        "accept-answers-201",
        ("INV-01",),
        "accepting an invitation answers 201 instead of 200",
        swap("accept_rules", _AcceptCreatedMembership()),
    ),
)
