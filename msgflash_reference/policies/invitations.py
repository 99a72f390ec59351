"""Team invitations (facts §12, INV): their lifetime and token, who may be invited, and what accepting does.

`svc.policies.invitations` (`InvitationRules`: expiry, token lookup, resend, e-mail match, the invitee),
`invite_checks` (who may not be invited again, which roles an invitation carries) and `accept_rules` (the
accept body's shape and answers). Faults: `faults/invitations.py`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi.responses import JSONResponse

from msgflash_reference.clock import iso
from msgflash_reference.envelopes import ok
from msgflash_reference.errors import ApiError, invalid_field
from msgflash_reference.keys import hash_secret

INVITATION_TTL = timedelta(hours=24)  # facts §12: invitations expire after 24 h (UTC)


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


class InviteChecks:
    """Who may not be invited again: an active member (409 INVITE_DUPLICATE_MEMBER) or an e-mail with a live
    pending invitation (409 CONFLICT); and which roles an invitation may carry (the owner is implicit, TEAM-28:
    400 VALIDATION_ERROR worded like the body schema's refusal)."""

    invitable_roles: tuple[str, ...] = ("admin", "collaborator")

    def check_role(self, role: str, field: str) -> None:
        if role not in self.invitable_roles:
            raise invalid_field(field, "Input should be 'admin' or 'collaborator'")

    def check(self, is_member: bool, has_live_pending: bool) -> None:
        if is_member:
            raise ApiError("INVITE_DUPLICATE_MEMBER", "This person is already a member of the team")
        if has_live_pending:
            raise ApiError("CONFLICT", "A pending invitation for this e-mail already exists")


class AcceptRules:
    """POST /api/teams/invitations/accept: exactly one of token and invitationId; 409 for a member accepting
    again; 200 `{teamId, role}` on joining."""

    def shape_ok(self, token: str | None, invitation_id: str | None) -> bool:
        return (token is None) != (invitation_id is None)

    def already_member(self, team_id: str, role: str) -> JSONResponse:
        raise ApiError("INVITE_DUPLICATE_MEMBER", "You are already a member of this team")

    def joined(self, team_id: str, role: str) -> JSONResponse:
        return ok({"teamId": team_id, "role": role})
