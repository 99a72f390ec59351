"""Public billing reads (facts §4.1, §11.2), the rate limit (§8, G16) and the monthly quotas (§5.3)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from msgflash_reference.errors import ApiError
from msgflash_reference.quotas import check_outbound, record_outbound, set_counters
from msgflash_reference.server_thread import RunningServer
from msgflash_reference.subscriptions import current_plan
from tests.reference.harness import ServerSet, api, data, error, team_api

LIMIT_KEYS = {
    "maxInstances",
    "maxApiKeys",
    "maxWebhookEndpoints",
    "monthlyOutboundQuota",
    "monthlyApiRequestQuota",
    "maxContactGroups",
}
USAGE_KEYS = {
    "messagesCount",
    "statusesCount",
    "effectiveOutboundUsage",
    "apiRequestsCount",
    "activeInstancesCount",
    "activeApiKeysCount",
}


def test_plans_catalogue_default_lineup(server: RunningServer) -> None:
    plans = {p["code"]: p for p in data(api(server, "outsider").get("/api/v1/billing/plans"))}
    assert list(plans) == ["free", "starter", "pro", "plus"]
    assert plans["free"]["limits"] == {
        "maxInstances": 1,
        "maxApiKeys": 1,
        "maxWebhookEndpoints": 0,
        "monthlyOutboundQuota": 20,
        "monthlyApiRequestQuota": 1000,
        "maxContactGroups": 2,
    }
    assert plans["plus"]["limits"]["maxContactGroups"] is None and plans["pro"]["limits"]["maxApiKeys"] == 10
    assert plans["starter"]["features"] == {
        "campaigns": True,
        "statuses": False,
        "voiceNotes": True,
        "webhooks": True,
        "numberLookups": True,
    }
    assert (plans["pro"]["priceMonthly"], plans["pro"]["currency"]) == (19, "EUR")


def test_plans_catalogue_variant_b(servers: ServerSet) -> None:
    server = servers.start(plan_lineup="free-pro-max")
    plans = data(api(server, "owner").get("/api/v1/billing/plans"))
    assert [p["code"] for p in plans] == ["free", "pro", "max"]
    assert not any(p["features"]["statuses"] for p in plans)


def test_subscription_usage_and_legacy_usage(server: RunningServer) -> None:
    client = api(server, "owner")
    sub = data(client.get("/api/v1/billing/subscription"))
    plan = sub["subscription"]["plan"]
    assert plan["code"] == "pro" and set(plan["limits"]) == LIMIT_KEYS and "maxInstances" not in plan
    assert (
        sub["subscription"]["scheduledPlan"],
        sub["subscription"]["scheduledPlanAt"],
        sub["subscription"]["scheduledAction"],
    ) == (None, None, None)
    assert set(sub["usage"]) == USAGE_KEYS
    usage = sub["usage"]
    assert usage["effectiveOutboundUsage"] == usage["messagesCount"] + usage["statusesCount"]
    assert usage["activeInstancesCount"] == 3 and usage["activeApiKeysCount"] == 2  # personal + team key
    now = datetime.now(UTC)
    start, end = sub["period"]["start"], sub["period"]["end"]
    assert start == now.strftime("%Y-%m-01T00:00:00.000Z") and end.endswith("T23:59:59.999Z")
    assert end[:7] == start[:7]
    billing_usage = data(client.get("/api/v1/billing/usage"))
    legacy = data(client.get("/api/v1/usage"))
    assert set(billing_usage) == set(legacy) == {"plan", "limits", "features", "usage", "period"}
    assert legacy["plan"] == {"code": "pro", "name": "Pro"}
    free = data(api(server, "outsider").get("/api/v1/billing/subscription"))
    assert free["subscription"]["plan"]["limits"]["maxApiKeys"] == 1


def test_payments_pages(server: RunningServer) -> None:
    client = api(server, "owner")
    everything = data(client.get("/api/v1/billing/payments"))
    assert everything["total"] == 3 and everything["page"] == 1 and everything["totalPages"] == 1
    payment = everything["payments"][0]
    assert payment["provider"] == "dodo" and payment["amount"] == 1900 and payment["currency"] == "EUR"
    pages = [data(client.get("/api/v1/billing/payments", params={"limit": 2, "page": n})) for n in (1, 2, 3)]
    assert [len(p["payments"]) for p in pages] == [2, 1, 0] and pages[0]["totalPages"] == 2
    assert [p["id"] for p in pages[0]["payments"] + pages[1]["payments"]] == [p["id"] for p in everything["payments"]]
    assert data(api(server, "outsider").get("/api/v1/billing/payments"))["payments"] == []


@pytest.fixture(scope="module")
def limited(servers: ServerSet) -> RunningServer:
    return servers.start(rate_limit_per_second=10)


def _burst(client, count: int) -> list:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _: client.get("/api/v1/instances"), range(count)))


def _next_second() -> None:
    time.sleep(1.02 - (time.monotonic() % 1.0))


def test_rate_limit_per_key_with_retry_after(limited: RunningServer) -> None:
    owner, outsider = api(limited, "owner"), api(limited, "outsider")
    _next_second()
    answers = _burst(owner, 16)
    refused = [r for r in answers if r.status_code == 429]
    assert 1 <= len(refused) <= 6 and sum(r.status_code == 200 for r in answers) >= 10
    body = error(refused[0], 429, "API_RATE_LIMIT_EXCEEDED")
    assert body["message"] == "Too many API requests" and int(refused[0].headers["retry-after"]) >= 1
    assert outsider.get("/api/v1/instances").status_code == 200  # another key has its own window
    assert team_api(limited).get("/api/v1/instances").status_code == 200  # so has the owner's team key


def test_rejected_calls_are_not_counted(limited: RunningServer) -> None:
    admin = api(limited, "admin")
    _next_second()
    before = data(admin.get("/api/v1/billing/usage"))["usage"]["apiRequestsCount"]
    answers = _burst(admin, 14)
    served = sum(r.status_code == 200 for r in answers)
    _next_second()
    after = data(admin.get("/api/v1/billing/usage"))["usage"]["apiRequestsCount"]
    assert after == before + served + 1


def test_monthly_api_quota(servers: ServerSet) -> None:
    server = servers.start()
    svc = server.services
    outsider = api(server, "outsider")  # Free: 1 000 requests
    with svc.db.transaction() as conn:
        set_counters(conn, server.seed.identities["outsider"].user_id, svc.clock.now(), api_requests=999)
    data(outsider.get("/api/v1/instances"))
    error(outsider.get("/api/v1/instances"), 429, "MONTHLY_API_REQUEST_QUOTA_EXCEEDED")
    assert data(api(server, "owner").get("/api/v1/instances"))  # the owner's own quota


def test_team_requests_use_the_owner_quota(servers: ServerSet) -> None:
    server = servers.start()
    svc = server.services
    with svc.db.transaction() as conn:
        set_counters(conn, server.seed.identities["owner"].user_id, svc.clock.now(), api_requests=100_000)
    error(team_api(server).get("/api/v1/instances"), 429, "MONTHLY_API_REQUEST_QUOTA_EXCEEDED")
    data(api(server, "admin").get("/api/v1/instances"))


def test_outbound_quota_rules(servers: ServerSet) -> None:
    server = servers.start()
    svc = server.services
    outsider = server.seed.identities["outsider"].user_id  # Free: 20 messages + statuses
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        plan = current_plan(conn, svc.plans, outsider, now)
        record_outbound(conn, outsider, "messages", now, 15)
        record_outbound(conn, outsider, "statuses", now, 5)
        with pytest.raises(ApiError) as refused:
            check_outbound(conn, outsider, plan, now)
    assert (refused.value.status, refused.value.code) == (429, "MONTHLY_OUTBOUND_QUOTA_EXCEEDED")
    usage = data(api(server, "outsider").get("/api/v1/billing/usage"))["usage"]
    assert (usage["messagesCount"], usage["statusesCount"], usage["effectiveOutboundUsage"]) == (15, 5, 20)
