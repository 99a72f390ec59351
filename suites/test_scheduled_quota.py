"""A scheduled message meets the monthly outbound quota again at its send time (PLAN-16, sandbox only).

The message is scheduled while the owner's quota has room; the owner's counters are then moved to the quota
with the sandbox control and the sandbox clock is moved past the send time, both always put back. The message
must not go out: the docs say the quota is re-checked at send time and the failure is surfaced on the message,
without naming the status, so the check requires a status other than `sent` / `delivered` / `read`, no
provider id, and an `error` saying why. A message still `queued` after the bounded polls leaves the check
broken (the target is too slow to tell), not passed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from fixtures.assertions import check, expect_ok
from fixtures.clients import Actor, Harness
from fixtures.errors import HarnessError
from fixtures.factories import DataFactory
from msgflash_compliance.profile import TargetProfile
from suites.areas.common import connected_instance, poll, require_sandbox, require_send
from suites.areas.counters import actor_email, counters_moved, limit_of, usage_of
from suites.areas.sandbox import advance_clock, control

pytestmark = pytest.mark.serial  # checked alone: sets the counters and the clock

SCHEDULE = "/api/v1/messages/schedule"
MESSAGES = "/api/v1/messages"
SEND_DELAY = timedelta(seconds=60)  # the message's send time, after the server's now
CLOCK_SHIFT_SECONDS = 120  # past the send time
GONE_OUT = frozenset({"sent", "delivered", "read"})


def _server_now(harness: Harness) -> datetime:
    """The target's clock (the sandbox may have moved it): a scheduledAt is read against it."""
    now = control(harness, "GET", "/__sandbox/clock").get("now")
    return datetime.fromisoformat(str(now).replace("Z", "+00:00"))


@pytest.fixture
def scheduled_then_quota_used_up(owner: Actor, harness: Harness, profile: TargetProfile,
                                 factory: DataFactory) -> Iterator[str]:
    """A message scheduled while the owner's quota had room, then the quota used up (yields the message id)."""
    require_sandbox(profile, "using up the monthly outbound quota and moving the clock")
    require_send(profile, "a scheduled message the quota fails to stop")
    email = actor_email(owner)
    quota = limit_of(usage_of(owner), "monthlyOutboundQuota")
    when = _server_now(harness) + SEND_DELAY
    body = {"instanceId": connected_instance(owner.api)["id"], "to": factory.phone(), "type": "text",
            "text": factory.name("scheduled"), "scheduledAt": when.strftime("%Y-%m-%dT%H:%M:%S.000Z")}
    message = expect_ok(owner.api.post(SCHEDULE, json=body), 201, guarantee="PLAN-16")
    check(isinstance(message, dict) and isinstance(message.get("id"), str), f"POST {SCHEDULE}: no message id",
          guarantee="PLAN-16")
    with counters_moved(harness, email, messages=quota, statuses=0) as moved:
        if moved.get("effectiveOutboundUsage") != quota:
            raise HarnessError(f"sandbox counters: effectiveOutboundUsage is {moved.get('effectiveOutboundUsage')!r}"
                               f" with {quota} messages and no status, not the quota {quota}")
        yield message["id"]


@pytest.fixture
def due_with_quota_used_up(harness: Harness, scheduled_then_quota_used_up: str) -> Iterator[str]:
    """The sandbox clock CLOCK_SHIFT_SECONDS ahead (the message due) for the block, then back by as much."""
    advance_clock(harness, CLOCK_SHIFT_SECONDS)
    try:
        yield scheduled_then_quota_used_up
    finally:
        advance_clock(harness, -CLOCK_SHIFT_SECONDS)


@pytest.mark.guarantee("PLAN-16")
def test_a_scheduled_message_is_not_sent_past_an_exhausted_quota(owner: Actor, due_with_quota_used_up: str) -> None:
    path = f"{MESSAGES}/{due_with_quota_used_up}"
    seen = poll(owner.api, path, until=lambda data: data.get("status") != "queued", guarantee="PLAN-16")
    message = seen[-1]
    check(message.get("status") not in GONE_OUT and not message.get("providerMessageId"),
          f"GET {path}: a message scheduled before the monthly outbound quota ran out went out at its send time "
          f"(status {message.get('status')!r}, providerMessageId {message.get('providerMessageId')!r}): the "
          "quota was not re-checked", guarantee="PLAN-16")
    check(bool(message.get("error")), f"GET {path}: the unsent message (status {message.get('status')!r}) does "
          "not say why: `error` is empty", guarantee="PLAN-16")
