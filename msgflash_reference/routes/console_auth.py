"""Console authentication (facts §1 "Console auth routes", G12): signup, login, e-mail verification, password
reset and `GET /api/auth/me`. These routes never read X-Team-Id (TEAM-17).

Mails (verification, reset) go to the sandbox outbox; their tokens are random, stored hashed, single-use.
Unknown addresses get the same answer as known ones on resend/forgot, so the routes reveal no accounts.
"""

from __future__ import annotations

import secrets
import sqlite3
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from msgflash_reference.accounts import create_user, set_password
from msgflash_reference.billing_views import me_view
from msgflash_reference.bodies import json_body
from msgflash_reference.clock import iso
from msgflash_reference.console_access import AuthSession
from msgflash_reference.envelopes import created, ok
from msgflash_reference.errors import ApiError, invalid_field
from msgflash_reference.keys import hash_secret
from msgflash_reference.outbox import send_mail
from msgflash_reference.passwords import verify_password
from msgflash_reference.requests.console_auth import (
    EmailBody,
    LoginBody,
    ResetBody,
    SignupBody,
    TokenBody,
)
from msgflash_reference.services import Services, Svc
from msgflash_reference.team_store import normalise_email
from msgflash_reference.team_views import team_summaries
from msgflash_reference.tokens import issue_token

router = APIRouter()

VERIFY_TTL = timedelta(hours=24)
RESET_TTL = timedelta(hours=1)


# -- single-use e-mail tokens ------------------------------------------------------------------------------
def _issue_email_token(conn: sqlite3.Connection, user_id: str, purpose: str, ttl: timedelta, now: datetime) -> str:
    """A new token for `purpose`; earlier unused ones of that purpose stop working."""
    conn.execute(
        "UPDATE email_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL",
        (iso(now), user_id, purpose),
    )
    token = secrets.token_urlsafe(32)
    conn.execute(
        """INSERT INTO email_tokens (token_hash, user_id, purpose, expires_at, created_at)
           VALUES (?, ?, ?, ?, ?)""",
        (hash_secret(token), user_id, purpose, iso(now + ttl), iso(now)),
    )
    return token


def _live_email_token(conn: sqlite3.Connection, token: str, purpose: str, now: datetime) -> sqlite3.Row:
    row = conn.execute(
        """SELECT e.*, u.email FROM email_tokens e JOIN users u ON u.id = e.user_id
           WHERE e.token_hash = ? AND e.purpose = ? AND e.used_at IS NULL AND e.expires_at > ?
             AND u.deleted_at IS NULL""",
        (hash_secret(token), purpose, iso(now)),
    ).fetchone()
    if row is None:
        raise ApiError("BAD_REQUEST", "This link is invalid or has expired")
    return row


def _user_by_email(conn: sqlite3.Connection, email: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM users WHERE email = ? AND deleted_at IS NULL", (email,)).fetchone()


def _mail_verification(conn: sqlite3.Connection, request: Request, user_id: str, email: str, now: datetime) -> None:
    token = _issue_email_token(conn, user_id, "verify_email", VERIFY_TTL, now)
    send_mail(
        conn,
        to=email,
        kind="verify_email",
        subject="Confirm your MsgFlash e-mail address",
        token=token,
        now=now,
        link=f"{request.base_url}verify-email?token={token}",
    )


def _required_token(token: str | None) -> str:
    if not token:
        raise invalid_field("token", "is required")
    return token


def _ack(**extra: object) -> JSONResponse:
    return ok({"success": True, **extra})


# -- routes -------------------------------------------------------------------------------------------------
@router.post("/api/auth/signup")
def signup(request: Request, svc: Svc, body: Annotated[SignupBody, Depends(json_body(SignupBody))]) -> JSONResponse:
    """No automatic sign-in (AUTH-09): the account waits for its e-mail verification."""
    email = normalise_email(body.email)
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        if _user_by_email(conn, email) is not None:
            raise ApiError("CONFLICT", "An account with this e-mail already exists")
        full_name = (body.fullName or "").strip() or None
        user_id = create_user(
            conn,
            email=email,
            password=body.password,
            full_name=full_name,
            verified=False,
            iterations=svc.config.password_iterations,
            now=now,
        )
        _mail_verification(conn, request, user_id, email, now)
    return created(svc.policies.console_auth.signup_answer(svc, user_id, email))


@router.post("/api/auth/login")
def login(svc: Svc, body: Annotated[LoginBody, Depends(json_body(LoginBody))]) -> JSONResponse:
    """G12: 200 {token, expiresAt, user}; 401 UNAUTHORIZED for a wrong pair; 403 EMAIL_NOT_VERIFIED."""
    rules = svc.policies.console_auth
    with svc.db.read() as conn:
        user = _user_by_email(conn, body.email.strip())
    if user is None or not verify_password(body.password, user["password_hash"]):
        raise rules.wrong_credentials()
    rules.check_verified(user)
    token, expires_at = issue_token(user["id"], svc.config.jwt_secret, svc.clock.now(), svc.config.jwt_ttl_seconds)
    return ok(rules.session_answer(token, expires_at, user))


@router.post("/api/auth/resend-verification")
def resend_verification(
    request: Request, svc: Svc, body: Annotated[EmailBody, Depends(json_body(EmailBody))]
) -> JSONResponse:
    email = normalise_email(body.email)
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        user = _user_by_email(conn, email)
        if user is not None and not user["email_verified"]:
            _mail_verification(conn, request, user["id"], user["email"], now)
    return _ack()


@router.get("/api/auth/verify-email/validate")
def validate_verification(svc: Svc, token: str | None = None) -> JSONResponse:
    with svc.db.read() as conn:
        row = _live_email_token(conn, _required_token(token), "verify_email", svc.clock.now())
    return _ack(valid=True, email=row["email"])


@router.post("/api/auth/verify-email")
def verify_email(svc: Svc, body: Annotated[TokenBody, Depends(json_body(TokenBody))]) -> JSONResponse:
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        row = _live_email_token(conn, body.token, "verify_email", now)
        conn.execute("UPDATE email_tokens SET used_at = ? WHERE token_hash = ?", (iso(now), row["token_hash"]))
        conn.execute("UPDATE users SET email_verified = 1, updated_at = ? WHERE id = ?", (iso(now), row["user_id"]))
    return _ack(email=row["email"], verified=True)


@router.post("/api/auth/forgot-password")
def forgot_password(
    request: Request, svc: Svc, body: Annotated[EmailBody, Depends(json_body(EmailBody))]
) -> JSONResponse:
    email = normalise_email(body.email)
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        user = _user_by_email(conn, email)
        if user is not None:
            token = _issue_email_token(conn, user["id"], "reset_password", RESET_TTL, now)
            send_mail(
                conn,
                to=user["email"],
                kind="reset_password",
                subject="Reset your MsgFlash password",
                token=token,
                now=now,
                link=f"{request.base_url}reset-password?token={token}",
            )
    return _ack()


@router.get("/api/auth/reset-password/validate")
def validate_reset(svc: Svc, token: str | None = None) -> JSONResponse:
    with svc.db.read() as conn:
        _live_email_token(conn, _required_token(token), "reset_password", svc.clock.now())
    return _ack(valid=True)


@router.post("/api/auth/reset-password")
def reset_password(svc: Svc, body: Annotated[ResetBody, Depends(json_body(ResetBody))]) -> JSONResponse:
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        row = _live_email_token(conn, body.token, "reset_password", now)
        set_password(conn, row["user_id"], body.password, svc.config.password_iterations, now)
        conn.execute(
            """UPDATE email_tokens SET used_at = ?
               WHERE user_id = ? AND purpose = 'reset_password' AND used_at IS NULL""",
            (iso(now), row["user_id"]),
        )
    return _ack()


def console_me(conn: sqlite3.Connection, svc: Services, user_id: str, now: datetime) -> dict[str, object]:
    """[S] `{id, fullName, email, phone, plan, displayName, avatarUrl, teams[{id, name, role, isOwner}]}`;
    `plan` is the personal plan."""
    user = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    base = me_view(conn, svc, user_id, now)
    return {
        "id": user["id"],
        "fullName": user["full_name"],
        "email": user["email"],
        "phone": user["phone"],
        "plan": base["plan"],
        "displayName": user["display_name"],
        "avatarUrl": user["avatar_url"],
        "teams": [
            {key: team[key] for key in ("id", "name", "role", "isOwner")} for team in team_summaries(conn, user_id)
        ],
    }


@router.get("/api/auth/me")
def get_console_me(user: AuthSession, svc: Svc) -> JSONResponse:
    with svc.db.read() as conn:
        return ok(console_me(conn, svc, user.id, svc.clock.now()))
