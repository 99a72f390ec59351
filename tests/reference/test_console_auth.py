"""Console auth over HTTP (facts §1, G12): signup without sign-in, verification through the outbox, login
codes, password reset, `/api/auth/me`, and the header rules of `/api/auth/*`."""

from __future__ import annotations

import jwt
import pytest

from tests.reference.console_support import Console, ServerPool, expect, ok, server_pool

pool = pytest.fixture(scope="module")(server_pool)


@pytest.fixture(scope="module")
def c(pool: ServerPool) -> Console:
    return Console(pool.start())


def test_signup_opens_no_session_and_mails_a_verification_token(c: Console) -> None:
    body = ok(c.post("/api/auth/signup", json={"email": "New.Person@Console.test", "password": "p"}), 201)
    assert body == {"success": True, "verificationRequired": True, "email": "new.person@console.test"}
    mail = c.latest_mail("new.person@console.test", "verify_email")
    assert mail["token"] and mail["token"] in mail["link"]
    expect(c.post("/api/auth/signup", json={"email": "new.person@console.test", "password": "q"}), 409, "CONFLICT")


def test_login_needs_the_verified_email_and_the_right_password(c: Console) -> None:
    ok(c.post("/api/auth/signup", json={"email": "late@console.test", "password": "pw", "fullName": "Late"}), 201)
    expect(c.post("/api/auth/login", json={"email": "late@console.test", "password": "pw"}), 403, "EMAIL_NOT_VERIFIED")
    expect(c.post("/api/auth/login", json={"email": "late@console.test", "password": "no"}), 401, "UNAUTHORIZED")
    expect(c.post("/api/auth/login", json={"email": "nobody@console.test", "password": "pw"}), 401, "UNAUTHORIZED")
    first = c.latest_mail("late@console.test", "verify_email")["token"]
    ok(c.post("/api/auth/resend-verification", json={"email": "late@console.test"}))
    second = c.latest_mail("late@console.test", "verify_email")["token"]
    expect(c.get("/api/auth/verify-email/validate", params={"token": first}), 400, "BAD_REQUEST")
    assert ok(c.get("/api/auth/verify-email/validate", params={"token": second}))["email"] == "late@console.test"
    ok(c.post("/api/auth/verify-email", json={"token": second}))
    expect(c.post("/api/auth/verify-email", json={"token": second}), 400, "BAD_REQUEST")
    session = ok(c.post("/api/auth/login", json={"email": "LATE@console.test", "password": "pw"}))
    assert session["user"]["email"] == "late@console.test" and session["user"]["fullName"] == "Late"
    claims = jwt.decode(session["token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 12 * 3600


def test_password_reset_through_the_outbox(c: Console) -> None:
    user = c.user()
    ok(c.post("/api/auth/forgot-password", json={"email": user.email}))
    ok(c.post("/api/auth/forgot-password", json={"email": "unknown@console.test"}))  # same answer
    token = c.latest_mail(user.email, "reset_password")["token"]
    ok(c.get("/api/auth/reset-password/validate", params={"token": token}))
    ok(c.post("/api/auth/reset-password", json={"token": token, "password": "brand-new"}))
    expect(c.post("/api/auth/reset-password", json={"token": token, "password": "again"}), 400, "BAD_REQUEST")
    expect(c.post("/api/auth/login", json={"email": user.email, "password": user.password}), 401, "UNAUTHORIZED")
    assert c.login(user.email, "brand-new")


def test_expired_verification_link_is_refused(c: Console) -> None:
    ok(c.post("/api/auth/signup", json={"email": "slow@console.test", "password": "pw"}), 201)
    token = c.latest_mail("slow@console.test", "verify_email")["token"]
    try:
        c.clock(advanceSeconds=24 * 3600 + 1)
        expect(c.post("/api/auth/verify-email", json={"token": token}), 400, "BAD_REQUEST")
    finally:
        c.clock(reset=True)


def test_session_expires_after_12_hours_of_server_clock(c: Console) -> None:
    user = c.user()
    try:
        c.clock(advanceSeconds=12 * 3600 - 60)
        ok(c.get("/api/auth/me", user))
        c.clock(advanceSeconds=120)
        expect(c.get("/api/auth/me", user), 401, "UNAUTHORIZED")
    finally:
        c.clock(reset=True)


def test_me_shows_the_personal_plan_and_teams_and_ignores_the_team_header(c: Console) -> None:
    owner = c.seeded("owner")
    seed = c.server.seed
    assert seed is not None
    me = ok(c.get("/api/auth/me", owner, "00000000-0000-4000-8000-000000000000"))
    assert me["plan"]["code"] == "pro" and me["email"] == owner.email
    assert {t["id"] for t in me["teams"]} == {seed.team_id, seed.other_team_id}
    assert all(t["role"] == "owner" and t["isOwner"] for t in me["teams"])
    collaborator = ok(c.get("/api/auth/me", c.seeded("collaborator"), "not-a-uuid"))
    teams = [(t["id"], t["role"], t["isOwner"]) for t in collaborator["teams"]]
    assert teams == [(seed.team_id, "collaborator", False)]


@pytest.mark.parametrize("header", [None, "Bearer not-a-jwt", "Basic abc", "Bearer x.y.z"])
def test_me_without_a_valid_session_is_401(c: Console, header: str | None) -> None:
    headers = {"authorization": header} if header else {}
    expect(c.get("/api/auth/me", headers=headers), 401, "UNAUTHORIZED")


def test_bodies_are_validated(c: Console) -> None:
    expect(c.post("/api/auth/login", json={"email": "a@b.test"}), 400, "VALIDATION_ERROR")
    extra = {"email": "nobody@b.test", "password": "x", "remember": True}
    expect(c.post("/api/auth/login", json=extra), 401, "UNAUTHORIZED")  # the spec leaves the body open
    expect(c.post("/api/auth/signup", json={"email": "not-an-email", "password": "x"}), 400, "VALIDATION_ERROR")
    expect(c.get("/api/auth/verify-email/validate"), 400, "VALIDATION_ERROR")
