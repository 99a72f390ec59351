"""This month's usage counters moved with the sandbox control (`/__sandbox/counters`) and always put back.

Shared by the quota suites (`test_monthly_quotas.py`, `test_scheduled_quota.py`). Sandbox only: callers check
`[sandbox] enabled` first (`common.require_sandbox`). Reads of `/api/v1/usage` here are controls, never the check.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fixtures.clients import Actor, Harness
from fixtures.errors import HarnessError, not_covered
from suites.areas.sandbox import set_counters
from suites.key_scoping.controls import expect_control

USAGE = "/api/v1/usage"
# the sandbox control's body fields -> the usage counters they set
COUNTER_FIELDS = {"messages": "messagesCount", "statuses": "statusesCount", "apiRequests": "apiRequestsCount"}


def actor_email(actor: Actor) -> str:
    if actor.email is None:
        not_covered(f"needs the {actor.name}'s e-mail (the sandbox counters control names accounts by e-mail)")
    return str(actor.email)


def usage_of(actor: Actor) -> dict[str, Any]:
    """The actor's `/api/v1/usage` data (plan limits, features, counters)."""
    data = expect_control(actor.api.get(USAGE), f"read the {actor.name}'s usage")
    if not isinstance(data, dict) or not isinstance(data.get("limits"), dict):
        raise HarnessError(f"GET {USAGE}: no data.limits")
    return data


def limit_of(usage: dict[str, Any], name: str) -> int:
    value = usage["limits"].get(name)
    if not isinstance(value, int) or value < 1:
        raise HarnessError(f"GET {USAGE}: data.limits.{name} is {value!r}, not a positive quota")
    return value


@contextmanager
def counters_moved(harness: Harness, user: str, **target: int) -> Iterator[dict[str, Any]]:
    """This month's counters of `user` set to `target` (control fields: messages, statuses, apiRequests) for
    the block; yields the usage they give. Afterwards each is put back to its value before plus what the block
    added to it (a faulty target may count a request it should have refused)."""
    before = set_counters(harness, user)  # no counter named: a read
    moved = set_counters(harness, user, **target)
    try:
        yield moved
    finally:
        after = set_counters(harness, user)
        restored = {name: before[field] + max(0, after[field] - moved[field])
                    for name, field in COUNTER_FIELDS.items() if name in target}
        set_counters(harness, user, **restored)
