"""Team invitations (facts §12): invite, resend, revoke, `mine`, accept. Included by `console_teams.router`.

Invitations last 24 h by the server clock; a resend issues a new id, token and expiry and kills the old link;
a pending invitation holds a seat (G21). Accept takes exactly one of `token` (the e-mail link) or
`invitationId` (signed in), then answers, in this order: 410 INVITE_INVALID_OR_EXPIRED (unknown, or its team
deleted), 403 INVITE_EMAIL_MISMATCH (addressed to someone else; 410 if it is no longer live), 409
INVITE_DUPLICATE_MEMBER (already a member, by this live or accepted invitation: e.g. accepting twice), 410
(expired, revoked or superseded by a resend), else 200 `{teamId, role}`.
"""

from __future__ import annotations

import sqlite3
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from msgflash_reference.accounts import add_member
from msgflash_reference.auth import ConsoleSession
from msgflash_reference.bodies import json_body
from msgflash_reference.clock import iso
from msgflash_reference.console_access import team_membership
from msgflash_reference.envelopes import created, ok
from msgflash_reference.errors import ApiError, not_found, validation_error
from msgflash_reference.ids import is_uuid, parse_id
from msgflash_reference.policies.roles import Action
from msgflash_reference.requests.console_teams import AcceptBody, InviteBody
from msgflash_reference.services import Svc
from msgflash_reference.team_store import invite, my_invitations, normalise_email, resend
from msgflash_reference.team_views import invitation_view

router = APIRouter()

# The schema takes any team role; which ones an invitation may carry is the invite_checks seam (TEAM-28).


def _gone() -> ApiError:
    return ApiError("INVITE_INVALID_OR_EXPIRED", "This invitation is invalid or has expired")


@router.get("/api/teams/invitations/mine")
def list_my_invitations(user: ConsoleSession, svc: Svc) -> JSONResponse:
    with svc.db.read() as conn:
        return ok(my_invitations(conn, svc, user.email, svc.clock.now()))


@router.post("/api/teams/invitations/accept")
def accept_invitation(
    user: ConsoleSession, svc: Svc, body: Annotated[AcceptBody, Depends(json_body(AcceptBody))]
) -> JSONResponse:
    accepting = svc.policies.accept_rules
    if not accepting.shape_ok(body.token, body.invitationId):
        raise validation_error(
            [{"field": "body", "message": "give exactly one of token (e-mail link) or invitationId"}]
        )
    rules = svc.policies.invitations
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        if body.token is not None:
            row = rules.find_by_token(conn, body.token)
        else:
            if not is_uuid(body.invitationId or ""):
                raise validation_error([{"field": "invitationId", "message": "must be a UUID"}])
            row = conn.execute(
                "SELECT * FROM team_invitations WHERE id = ?", ((body.invitationId or "").lower(),)
            ).fetchone()
        team = (
            row
            and conn.execute("SELECT id FROM teams WHERE id = ? AND deleted_at IS NULL", (row["team_id"],)).fetchone()
        )
        if row is None or team is None:
            raise _gone()
        live = rules.is_live(row, now)
        if not rules.emails_match(row["email"], user.email):
            raise (
                _gone()
                if not live
                else ApiError("INVITE_EMAIL_MISMATCH", "This invitation was sent to another e-mail address")
            )
        member = conn.execute(
            "SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ? AND removed_at IS NULL",
            (row["team_id"], user.id),
        ).fetchone()
        if member is not None and (live or row["status"] == "accepted"):  # e.g. the same one accepted twice
            return accepting.already_member(row["team_id"], row["role"])
        if not live:
            raise _gone()
        add_member(conn, team_id=row["team_id"], user_id=user.id, role=row["role"], now=now)
        conn.execute(
            "UPDATE team_invitations SET status = 'accepted', accepted_at = ? WHERE id = ?",
            (iso(now), row["id"]),
        )
    return accepting.joined(row["team_id"], row["role"])


@router.post("/api/teams/{team_id:rid}/invitations")
def create_invitation(
    team_id: str,
    request: Request,
    user: ConsoleSession,
    svc: Svc,
    body: Annotated[InviteBody, Depends(json_body(InviteBody))],
) -> JSONResponse:
    svc.policies.invite_checks.check_role(body.role, "role")  # part of body validation: before the membership checks
    member = team_membership(svc, user, team_id)
    member.require(svc, Action.INVITATIONS_MANAGE)
    email = normalise_email(body.email)
    with svc.db.transaction() as conn:
        row = invite(
            svc,
            conn,
            team_id=member.team_id,
            team_name=member.team_name,
            owner_id=member.owner_id,
            email=email,
            role=body.role,
            invited_by=user.id,
            now=svc.clock.now(),
            link_base=str(request.base_url),
        )
    return created(invitation_view(row))


def _pending_invitation(conn: sqlite3.Connection, team_id: str, raw_id: str) -> sqlite3.Row:
    row = conn.execute(
        "SELECT * FROM team_invitations WHERE id = ? AND team_id = ? AND status = 'pending'",
        (parse_id(raw_id, "invitationId"), team_id),
    ).fetchone()
    if row is None:
        raise not_found("Invitation")
    return row


@router.post("/api/teams/{team_id:rid}/invitations/{invitation_id:rid}/resend")
def resend_invitation(
    team_id: str, invitation_id: str, request: Request, user: ConsoleSession, svc: Svc
) -> JSONResponse:
    member = team_membership(svc, user, team_id)
    member.require(svc, Action.INVITATIONS_MANAGE)
    with svc.db.transaction() as conn:
        old = _pending_invitation(conn, member.team_id, invitation_id)
        row = resend(
            svc,
            conn,
            old=old,
            team_name=member.team_name,
            owner_id=member.owner_id,
            invited_by=user.id,
            now=svc.clock.now(),
            link_base=str(request.base_url),
        )
    return ok(invitation_view(row))


@router.delete("/api/teams/{team_id:rid}/invitations/{invitation_id:rid}")
def revoke_invitation(team_id: str, invitation_id: str, user: ConsoleSession, svc: Svc) -> Response:
    member = team_membership(svc, user, team_id)
    member.require(svc, Action.INVITATIONS_MANAGE)
    with svc.db.transaction() as conn:
        row = _pending_invitation(conn, member.team_id, invitation_id)
        conn.execute("UPDATE team_invitations SET status = 'revoked' WHERE id = ?", (row["id"],))
    return svc.policies.team_answers.revoked(invitation_view(row))
