"""Faults of the public billing views (BILL-01..13, PLAN-19): the plan catalogue, the subscription overview, the
usage summary, the payments page and the write methods; each swaps `svc.policies.public_billing`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from msgflash_reference.auth import authenticate_api_key
from msgflash_reference.clock import iso, month_period
from msgflash_reference.config import PLAN_LINEUPS
from msgflash_reference.envelopes import ok
from msgflash_reference.faults.fault import Fault, swap
from msgflash_reference.plans import PlanCatalogue
from msgflash_reference.policies.access import RouteKind
from msgflash_reference.policies.public_billing import PublicBillingViews
from msgflash_reference.services import Services


@dataclass(frozen=True)
class _PlansLimitsFlattened(PublicBillingViews):
    """The catalogue spreads each plan's limits onto the plan object (`plan.maxInstances`), no `limits`."""

    def plans(self, svc: Services) -> list[dict[str, Any]]:
        flat = []
        for entry in super().plans(svc):
            limits = entry.pop("limits")
            flat.append({**entry, **limits})
        return flat


@dataclass(frozen=True)
class _SubscriptionLimitsOnPlan(PublicBillingViews):
    """The subscription's plan carries its limits directly (`subscription.plan.maxApiKeys`), the shape the
    French billing guide warns against (BILL-03)."""

    def subscription(self, conn: sqlite3.Connection, svc: Services, owner_id: str, now: datetime) -> dict[str, Any]:
        data = super().subscription(conn, svc, owner_id, now)
        plan = data["subscription"]["plan"]
        plan.update(plan.pop("limits"))
        return data


@dataclass(frozen=True)
class _MaxApiKeysAsRemaining(PublicBillingViews):
    """`limits.maxApiKeys` reports the key slots left (cap minus keys in use) instead of the plan's cap."""

    def subscription(self, conn: sqlite3.Connection, svc: Services, owner_id: str, now: datetime) -> dict[str, Any]:
        data = super().subscription(conn, svc, owner_id, now)
        limits = data["subscription"]["plan"]["limits"]
        used = data["usage"]["activeApiKeysCount"]
        limits["maxApiKeys"] = max(0, limits["maxApiKeys"] - used)
        return data


@dataclass(frozen=True)
class _ScheduledFieldsOmitted(PublicBillingViews):
    """Null fields are dropped from the subscription: with nothing scheduled, the three scheduled fields
    are missing instead of null (BILL-05)."""

    def subscription(self, conn: sqlite3.Connection, svc: Services, owner_id: str, now: datetime) -> dict[str, Any]:
        data = super().subscription(conn, svc, owner_id, now)
        data["subscription"] = {k: v for k, v in data["subscription"].items() if v is not None}
        return data


@dataclass(frozen=True)
class _UsageLimitsUnderPlan(PublicBillingViews):
    """`/billing/usage` nests limits and features inside `plan` instead of beside it."""

    def usage(self, conn: sqlite3.Connection, svc: Services, owner_id: str, now: datetime) -> dict[str, Any]:
        data = super().usage(conn, svc, owner_id, now)
        data["plan"] = {**data["plan"], "limits": data.pop("limits"), "features": data.pop("features")}
        return data


@dataclass(frozen=True)
class _LegacyUsageCountersOnly(PublicBillingViews):
    """`/api/v1/usage` still answers its old body: the usage counters alone, not the billing usage format."""

    def legacy_usage(self, conn: sqlite3.Connection, svc: Services, owner_id: str, now: datetime) -> dict[str, Any]:
        return super().usage(conn, svc, owner_id, now)["usage"]


def _without_statuses(usage: dict[str, Any]) -> None:
    usage["effectiveOutboundUsage"] = usage["messagesCount"]


@dataclass(frozen=True)
class _EffectiveUsageWithoutStatuses(PublicBillingViews):
    """effectiveOutboundUsage counts messages only, forgetting the statuses that share the quota."""

    def subscription(self, conn: sqlite3.Connection, svc: Services, owner_id: str, now: datetime) -> dict[str, Any]:
        data = super().subscription(conn, svc, owner_id, now)
        _without_statuses(data["usage"])
        return data

    def usage(self, conn: sqlite3.Connection, svc: Services, owner_id: str, now: datetime) -> dict[str, Any]:
        data = super().usage(conn, svc, owner_id, now)
        _without_statuses(data["usage"])
        return data


def _exclusive_period(now: datetime) -> dict[str, str]:
    start, end = month_period(now)
    return {"start": iso(start), "end": iso(end + timedelta(milliseconds=1))}


@dataclass(frozen=True)
class _PeriodEndExclusive(PublicBillingViews):
    """period.end is the first instant of the next month (an exclusive bound), one ms past the period."""

    def subscription(self, conn: sqlite3.Connection, svc: Services, owner_id: str, now: datetime) -> dict[str, Any]:
        return {**super().subscription(conn, svc, owner_id, now), "period": _exclusive_period(now)}

    def usage(self, conn: sqlite3.Connection, svc: Services, owner_id: str, now: datetime) -> dict[str, Any]:
        return {**super().usage(conn, svc, owner_id, now), "period": _exclusive_period(now)}


@dataclass(frozen=True)
class _UncappedPager:
    """The server's pager, except that `limit` has no maximum."""

    inner: Any

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def parse_limit(self, raw: str | None, *, default: int, maximum: int) -> int:
        return self.inner.parse_limit(raw, default=default, maximum=10**6)


@dataclass(frozen=True)
class _PaymentsLimitUnchecked(PublicBillingViews):
    """The payments page passes `limit` through without its maximum of 100."""

    def payments(
        self, conn: sqlite3.Connection, svc: Services, owner_id: str, page: str | None, limit: str | None
    ) -> dict[str, Any]:
        uncapped = replace(svc, policies=replace(svc.policies, pager=_UncappedPager(svc.policies.pager)))
        return super().payments(conn, uncapped, owner_id, page, limit)


@dataclass(frozen=True)
class _AmountInMajorUnits(PublicBillingViews):
    """Payment amounts are divided by 100 for display: 19.0 (euros) instead of 1900 (minor units)."""

    def payments(
        self, conn: sqlite3.Connection, svc: Services, owner_id: str, page: str | None, limit: str | None
    ) -> dict[str, Any]:
        data = super().payments(conn, svc, owner_id, page, limit)
        data["payments"] = [{**p, "amount": p["amount"] / 100} for p in data["payments"]]
        return data


@dataclass(frozen=True)
class _DeleteSubscriptionCancels(PublicBillingViews):
    """An internal `DELETE /billing/subscription` (cancel at period end) left reachable with a personal key."""

    def write(self, request: Request, svc: Services) -> Response:
        if request.method != "DELETE" or request.url.path.rstrip("/") != "/api/v1/billing/subscription":
            return super().write(request, svc)
        ctx = authenticate_api_key(svc, request, RouteKind.PERSONAL_ONLY)
        now = svc.clock.now()
        with svc.db.transaction() as conn:
            svc.policies.billing.cancel(svc, conn, ctx.owner_id, now)
            return ok(self.subscription(conn, svc, ctx.owner_id, now))


@dataclass(frozen=True)
class _PlansWithRetired(PublicBillingViews):
    """The listing's `WHERE active` went missing: plans of every line-up, each code once, configured ones first."""

    def plans(self, svc: Services) -> list[dict[str, Any]]:
        listed = super().plans(svc)
        seen = {entry["code"] for entry in listed}
        for lineup in PLAN_LINEUPS:
            for plan in PlanCatalogue(lineup).plans:
                if plan.code not in seen:
                    seen.add(plan.code)
                    listed.append(plan.catalogue_entry())
        return listed


FAULTS: tuple[Fault, ...] = (
    Fault("billing-plans-limits-flattened", ("BILL-01",),
          "GET /api/v1/billing/plans spreads each plan's limits onto the plan object (no `limits`)",
          swap("public_billing", _PlansLimitsFlattened())),
    Fault("subscription-limits-on-plan", ("BILL-02", "BILL-03"),
          "the subscription's limits sit directly on subscription.plan instead of subscription.plan.limits",
          swap("public_billing", _SubscriptionLimitsOnPlan())),
    Fault("max-api-keys-shows-remaining", ("BILL-04",),
          "subscription.plan.limits.maxApiKeys shows the key slots left, not the plan's cap (Free: 0)",
          swap("public_billing", _MaxApiKeysAsRemaining())),
    Fault("scheduled-fields-omitted", ("BILL-05", "BILL-02"),
          "with nothing scheduled, scheduledPlan/scheduledPlanAt/scheduledAction are missing instead of null",
          swap("public_billing", _ScheduledFieldsOmitted())),
    Fault("usage-limits-under-plan", ("BILL-06",),
          "GET /api/v1/billing/usage nests limits and features inside plan",
          swap("public_billing", _UsageLimitsUnderPlan())),
    Fault("legacy-usage-counters-only", ("BILL-07",),
          "GET /api/v1/usage answers the usage counters alone, not the /billing/usage body",
          swap("public_billing", _LegacyUsageCountersOnly())),
    Fault("effective-usage-without-statuses", ("BILL-08",),
          "effectiveOutboundUsage counts messages only (statuses left out)",
          swap("public_billing", _EffectiveUsageWithoutStatuses())),
    Fault("period-end-exclusive", ("BILL-09",),
          "period.end is the first instant of the next month instead of the month's last millisecond",
          swap("public_billing", _PeriodEndExclusive())),
    Fault("payments-limit-unenforced", ("BILL-11",),
          "GET /api/v1/billing/payments accepts limit above 100 and pages by it",
          swap("public_billing", _PaymentsLimitUnchecked())),
    Fault("payment-amount-major-units", ("BILL-12",),
          "payment amounts come in euros (19.0) instead of minor units (1900)",
          swap("public_billing", _AmountInMajorUnits())),
    Fault("billing-subscription-delete-cancels", ("BILL-13",),
          "DELETE /api/v1/billing/subscription answers 200 and cancels the subscription at period end",
          swap("public_billing", _DeleteSubscriptionCancels())),
    Fault("plans-list-includes-retired", ("PLAN-19",),
          "GET /api/v1/billing/plans also lists the other line-up's retired or unlaunched plans",
          swap("public_billing", _PlansWithRetired())),
)
