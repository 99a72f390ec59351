"""Console session tokens: JWT HS256, 12 h (G12), checked against the server clock (sandbox-movable)."""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt

from msgflash_reference.clock import iso
from msgflash_reference.errors import ApiError

ALGORITHM = "HS256"


def issue_token(user_id: str, secret: str, now: datetime, ttl_seconds: int) -> tuple[str, str]:
    """(token, expiresAt ISO)."""
    expires = now + timedelta(seconds=ttl_seconds)
    claims = {"sub": user_id, "iat": int(now.timestamp()), "exp": int(expires.timestamp()), "typ": "console"}
    return jwt.encode(claims, secret, algorithm=ALGORITHM), iso(expires)


def verify_token(token: str, secret: str, now: datetime) -> str:
    """The user id in a valid, unexpired token; 401 UNAUTHORIZED otherwise."""
    try:
        # The server clock (which the sandbox moves) judges expiry, not the wall clock: `iat` may lie ahead.
        options = {"verify_exp": False, "verify_iat": False, "require": ["sub", "exp"]}
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options=options)
    except jwt.PyJWTError:
        raise ApiError("UNAUTHORIZED", "Invalid or expired session token") from None
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or now.timestamp() >= exp or claims.get("typ") != "console":
        raise ApiError("UNAUTHORIZED", "Invalid or expired session token")
    subject = claims.get("sub")
    if not isinstance(subject, str):
        raise ApiError("UNAUTHORIZED", "Invalid or expired session token")
    return subject
