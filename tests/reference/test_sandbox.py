"""The `/__sandbox/*` controls of the embedded server: clock, outbox, checkout provider, plan and counters,
reset to the start state; and their absence when the sandbox is off."""

from __future__ import annotations

import pytest

from tests.reference.console_support import Console, ServerPool, User, expect, ok, server_pool

pool = pytest.fixture(scope="module")(server_pool)


@pytest.fixture(scope="module")
def c(pool: ServerPool) -> Console:
    return Console(pool.start())


def test_clock_moves_and_resets(c: Console) -> None:
    try:
        assert c.clock(now="2030-02-28T23:00:00+01:00")["now"].startswith("2030-02-28T22:00:0")
        moved = c.clock(advanceSeconds=3600)
        assert moved["now"].startswith("2030-02-28T23:00:0") and moved["offsetSeconds"] > 0
        assert ok(c.get("/__sandbox/clock"))["now"].startswith("2030-02-28T23:00")
    finally:
        assert c.clock(reset=True)["offsetSeconds"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"advanceSeconds": 1, "now": "2030-01-01T00:00:00Z"},
        {"now": "yesterday"},
        {"now": "2030-01-01T00:00:00"},
        {"advanceSeconds": 10**10},
        {"advanceSeconds": "60"},
    ],
)
def test_clock_refuses_bad_bodies(c: Console, body: dict) -> None:
    expect(c.post("/__sandbox/clock", json=body), 400, "VALIDATION_ERROR")


def test_outbox_filters_by_address_and_kind(c: Console) -> None:
    ok(c.post("/api/auth/signup", json={"email": "mail@box.test", "password": "pw"}), 201)
    ok(c.post("/api/auth/forgot-password", json={"email": "mail@box.test"}))
    mails = c.mails("MAIL@box.test")
    assert [m["kind"] for m in mails] == ["reset_password", "verify_email"], "newest first"
    assert all(m["to"] == "mail@box.test" and m["token"] for m in mails)
    assert [m["kind"] for m in c.mails("mail@box.test", "verify_email")] == ["verify_email"]
    assert c.mails("nobody@box.test") == []
    expect(c.get("/__sandbox/outbox", params={"kind": "spam"}), 400, "VALIDATION_ERROR")


def test_checkout_sessions(c: Console) -> None:
    user = c.user()
    session = ok(c.post("/api/billing/checkout", user, json={"planCode": "pro"}))
    view = ok(c.get(f"/__sandbox/checkout/{session['sessionId']}"))
    assert (view["userId"], view["planCode"], view["status"]) == (user.id, "pro", "open")
    expect(c.post("/__sandbox/checkout/0b5c6d7e-4444-4444-8444-444444444444/complete"), 404, "NOT_FOUND")
    expect(c.post("/__sandbox/checkout/nope/complete"), 400, "VALIDATION_ERROR")


def test_plan_and_counters_controls(c: Console) -> None:
    seed = c.server.seed
    assert seed is not None
    outsider = seed.identities["outsider"]
    for who in ("outsider", outsider.email, outsider.user_id):
        assert ok(c.post("/__sandbox/plan", json={"user": who, "plan": "starter"}))["userId"] == outsider.user_id
    expect(c.post("/__sandbox/plan", json={"user": "ghost", "plan": "pro"}), 404, "NOT_FOUND")
    expect(c.post("/__sandbox/plan", json={"user": "outsider", "plan": "gold"}), 400, "VALIDATION_ERROR")
    usage = ok(c.post("/__sandbox/counters", json={"user": "outsider", "messages": 5, "statuses": 2}))["usage"]
    assert (usage["messagesCount"], usage["statusesCount"], usage["effectiveOutboundUsage"]) == (5, 2, 7)
    public = ok(c.http.get("/api/v1/billing/usage", headers={"x-api-key": outsider.api_key}))
    assert public["plan"]["code"] == "starter" and public["usage"]["effectiveOutboundUsage"] == 7
    ok(c.post("/__sandbox/plan", json={"user": "outsider", "plan": "free"}))


def test_reset_restores_the_seeded_state(pool: ServerPool) -> None:
    c = Console(pool.start())
    seed = c.server.seed
    assert seed is not None
    newcomer = c.user("pro")
    c.set_plan(User(seed.identities["owner"].user_id, "", "", ""), "free")
    c.clock(advanceSeconds=86_400)
    assert ok(c.post("/__sandbox/reset"))["offsetSeconds"] == 0
    expect(c.post("/api/auth/login", json={"email": newcomer.email, "password": newcomer.password}), 401)
    owner = c.seeded("owner")  # same password as the profile holds
    assert ok(c.get("/api/auth/me", owner))["plan"]["code"] == "pro"
    assert ok(c.http.get("/api/v1/me", headers={"x-api-key": seed.identities["owner"].api_key}))["id"] == owner.id
    team_call = {"x-api-key": seed.team_api_key, "x-team-id": seed.team_id}
    assert c.http.get("/api/v1/billing/plans", headers=team_call).status_code == 200
    assert c.mails(newcomer.email) == []


def test_no_sandbox_routes_when_the_sandbox_is_off(pool: ServerPool) -> None:
    c = Console(pool.start(sandbox=False))
    for method, path in (("GET", "/__sandbox/clock"), ("GET", "/__sandbox/outbox"), ("POST", "/__sandbox/reset")):
        expect(c.call(method, path), 404, "NOT_FOUND")
    assert ok(c.get("/api/billing/plans"))
