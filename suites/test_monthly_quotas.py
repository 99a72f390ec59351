"""Monthly quotas at their boundary (sandbox only): the API request quota (PLAN-17, with its own code RATE-05)
and the outbound quota of messages and statuses together (PLAN-15).

The account's counters for this month are set with the sandbox control (`/__sandbox/counters`) and put back
afterwards, whatever the check found: each to what it was plus whatever the check's own requests added. The
API quota is moved on the outsider (a Free account no other identity pays for), so the rest of the run never
meets it; the outbound quota on the owner (statuses need a plan with them, Pro in the seed).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fixtures.assertions import expect_error, expect_ok
from fixtures.clients import Actor, Harness
from fixtures.errors import HarnessError, not_covered
from fixtures.factories import DataFactory
from fixtures.transports import API_QUOTA_CODE, EXPECTS_429
from msgflash_compliance.profile import TargetProfile
from suites.areas.common import connected_instance, require_sandbox, require_send
from suites.areas.counters import USAGE, actor_email, counters_moved, limit_of, usage_of

pytestmark = pytest.mark.serial  # checked alone: sets the monthly counters

SEND = "/api/v1/messages/send"
STATUSES = "/api/v1/statuses"

OUTBOUND_QUOTA_CODE = "MONTHLY_OUTBOUND_QUOTA_EXCEEDED"


# -- API requests (PLAN-17, RATE-05) ---------------------------------------------------------------------------


@pytest.fixture
def outsider_one_request_left(outsider: Actor, harness: Harness, profile: TargetProfile) -> Iterator[int]:
    """Sandbox: the outsider's apiRequestsCount one below its monthly quota (the quota yielded), then back."""
    require_sandbox(profile, "using up the monthly API request quota")
    email = actor_email(outsider)
    quota = limit_of(usage_of(outsider), "monthlyApiRequestQuota")
    with counters_moved(harness, email, apiRequests=quota - 1):
        yield quota


@pytest.mark.guarantee("PLAN-17", "RATE-05")
def test_the_request_past_the_monthly_api_quota_is_refused(outsider: Actor, outsider_one_request_left: int) -> None:
    quota = outsider_one_request_left
    # request number `quota`: still allowed (a quota 429 here is refused too early: judged, not broken)
    last = expect_ok(outsider.api.get(USAGE, extensions={EXPECTS_429: True}), guarantee="PLAN-17")
    count = ((last or {}).get("usage") or {}).get("apiRequestsCount")
    if count != quota:
        raise HarnessError(f"GET {USAGE}: apiRequestsCount is {count!r} after the last allowed request, not the "
                           f"quota {quota}: the sandbox counter did not take")
    # apiRequestsCount == monthlyApiRequestQuota; the answer is judged even if it is a rate-limit 429
    response = outsider.api.get(USAGE, extensions={EXPECTS_429: True})
    expect_error(response, 429, API_QUOTA_CODE, guarantee=("PLAN-17", "RATE-05"))


# -- outbound: messages and statuses together (PLAN-15) ----------------------------------------------------------


@pytest.fixture
def owner_outbound_used_up(owner: Actor, harness: Harness, profile: TargetProfile) -> Iterator[str]:
    """Sandbox: the owner's effectiveOutboundUsage at its quota, made of messages and one status (yields the
    owner's connected instance), then the counters back."""
    require_sandbox(profile, "using up the monthly outbound quota")
    require_send(profile, "a send or status the quota fails to refuse")
    email = actor_email(owner)
    usage = usage_of(owner)
    if (usage.get("features") or {}).get("statuses") is not True:
        not_covered("the owner's plan has no statuses feature")
    quota = limit_of(usage, "monthlyOutboundQuota")
    instance = connected_instance(owner.api)["id"]
    with counters_moved(harness, email, messages=quota - 1, statuses=1) as moved:
        if moved.get("effectiveOutboundUsage") != quota:
            raise HarnessError(f"sandbox counters: effectiveOutboundUsage is {moved.get('effectiveOutboundUsage')!r}"
                               f" with {quota - 1} messages and 1 status, not the quota {quota}")
        yield instance


def _message(instance: str, factory: DataFactory) -> dict[str, Any]:
    return {"instanceId": instance, "to": factory.phone(), "type": "text", "text": factory.name("message")}


def _status(instance: str, factory: DataFactory) -> dict[str, Any]:
    return {"instanceId": instance, "type": "text", "content": factory.name("status")}


@pytest.mark.guarantee("PLAN-15")
@pytest.mark.parametrize(("path", "body"), [(SEND, _message), (STATUSES, _status)], ids=["send", "status"])
def test_an_exhausted_outbound_quota_refuses(path: str, body: Any, owner: Actor, factory: DataFactory,
                                             owner_outbound_used_up: str) -> None:
    response = owner.api.post(path, json=body(owner_outbound_used_up, factory))
    expect_error(response, 429, OUTBOUND_QUOTA_CODE, guarantee="PLAN-15")
