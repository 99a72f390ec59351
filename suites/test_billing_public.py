"""Public billing (`/api/v1/billing/*`, `/api/v1/usage`, personal key): read-only, and the documented shapes
(BILL-01..13, PLAN-19), plus the console's public plan catalogue (BILL-19).

Which key may call which route (team keys refused on the personal-only routes, TEAM-04..09) is the key
scoping matrix's business (`test_key_scoping.py`); here the personal key reads and the bodies are judged.
Read-only checks run against any target. The write-method probes go out with the outsider's key (and, when
billing probes are allowed, the owner's): a write that succeeds is undone by the subscription guard.
"""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.checks import error_code_of, json_body
from fixtures.clients import Actor, Harness
from fixtures.errors import ContractViolation, not_covered
from msgflash_compliance.contract.plans import plan, plans_for
from suites.billing.guard import BillingGuard, billing_guard  # noqa: F401  (the session fixture)
from suites.billing.routes import PUBLIC_SUBSCRIPTION_PATH
from suites.billing.sandbox import require_sandbox, set_counters
from suites.billing.shapes import (
    SCHEDULE_FIELDS,
    calendar_month_problems,
    features_problems,
    key_tree,
    limits_problems,
    obj,
    payment_problems,
    period_problems,
    plan_ref_problems,
    usage_problems,
)

# Checked alone: billing probes change the owner's subscription.
pytestmark = [pytest.mark.usefixtures("billing_guard"), pytest.mark.serial]

PLANS = "/api/v1/billing/plans"
SUBSCRIPTION = PUBLIC_SUBSCRIPTION_PATH
USAGE = "/api/v1/billing/usage"
LEGACY_USAGE = "/api/v1/usage"
PAYMENTS = "/api/v1/billing/payments"
CONSOLE_PLANS = "/api/billing/plans"
PAYMENTS_DEFAULT_LIMIT = 20
PAYMENTS_MAX_LIMIT = 100
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
READ_PATHS = (PLANS, SUBSCRIPTION, USAGE, PAYMENTS, LEGACY_USAGE)
# The console's billing actions, as a client might guess them under /api/v1 (decisions #9: not offered).
ACTION_PATHS = tuple(f"/api/v1/billing/{action}" for action in
                     ("checkout", "cancel", "downgrade", "cancel-scheduled-change"))
SANDBOX_STATUSES = 3  # statuses put on the outsider's counters for BILL-08


def _problems(problems: list[str], request: str, guarantee: str) -> None:
    check(not problems, f"{request}: " + "; ".join(problems), guarantee=guarantee)


def _read(actor: Actor, path: str, guarantee: str, **params: Any) -> Any:
    return expect_ok(actor.api.get(path, params=params or None), guarantee=guarantee)


# -- the plan catalogue ----------------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.guarantee("BILL-01")
def test_plan_catalogue_shape(owner: Actor, settings) -> None:
    data = _read(owner, PLANS, "BILL-01")
    check(isinstance(data, list) and bool(data), f"GET {PLANS}: data is not a non-empty array", guarantee="BILL-01")
    problems = []
    for n, entry in enumerate(data):
        where = f"data[{n}]"
        problems += plan_ref_problems(entry, where)
        entry = obj(entry)
        if not (isinstance(entry.get("priceMonthly"), int | float) or isinstance(entry.get("priceEur"), int | float)):
            problems.append(f"{where} has no price (priceMonthly or priceEur)")
        problems += limits_problems(entry.get("limits"), f"{where}.limits")
        problems += features_problems(entry.get("features"), f"{where}.features")
        documented = next((p for p in plans_for(settings) if p.code == entry.get("code")), None)
        if documented is not None and isinstance(entry.get("limits"), dict):
            problems += [f"{where} ({documented.code}).limits.{name} is {entry['limits'].get(name)!r}, the line-up "
                         f"{settings.plan_lineup} says {value}"
                         for name, value in documented.limits.api_limits().items()
                         if entry["limits"].get(name) != value]
    _problems(problems, f"GET {PLANS}", "BILL-01")


@pytest.mark.guarantee("PLAN-19")
def test_plan_codes_are_the_lineup(owner: Actor, settings) -> None:
    data = _read(owner, PLANS, "PLAN-19")
    codes = sorted(obj(p).get("code") or "" for p in data) if isinstance(data, list) else []
    wanted = sorted(p.code for p in plans_for(settings))
    check(codes == wanted, f"GET {PLANS}: plan codes {codes}, the line-up {settings.plan_lineup} has {wanted}",
          guarantee="PLAN-19")


@pytest.mark.guarantee("BILL-19")
def test_console_plan_catalogue_is_public(anonymous_client: httpx.Client) -> None:
    data = expect_ok(anonymous_client.get(CONSOLE_PLANS), guarantee="BILL-19")
    check(isinstance(data, list) and bool(data), f"GET {CONSOLE_PLANS} without auth: data is not a non-empty array",
          guarantee="BILL-19")


# -- subscription and usage --------------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.guarantee("BILL-02")
def test_subscription_shape(owner: Actor) -> None:
    data = obj(_read(owner, SUBSCRIPTION, "BILL-02"))
    sub = obj(data.get("subscription"))
    plan_obj = obj(sub.get("plan"))
    problems = [] if isinstance(data.get("subscription"), dict) else ["data.subscription is not an object"]
    problems += [] if isinstance(plan_obj.get("code"), str) else ["data.subscription.plan.code is not a string"]
    problems += limits_problems(plan_obj.get("limits"), "data.subscription.plan.limits")
    problems += features_problems(plan_obj.get("features"), "data.subscription.plan.features")
    problems += [f"data.subscription.{name} is missing" for name in SCHEDULE_FIELDS if name not in sub]
    problems += usage_problems(data.get("usage"), "data.usage")
    problems += period_problems(data.get("period"), "data.period")
    _problems(problems, f"GET {SUBSCRIPTION}", "BILL-02")


@pytest.mark.guarantee("BILL-03")
@pytest.mark.parametrize("who", ["owner", "outsider"])
def test_limits_live_under_plan_limits(who: str, identities: dict[str, Actor]) -> None:
    actor = identities.get(who) or not_covered(f"the profile has no [identities.{who}]")
    plan_obj = obj(obj(obj(_read(actor, SUBSCRIPTION, "BILL-03")).get("subscription")).get("plan"))
    _problems(limits_problems(plan_obj.get("limits"), "data.subscription.plan.limits"),
              f"GET {SUBSCRIPTION} ({who})", "BILL-03")


@pytest.mark.guarantee("BILL-04")
def test_free_account_has_one_key(identities: dict[str, Actor], settings) -> None:
    free = plan(settings, "free").limits.maxApiKeys
    for name in ("outsider", "collaborator", "admin", "owner"):
        actor = identities.get(name)
        if actor is None:
            continue
        data = obj(_read(actor, SUBSCRIPTION, "BILL-04"))
        plan_obj = obj(obj(data.get("subscription")).get("plan"))
        if plan_obj.get("code") != "free":
            continue
        shown = obj(plan_obj.get("limits")).get("maxApiKeys")
        check(shown == free, f"GET {SUBSCRIPTION} ({name}, on Free): subscription.plan.limits.maxApiKeys is "
                             f"{shown!r}, expected {free}", guarantee="BILL-04")
        return
    not_covered("no identity of the profile is on the Free plan")


@pytest.mark.guarantee("BILL-05")
def test_nothing_scheduled_means_three_nulls(identities: dict[str, Actor]) -> None:
    checked = 0
    for name, actor in identities.items():
        sub = obj(obj(_read(actor, SUBSCRIPTION, "BILL-05")).get("subscription"))
        if any(sub.get(f) is not None for f in SCHEDULE_FIELDS):
            continue  # a change is scheduled: not this guarantee's precondition
        missing = [f for f in SCHEDULE_FIELDS if f not in sub]
        check(not missing, f"GET {SUBSCRIPTION} ({name}, nothing scheduled): {', '.join(missing)} missing; "
                           "expected present and null", guarantee="BILL-05")
        checked += 1
    if not checked:
        not_covered("every identity has a scheduled plan change")


@pytest.mark.smoke
@pytest.mark.guarantee("BILL-06")
def test_usage_shape(owner: Actor) -> None:
    data = obj(_read(owner, USAGE, "BILL-06"))
    problems = plan_ref_problems(data.get("plan"), "data.plan")
    problems += limits_problems(data.get("limits"), "data.limits")
    problems += features_problems(data.get("features"), "data.features")
    problems += usage_problems(data.get("usage"), "data.usage")
    problems += period_problems(data.get("period"), "data.period")
    _problems(problems, f"GET {USAGE}", "BILL-06")


@pytest.mark.guarantee("BILL-07")
def test_legacy_usage_has_the_billing_usage_body(owner: Actor) -> None:
    legacy = obj(_read(owner, LEGACY_USAGE, "BILL-07"))
    billing = obj(_read(owner, USAGE, "BILL-07"))
    check(key_tree(legacy) == key_tree(billing),
          f"GET {LEGACY_USAGE}: fields {sorted(legacy)} (nested: {key_tree(legacy)}) differ from GET {USAGE}'s "
          f"{sorted(billing)}", guarantee="BILL-07")
    for name in ("plan", "limits", "features", "period"):  # the counters move with every request
        check(legacy.get(name) == billing.get(name),
              f"GET {LEGACY_USAGE}: {name} {legacy.get(name)!r} differs from GET {USAGE}'s {billing.get(name)!r}",
              guarantee="BILL-07")


def _outbound_problems(usage: Any, where: str) -> list[str]:
    usage = obj(usage)
    parts = [usage.get(f) for f in ("messagesCount", "statusesCount", "effectiveOutboundUsage")]
    if not all(isinstance(p, int) for p in parts):
        return [f"{where} lacks integer messagesCount / statusesCount / effectiveOutboundUsage"]
    messages, statuses, effective = parts
    return [] if effective == messages + statuses else [
        f"{where}.effectiveOutboundUsage is {effective}, but messagesCount {messages} + statusesCount {statuses} "
        f"= {messages + statuses}"]


def _check_outbound(actor: Actor, who: str) -> None:
    problems = []
    for path in (SUBSCRIPTION, USAGE, LEGACY_USAGE):
        problems += _outbound_problems(obj(_read(actor, path, "BILL-08")).get("usage"), f"GET {path} ({who}) usage")
    _problems(problems, "usage", "BILL-08")


@pytest.mark.guarantee("BILL-08")
def test_effective_outbound_usage_sums_messages_and_statuses(identities: dict[str, Actor]) -> None:
    for name, actor in identities.items():
        _check_outbound(actor, name)


@pytest.mark.guarantee("BILL-08")
def test_effective_outbound_usage_counts_statuses(outsider: Actor, harness: Harness) -> None:
    """Sandbox: with statuses on the counters, the sum must include them (a real target's counters may be 0)."""
    require_sandbox(harness, "setting an account's status counter")
    if outsider.email is None:
        not_covered("needs the outsider's email (the sandbox names accounts by e-mail)")
    before = obj(obj(_read(outsider, USAGE, "BILL-08")).get("usage")).get("statusesCount") or 0
    set_counters(harness, outsider.email, statuses=before + SANDBOX_STATUSES)
    try:
        _check_outbound(outsider, "outsider, statuses on the counters")
    finally:
        set_counters(harness, outsider.email, statuses=before)


@pytest.mark.guarantee("BILL-09")
def test_period_is_the_calendar_month(owner: Actor) -> None:
    problems = []
    for path in (SUBSCRIPTION, USAGE):
        problems += calendar_month_problems(obj(_read(owner, path, "BILL-09")).get("period"), f"GET {path} period")
    _problems(problems, "billing period", "BILL-09")


# -- payments ------------------------------------------------------------------------------------------------


def _payments(actor: Actor, guarantee: str, **params: Any) -> dict[str, Any]:
    data = _read(actor, PAYMENTS, guarantee, **params)
    check(isinstance(data, dict) and isinstance(data.get("payments"), list),
          f"GET {PAYMENTS}: data.payments is not an array", guarantee=guarantee)
    return data


@pytest.mark.smoke
@pytest.mark.guarantee("BILL-10")
def test_payments_first_page(owner: Actor) -> None:
    data = _payments(owner, "BILL-10")
    total, pages, items = data.get("total"), data.get("totalPages"), data["payments"]
    problems = [f"{name} is not an integer" for name, value in (("total", total), ("totalPages", pages))
                if not isinstance(value, int)]
    if data.get("page") != 1:
        problems.append(f"page is {data.get('page')!r}, expected 1")
    if len(items) > PAYMENTS_DEFAULT_LIMIT:
        problems.append(f"{len(items)} payments on the first page, at most {PAYMENTS_DEFAULT_LIMIT} expected")
    if "limit" in data and data["limit"] != PAYMENTS_DEFAULT_LIMIT:
        problems.append(f"limit is {data['limit']!r}: the default page size is {PAYMENTS_DEFAULT_LIMIT}")
    if isinstance(total, int) and isinstance(pages, int):
        if pages != math.ceil(total / PAYMENTS_DEFAULT_LIMIT):
            problems.append(f"totalPages {pages} for {total} payments at {PAYMENTS_DEFAULT_LIMIT} per page")
        if len(items) != min(total, PAYMENTS_DEFAULT_LIMIT):
            problems.append(f"{len(items)} payments on the first page of {total}")
    _problems(problems, f"GET {PAYMENTS}", "BILL-10")


@pytest.mark.guarantee("BILL-11")
def test_payments_limit_bounds(owner: Actor) -> None:
    """limit=100 gives at most 100; limit=101 is refused (400) or gives at most 100 — never a 5xx, never a page
    that says it holds more (decisions #6); page=0 and limit=0 never give a 5xx."""
    data = _payments(owner, "BILL-11", limit=PAYMENTS_MAX_LIMIT)
    check(len(data["payments"]) <= PAYMENTS_MAX_LIMIT and data.get("limit", PAYMENTS_MAX_LIMIT) == PAYMENTS_MAX_LIMIT,
          f"GET {PAYMENTS}?limit=100: {len(data['payments'])} payments, limit {data.get('limit')!r}",
          guarantee="BILL-11")
    over = owner.api.get(PAYMENTS, params={"limit": PAYMENTS_MAX_LIMIT + 1})
    if over.status_code == 400:
        expect_error(over, 400, "VALIDATION_ERROR", guarantee="BILL-11")
    else:
        check(over.status_code < 500, f"GET {PAYMENTS}?limit=101 answered {over.status_code}", guarantee="BILL-11")
        page = obj(obj(json_body(over)).get("data"))
        items, limit = page.get("payments") or [], page.get("limit", PAYMENTS_MAX_LIMIT)
        check(over.status_code >= 400 or (len(items) <= PAYMENTS_MAX_LIMIT and limit <= PAYMENTS_MAX_LIMIT),
              f"GET {PAYMENTS}?limit=101 answered {over.status_code} with {len(items)} payments and limit {limit!r}: "
              f"pages hold at most {PAYMENTS_MAX_LIMIT}", guarantee="BILL-11")
    for params in ({"limit": 0}, {"page": 0}):
        response = owner.api.get(PAYMENTS, params=params)
        check(response.status_code < 500, f"GET {PAYMENTS}?{params}: answered {response.status_code} "
                                          f"{error_code_of(response) or ''}", guarantee="BILL-11")


@pytest.mark.guarantee("BILL-12")
def test_payment_items(owner: Actor) -> None:
    items = _payments(owner, "BILL-12")["payments"]
    if not items:
        not_covered("the owner has no payments to inspect")
    problems = [p for n, item in enumerate(items) for p in payment_problems(item, f"data.payments[{n}]")]
    _problems(problems, f"GET {PAYMENTS}", "BILL-12")


# -- read-only --------------------------------------------------------------------------------------------------


def _write_probes(actor: Actor, guard: BillingGuard, who: str, probes: list[tuple[str, str]]) -> list[str]:
    """Send each write; anything but 404/405 is a finding; a success is undone at once."""
    guard.watch(who)
    found = []
    for method, path in probes:
        response = actor.api.request(method, path, json={} if method != "DELETE" else None)
        if response.status_code in (404, 405):
            continue
        note = f"{who}: {method} {path} answered {response.status_code} {error_code_of(response) or ''}".rstrip()
        if response.is_success:
            note += f" and was undone ({guard.undo(who)})"
        found.append(note)
    return found


@pytest.mark.guarantee("BILL-13")
def test_public_billing_is_read_only(identities: dict[str, Actor], profile, billing_guard: BillingGuard  # noqa: F811
                                     ) -> None:
    outsider = identities.get("outsider") or identities.get("owner")
    if outsider is None:
        not_covered("needs the outsider's or the owner's personal key")
    every = [(m, p) for p in READ_PATHS for m in WRITE_METHODS] + [("POST", p) for p in ACTION_PATHS]
    found = _write_probes(outsider, billing_guard, outsider.name, every)
    owner = identities.get("owner")
    if profile.billing_probes and owner is not None and owner is not outsider:
        risky = [("DELETE", SUBSCRIPTION)] + [("POST", p) for p in ACTION_PATHS]
        found += _write_probes(owner, billing_guard, "owner", risky)
    if found:
        raise ContractViolation("public billing is read-only (404 or 405 for every write method):\n- "
                                + "\n- ".join(found), ["BILL-13"])
