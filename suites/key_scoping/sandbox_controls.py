"""The reference server's sandbox controls the team checks need (never used against a real target: callers
check `[sandbox] enabled` first)."""

from __future__ import annotations

from fixtures.assertions import expect_ok
from fixtures.checks import error_code_of
from fixtures.clients import Actor, Harness
from fixtures.errors import HarnessError, not_covered

PLAN_CONTROL = "/__sandbox/plan"


def sandbox_plan(harness: Harness, email: str, plan: str) -> None:
    """Put an account (named by e-mail) on a plan now, without a payment."""
    response = harness.client("sandbox").post(PLAN_CONTROL, json={"user": email, "plan": plan})
    if response.status_code == 404 and error_code_of(response) == "NOT_FOUND":
        not_covered(f"the sandbox plan control (POST {PLAN_CONTROL}) answered 404: {response.text[:120]}")
    if response.status_code != 200:
        code = error_code_of(response) or ""
        raise HarnessError(f"POST {PLAN_CONTROL} answered {response.status_code} {code}")


def plan_code(actor: Actor) -> str:
    """The actor's current plan code (public API, personal key)."""
    data = expect_ok(actor.api.get("/api/v1/billing/subscription"))
    subscription = data.get("subscription") if isinstance(data, dict) else None
    code = ((subscription or {}).get("plan") or {}).get("code")
    if not isinstance(code, str):
        raise HarnessError("GET /api/v1/billing/subscription: no data.subscription.plan.code")
    return code


COUNTERS_CONTROL = "/__sandbox/counters"


def sandbox_api_requests(harness: Harness, email: str, count: int) -> None:
    """Set an account's API request counter for this month (so a plan with a small quota is usable)."""
    response = harness.client("sandbox").post(COUNTERS_CONTROL, json={"user": email, "apiRequests": count})
    if response.status_code != 200:
        code = error_code_of(response) or ""
        raise HarnessError(f"POST {COUNTERS_CONTROL} answered {response.status_code} {code}")


def api_requests(actor: Actor) -> int:
    """The actor's apiRequestsCount this month (public API, personal key)."""
    data = expect_ok(actor.api.get("/api/v1/usage"))
    count = ((data.get("usage") if isinstance(data, dict) else None) or {}).get("apiRequestsCount")
    if not isinstance(count, int):
        raise HarnessError("GET /api/v1/usage: no data.usage.apiRequestsCount")
    return count
