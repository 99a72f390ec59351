"""The reference server's `/__sandbox/*` controls the area suites use (`msgflash_reference/routes/sandbox.py`,
`sandbox_messaging.py`). Outside the MsgFlash contract: callers check `[sandbox] enabled` first
(`common.require_sandbox`), so nothing here is ever sent to a real target. A control that fails makes the check
broken, never failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fixtures.checks import error_code_of, json_body
from fixtures.clients import Harness
from fixtures.errors import HarnessError

SANDBOX_CREDENTIAL = "sandbox"


def control(harness: Harness, method: str, path: str, body: dict[str, Any] | None = None,
            params: dict[str, Any] | None = None) -> Any:
    """`data` of a sandbox control's 200 answer."""
    response = harness.client(SANDBOX_CREDENTIAL).request(method, path, json=body, params=params)
    data = (json_body(response) or {}).get("data")
    if response.status_code != 200 or data is None:
        raise HarnessError(f"sandbox control {method} {path} answered {response.status_code} "
                           f"{error_code_of(response) or ''}")
    return data


def subscription_status(harness: Harness, user: str, status: str) -> None:
    """Set an account's subscription status (`active`, `trialing`, `past_due`, `cancelled`, `expired`)."""
    control(harness, "POST", "/__sandbox/subscription-status", {"user": user, "status": status})


def instance_state(harness: Harness, instance_id: str, **state: Any) -> dict[str, Any]:
    """Put an instance in a state (`status`, `healthScore`); returns the instance with its health."""
    return control(harness, "POST", f"/__sandbox/instances/{instance_id}", state)


def put_on_plan(harness: Harness, user: str, plan: str) -> None:
    control(harness, "POST", "/__sandbox/plan", {"user": user, "plan": plan})


@contextmanager
def on_plan(harness: Harness, user: str, plan: str, previous: str) -> Iterator[None]:
    """An account on `plan` for the block, then back on `previous` whatever the block did."""
    put_on_plan(harness, user, plan)
    try:
        yield
    finally:
        put_on_plan(harness, user, previous)


def set_counters(harness: Harness, user: str, **counters: int) -> dict[str, Any]:
    """This month's counters of an account (`messages`, `statuses`, `apiRequests`); returns its usage."""
    return control(harness, "POST", "/__sandbox/counters", {"user": user, **counters}).get("usage") or {}


def advance_clock(harness: Harness, seconds: float) -> None:
    control(harness, "POST", "/__sandbox/clock", {"advanceSeconds": seconds})


def reset_clock(harness: Harness) -> None:
    control(harness, "POST", "/__sandbox/clock", {"reset": True})


def outbox(harness: Harness, email: str, kind: str) -> list[dict[str, Any]]:
    """The e-mails of `kind` the server "sent" to `email`, newest first."""
    data = control(harness, "GET", "/__sandbox/outbox", params={"email": email, "kind": kind})
    return data if isinstance(data, list) else []
