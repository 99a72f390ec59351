"""The reference server's sandbox controls the team checks need (never used against a real target: callers
check `[sandbox] enabled` first)."""

from __future__ import annotations

from fixtures.assertions import error_code_of, expect_ok
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
