"""Request bodies of /api/auth/* (unknown fields ignored: the spec leaves them open)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_PASSWORD_CHARS = 1024


class AuthBody(BaseModel):
    """The auth bodies are documented by purpose only and the spec leaves them open: exact types, unknown
    fields ignored (the other console bodies refuse them)."""

    model_config = ConfigDict(strict=True, extra="ignore")


class SignupBody(AuthBody):
    """email, password and fullName are assumed (the signup fields are not documented)."""

    email: str
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)
    fullName: str | None = Field(default=None, max_length=500)


class LoginBody(AuthBody):
    email: str
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


class EmailBody(AuthBody):
    email: str


class TokenBody(AuthBody):
    token: str = Field(min_length=1, max_length=500)


class ResetBody(AuthBody):
    token: str = Field(min_length=1, max_length=500)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)
