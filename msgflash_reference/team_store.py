"""Teams, members, invitations and instance assignments: the queries and API shapes of facts §12.

Functions write inside the caller's transaction. Invitation secrets are random, stored hashed, and "mailed"
through the sandbox outbox; the invitation rules that faults may swap come from `policies/invitations.py`.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from datetime import datetime
from typing import Any

from msgflash_reference.clock import iso
from msgflash_reference.errors import invalid_field
from msgflash_reference.ids import new_id
from msgflash_reference.keys import hash_secret
from msgflash_reference.outbox import send_mail
from msgflash_reference.plan_rules import CapScope
from msgflash_reference.services import Services
from msgflash_reference.subscriptions import current_plan

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL_CHARS = 254


def normalise_email(raw: str, field: str = "email") -> str:
    email = raw.strip().lower()
    if len(email) > MAX_EMAIL_CHARS or not EMAIL_RE.match(email):
        raise invalid_field(field, "must be an e-mail address")
    return email


def my_invitations(conn: sqlite3.Connection, svc: Services, email: str, now: datetime) -> list[dict[str, Any]]:
    """Live invitations addressed to the signed-in e-mail, in live teams (GET /api/teams/invitations/mine)."""
    rules = svc.policies.invitations
    id_key, team_key = rules.mine_item_keys()
    rows = conn.execute(
        """SELECT i.*, t.name AS team_name, u.id AS inviter_id, u.email AS inviter_email,
                  u.full_name AS inviter_name FROM team_invitations i
           JOIN teams t ON t.id = i.team_id AND t.deleted_at IS NULL
           JOIN users u ON u.id = i.invited_by_user_id
           WHERE i.email = ? ORDER BY i.created_at, i.rowid""",
        (email,),
    ).fetchall()
    return [
        {
            id_key: r["id"],
            team_key: r["team_id"],
            "teamName": r["team_name"],
            "role": r["role"],
            "invitedBy": {"id": r["inviter_id"], "email": r["inviter_email"], "fullName": r["inviter_name"]},
            "expiresAt": r["expires_at"],
            "createdAt": r["created_at"],
        }
        for r in rows
        if rules.is_live(r, now)
    ]


# -- invitations ------------------------------------------------------------------------------------------
def _is_active_member(conn: sqlite3.Connection, team_id: str, email: str) -> bool:
    return (
        conn.execute(
            """SELECT 1 FROM team_members m JOIN users u ON u.id = m.user_id
               WHERE m.team_id = ? AND u.email = ? AND m.removed_at IS NULL""",
            (team_id, email),
        ).fetchone()
        is not None
    )


def _enforce_seat(svc: Services, conn: sqlite3.Connection, team_id: str, owner_id: str, now: datetime) -> None:
    """One more seat must fit: members + live pending invitations < the owner's plan's seats (G21)."""
    plan = current_plan(conn, svc.plans, owner_id, now)
    svc.policies.plan_rules.enforce(conn, "seats", plan, CapScope(owner_id=owner_id, team_id=team_id, now_iso=iso(now)))


def _issue(
    svc: Services,
    conn: sqlite3.Connection,
    *,
    team_id: str,
    team_name: str,
    email: str,
    role: str,
    invited_by: str,
    expires_at: str,
    now: datetime,
    link_base: str,
) -> sqlite3.Row:
    token = secrets.token_urlsafe(32)
    invitation_id = new_id()
    conn.execute(
        """INSERT INTO team_invitations (id, team_id, email, role, token_hash, invited_by_user_id, status,
             expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)""",
        (invitation_id, team_id, email, role, hash_secret(token), invited_by, expires_at, iso(now)),
    )
    send_mail(
        conn,
        to=email,
        kind="team_invitation",
        subject=f"You are invited to join {team_name} on MsgFlash",
        token=token,
        now=now,
        link=f"{link_base}teams/invitations/accept?token={token}",
        teamId=team_id,
        invitationId=invitation_id,
        role=role,
        expiresAt=expires_at,
    )
    return conn.execute("SELECT * FROM team_invitations WHERE id = ?", (invitation_id,)).fetchone()


def invite(
    svc: Services,
    conn: sqlite3.Connection,
    *,
    team_id: str,
    team_name: str,
    owner_id: str,
    email: str,
    role: str,
    invited_by: str,
    now: datetime,
    link_base: str,
) -> sqlite3.Row:
    """A new pending invitation: 409 INVITE_DUPLICATE_MEMBER (already a member), 409 CONFLICT (a live pending
    invitation for that e-mail), 403 TEAM_SEAT_LIMIT_REACHED (no seat left, pending invitations included)."""
    rules = svc.policies.invitations
    rules.check_invitee(conn, email)
    pending = conn.execute(
        "SELECT * FROM team_invitations WHERE team_id = ? AND email = ? AND status = 'pending'",
        (team_id, email),
    ).fetchall()
    has_live_pending = any(rules.is_live(r, now) for r in pending)
    svc.policies.invite_checks.check(_is_active_member(conn, team_id, email), has_live_pending)
    _enforce_seat(svc, conn, team_id, owner_id, now)
    return _issue(
        svc,
        conn,
        team_id=team_id,
        team_name=team_name,
        email=email,
        role=role,
        invited_by=invited_by,
        expires_at=rules.expires_at(now),
        now=now,
        link_base=link_base,
    )


def resend(
    svc: Services,
    conn: sqlite3.Connection,
    *,
    old: sqlite3.Row,
    team_name: str,
    owner_id: str,
    invited_by: str,
    now: datetime,
    link_base: str,
) -> sqlite3.Row:
    """Re-issue a pending invitation: new id, token, expiry; the old link stops working (INV-04, INV-09)."""
    rules = svc.policies.invitations
    rules.revoke_on_resend(conn, old["id"])
    if not rules.is_live(old, now):  # an expired invitation held no seat: it needs one again
        _enforce_seat(svc, conn, old["team_id"], owner_id, now)
    return _issue(
        svc,
        conn,
        team_id=old["team_id"],
        team_name=team_name,
        email=old["email"],
        role=old["role"],
        invited_by=invited_by,
        expires_at=rules.resend_expiry(old, now),
        now=now,
        link_base=link_base,
    )


def remove_member(conn: sqlite3.Connection, team_id: str, user_id: str, now: datetime) -> None:
    """Mark the member removed (or left) and drop their instance assignments."""
    conn.execute(
        "UPDATE team_members SET removed_at = ? WHERE team_id = ? AND user_id = ? AND removed_at IS NULL",
        (iso(now), team_id, user_id),
    )
    conn.execute("DELETE FROM instance_assignments WHERE team_id = ? AND user_id = ?", (team_id, user_id))
