"""Console sign-up and login rules (AUTH-09..12, docs guides/dashboard-auth).

Login with the profile's identities is harmless and runs anywhere. Sign-up makes an account that cannot be
deleted, so it (and the unverified-login check built on it) runs only against a sandbox (`[sandbox] enabled`).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.checks import json_body
from fixtures.clients import Actor, Harness
from fixtures.errors import not_covered
from fixtures.factories import DataFactory

pytestmark = pytest.mark.serial  # checked alone: wrong-password logins on the profile's accounts

LOGIN_PATH = "/api/auth/login"
SIGNUP_PATH = "/api/auth/signup"
JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
JWT_ANYWHERE = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.")


@pytest.fixture
def login_client(harness: Harness) -> httpx.Client:
    """No credentials: the login and sign-up routes are public."""
    return harness.client("console.login-probe")


def _login_identity(owner: Actor) -> tuple[str, str]:
    identity = owner.identity
    if identity.email is None or identity.password is None:
        not_covered("needs the owner's email and password in the profile (a jwt alone cannot log in)")
    return identity.email, identity.password.get_secret_value()


def _has_token(value: Any) -> bool:
    """Any field named like a token, or anything shaped like a JWT, anywhere in a JSON value."""
    if isinstance(value, dict):
        return any("token" in str(k).lower() or "jwt" in str(k).lower() or _has_token(v)
                   for k, v in value.items())
    if isinstance(value, list):
        return any(_has_token(v) for v in value)
    return isinstance(value, str) and bool(JWT_ANYWHERE.search(value))


@pytest.mark.smoke
@pytest.mark.guarantee("AUTH-12")
def test_login_of_a_verified_account_returns_a_jwt(login_client: httpx.Client, owner: Actor,
                                                   harness: Harness) -> None:
    email, password = _login_identity(owner)
    data = expect_ok(login_client.post(LOGIN_PATH, json={"email": email, "password": password}),
                     guarantee="AUTH-12")
    token = data.get("token") if isinstance(data, dict) else None
    if isinstance(token, str) and token:
        harness.secrets.add("created.login_jwt", token)
    check(isinstance(token, str) and bool(JWT_SHAPE.match(token)),
          f"POST {LOGIN_PATH}: 200 without a JWT in data.token", guarantee="AUTH-12")


@pytest.mark.guarantee("AUTH-10")
def test_login_with_a_wrong_password_is_unauthorized(login_client: httpx.Client, owner: Actor) -> None:
    email, _ = _login_identity(owner)
    wrong = "wrong-" + secrets.token_urlsafe(12)
    expect_error(login_client.post(LOGIN_PATH, json={"email": email, "password": wrong}),
                 401, "UNAUTHORIZED", guarantee="AUTH-10")


@dataclass(frozen=True)
class SignedUp:
    """A fresh, unverified account. Its repr leaves the password out: pytest prints fixture values in
    tracebacks, and those reach the reports."""

    email: str
    password: str = field(repr=False)
    response: httpx.Response | None = None


@pytest.fixture(scope="module")
def signup(harness: Harness, factory: DataFactory) -> SignedUp:
    """A fresh, unverified account (sandbox only): its e-mail, password and the sign-up answer."""
    if not harness.profile.sandbox.enabled:
        not_covered("sign-up makes an account that cannot be deleted: only against a sandbox "
                    "([sandbox] enabled = true)")
    if factory.read_only:
        not_covered("the profile is read_only (safety.read_only = true): sign-up creates an account")
    email = f"{factory.name('signup')}@example.com"
    password = "Mfc-" + secrets.token_urlsafe(12) + "-9"
    harness.secrets.add("created.signup_password", password)
    client = harness.client("console.signup-probe")
    response = client.post(SIGNUP_PATH, json={"email": email, "password": password,
                                              "fullName": factory.name("signup-name")})
    return SignedUp(email, password, response)


@pytest.mark.guarantee("AUTH-09")
def test_signup_asks_for_verification_and_signs_nobody_in(signup: SignedUp) -> None:
    response = signup.response
    data = expect_ok(response, (200, 201), guarantee="AUTH-09")
    check(isinstance(data, dict) and data.get("success") is True and data.get("verificationRequired") is True
          and data.get("email") == signup.email,
          f"POST {SIGNUP_PATH}: data is not {{success: true, verificationRequired: true, email: <it>}} "
          f"(keys: {sorted(data) if isinstance(data, dict) else type(data).__name__})", guarantee="AUTH-09")
    check(not _has_token(json_body(response)),
          f"POST {SIGNUP_PATH}: the answer carries a token (sign-up must not sign in)", guarantee="AUTH-09")


@pytest.mark.guarantee("AUTH-11")
def test_login_before_verifying_the_email_is_refused(login_client: httpx.Client,
                                                     signup: SignedUp) -> None:
    if signup.response is None or signup.response.status_code not in (200, 201):
        status = signup.response.status_code if signup.response is not None else None
        not_covered(f"sign-up answered {status}: no unverified account to log in with")
    body = {"email": signup.email, "password": signup.password}
    expect_error(login_client.post(LOGIN_PATH, json=body), 403, "EMAIL_NOT_VERIFIED", guarantee="AUTH-11")
