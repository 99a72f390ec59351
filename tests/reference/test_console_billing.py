"""Console billing over HTTP (facts §3 billing rows, §4.2, decisions #2 #3, G13 G14): who may read and
change billing in a team, checkout through the sandbox provider, and the scheduling rules."""

from __future__ import annotations

import pytest

from tests.reference.console_support import Console, ServerPool, expect, ok, server_pool

pool = pytest.fixture(scope="module")(server_pool)

# (role, route) -> expected status and code, X-Team-Id of the seeded team (facts §3; G13 for collaborators).
READS = {
    ("owner", "/api/billing/subscription"): (200, None),
    ("owner", "/api/billing/usage"): (200, None),
    ("owner", "/api/billing/payments"): (200, None),
    ("admin", "/api/billing/subscription"): (200, None),
    ("admin", "/api/billing/usage"): (200, None),
    ("admin", "/api/billing/payments"): (403, "BILLING_PAYMENTS_TEAM_OWNER_ONLY"),
    ("collaborator", "/api/billing/subscription"): (403, "FORBIDDEN"),
    ("collaborator", "/api/billing/usage"): (403, "FORBIDDEN"),
    ("collaborator", "/api/billing/payments"): (403, "BILLING_PAYMENTS_TEAM_OWNER_ONLY"),
    ("outsider", "/api/billing/subscription"): (404, "TEAM_NOT_FOUND"),
}
MUTATIONS = {
    "/api/billing/checkout": {"planCode": "plus"},
    "/api/billing/cancel": None,
    "/api/billing/downgrade": {"plan": "starter"},
    "/api/billing/cancel-scheduled-change": None,
}


@pytest.fixture(scope="module")
def c(pool: ServerPool) -> Console:
    return Console(pool.start())


@pytest.mark.parametrize(("role", "path"), list(READS), ids=lambda v: v.rsplit("/", 1)[-1])
def test_team_billing_reads_follow_the_role_matrix(c: Console, role: str, path: str) -> None:
    assert c.server.seed is not None
    status, code = READS[(role, path)]
    response = expect(c.get(path, c.seeded(role), c.server.seed.team_id), status, code)
    if status == 200 and path != "/api/billing/payments":
        data = response.json()["data"]
        plan = data["subscription"]["plan"] if "subscription" in data else data["plan"]
        assert plan["code"] == "pro", "a team's billing reads show the owner's (Pro) plan"


def test_team_payments_are_the_owners(c: Console) -> None:
    assert c.server.seed is not None
    page = ok(c.get("/api/billing/payments", c.seeded("owner"), c.server.seed.team_id, params={"limit": 2}))
    assert (page["total"], page["page"], page["totalPages"], len(page["payments"])) == (3, 1, 2, 2)
    assert {p["planCode"] for p in page["payments"]} == {"pro"}
    expect(c.get("/api/billing/payments", c.seeded("owner"), params={"limit": 101}), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("role", ["admin", "collaborator"])
@pytest.mark.parametrize("path", list(MUTATIONS))
def test_only_the_owner_changes_billing_in_a_team(c: Console, role: str, path: str) -> None:
    assert c.server.seed is not None
    response = c.post(path, c.seeded(role), c.server.seed.team_id, json=MUTATIONS[path])
    expect(response, 403, "BILLING_TEAM_MUTATION_FORBIDDEN")


def test_plans_are_public_and_follow_the_lineup(c: Console) -> None:
    plans = ok(c.get("/api/billing/plans"))
    assert [(p["code"], p["priceMonthly"], p["currency"]) for p in plans] == [
        ("free", 0, "EUR"),
        ("starter", 9, "EUR"),
        ("pro", 19, "EUR"),
        ("plus", 39, "EUR"),
    ]


def test_checkout_is_completed_by_the_sandbox_provider(c: Console) -> None:
    user = c.user()
    session = ok(c.post("/api/billing/checkout", user, json={"planCode": "starter"}))
    assert session["checkoutUrl"] == f"{c.server.base_url}/__sandbox/checkout/{session['sessionId']}"
    assert ok(c.get("/api/billing/usage", user))["plan"]["code"] == "free", "nothing changes before payment"
    done = ok(c.post(f"/__sandbox/checkout/{session['sessionId']}/complete"))
    assert done["status"] == "completed" and done["planCode"] == "starter"
    expect(c.post(f"/__sandbox/checkout/{session['sessionId']}/complete"), 409, "CONFLICT")
    assert ok(c.get("/api/billing/usage", user))["plan"]["code"] == "starter"
    (payment,) = ok(c.get("/api/billing/payments", user))["payments"]
    assert (payment["planCode"], payment["amount"], payment["currency"], payment["status"]) == (
        "starter",
        900,
        "EUR",
        "succeeded",
    )
    assert payment["id"] == done["paymentId"] and payment["provider"] == "dodo"


@pytest.mark.parametrize(
    ("plan", "code", "status"),
    [("free", "INVALID_PLAN_CHANGE", 400), ("starter", "INVALID_PLAN_CHANGE", 400), ("gold", "NOT_FOUND", 404)],
)
def test_checkout_is_for_upgrades_to_known_plans(c: Console, plan: str, code: str, status: int) -> None:
    user = c.user("starter")
    expect(c.post("/api/billing/checkout", user, json={"planCode": plan}), status, code)


def test_plan_change_refusals(c: Console) -> None:
    free, pro = c.user(), c.user("pro")
    expect(c.post("/api/billing/cancel", free), 400, "ALREADY_ON_FREE_PLAN")
    expect(c.post("/api/billing/cancel-scheduled-change", pro), 400, "NO_SCHEDULED_CHANGE")
    expect(c.post("/api/billing/downgrade", pro, json={"plan": "plus"}), 400, "INVALID_PLAN_CHANGE")
    expect(c.post("/api/billing/downgrade", pro, json={"plan": "gold"}), 404, "NOT_FOUND")
    ok(c.post("/api/billing/downgrade", pro, json={"plan": "starter"}))
    expect(c.post("/api/billing/downgrade", pro, json={"plan": "free"}), 409, "DOWNGRADE_ALREADY_SCHEDULED")
    expect(c.post("/api/billing/cancel", pro), 409, "DOWNGRADE_ALREADY_SCHEDULED")
    expect(c.post("/api/billing/downgrade", pro, json={"plan": 3}), 400, "VALIDATION_ERROR")


def test_downgrade_to_a_plan_without_teams_is_blocked_by_every_team(c: Console) -> None:
    """BILL-17 on the seeded owner: Pro with two teams -> Starter cannot host any."""
    seed = c.server.seed
    assert seed is not None
    response = expect(c.post("/api/billing/downgrade", c.seeded("owner"), json={"plan": "starter"}), 409)
    error = response.json()["error"]
    assert error["code"] == "PLAN_CHANGE_BLOCKED_ACTIVE_TEAMS"
    assert sorted(error["details"]["teamIds"]) == sorted([seed.team_id, seed.other_team_id])


def test_scheduled_downgrade_applies_at_period_end(c: Console) -> None:
    try:
        c.clock(now="2032-06-20T09:00:00.000Z")
        user = c.user("plus")
        sub = ok(c.post("/api/billing/downgrade", user, json={"plan": "pro"}))["subscription"]
        assert sub["scheduledPlanAt"] == "2032-06-30T23:59:59.999Z"
        c.clock(now="2032-07-01T00:00:00.100Z")
        user = type(user)(user.id, user.email, user.password, c.login(user.email, user.password))
        after = ok(c.get("/api/billing/subscription", user))
        assert after["subscription"]["plan"]["code"] == "pro"
        assert after["subscription"]["plan"]["limits"]["maxInstances"] == 5
        assert after["period"] == {"start": "2032-07-01T00:00:00.000Z", "end": "2032-07-31T23:59:59.999Z"}
    finally:
        c.clock(reset=True)
