"""The reference server's sandbox controls the billing and plan checks use: the clock (end of a billing
period), an account's counters (statuses used this month) and its plan. Callers check `[sandbox] enabled`
first (`require_sandbox`); nothing here is ever sent to a real target."""

from __future__ import annotations

from typing import Any

from fixtures.checks import error_code_of, json_body
from fixtures.clients import Harness
from fixtures.errors import HarnessError, not_covered
from suites.key_scoping.sandbox_controls import plan_code, sandbox_plan

__all__ = ["move_clock", "plan_code", "request_room", "require_sandbox", "reset_clock", "sandbox_plan",
           "set_counters"]

CLOCK_CONTROL = "/__sandbox/clock"
COUNTERS_CONTROL = "/__sandbox/counters"


def require_sandbox(harness: Harness, what: str) -> None:
    if not harness.profile.sandbox.enabled:
        not_covered(f"{what} needs the sandbox controls ([sandbox] enabled = true)")


def _control(harness: Harness, path: str, body: dict[str, Any]) -> Any:
    response = harness.client("sandbox").post(path, json=body)
    data = (json_body(response) or {}).get("data")
    if response.status_code != 200 or not isinstance(data, dict):
        raise HarnessError(f"POST {path} answered {response.status_code} {error_code_of(response) or ''}")
    return data


def move_clock(harness: Harness, iso_instant: str) -> None:
    _control(harness, CLOCK_CONTROL, {"now": iso_instant})


def reset_clock(harness: Harness) -> None:
    _control(harness, CLOCK_CONTROL, {"reset": True})


def set_counters(harness: Harness, user: str, **counters: int) -> dict[str, Any]:
    """This month's counters of an account (`messages`, `statuses`, `apiRequests`); returns its usage."""
    return _control(harness, COUNTERS_CONTROL, {"user": user, **counters}).get("usage") or {}


REQUEST_ROOM = 200  # API requests a check may still need this month on the plan it put an account on


def request_room(harness: Harness, user: str, quota: int) -> int | None:
    """Make sure the account can still make REQUEST_ROOM API requests this month under `quota` (a run's own
    traffic may have used more than a small plan allows): its counter is set back to 0 when needed. Returns
    the count to put back afterwards (`set_counters(..., apiRequests=n)`), or None when nothing changed."""
    used = set_counters(harness, user).get("apiRequestsCount")
    if not isinstance(used, int) or used + REQUEST_ROOM <= quota:
        return None
    set_counters(harness, user, apiRequests=0)
    return used
