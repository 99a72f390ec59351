"""Public billing views (`/api/v1/billing/*` and `/api/v1/usage`, facts §4.1 and §11.2) as one swappable policy.

`routes/billing.py` and `routes/account.py` build every public billing answer through `public_billing(svc)`:
the plan catalogue, the subscription overview, the usage summary (and its legacy alias), the payments page,
and the answer to a write method on a billing path (not offered: the app's 405 with `Allow`, G15 and
decisions #9). The console billing routes keep calling `billing_views` directly, so a fault here is a bug of
the public API only. `faults.py` loads this module through its EXTENSION_MODULES hook.

The module also carries the faults of the plan caps the billing and plan suites check (API keys, teams,
seats, contact groups: a comparison off by one) and a checkout rule fault (BILL-18).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from msgflash_reference.billing_views import payments_page, plans_list, subscription_overview, usage_summary
from msgflash_reference.clock import iso, month_period
from msgflash_reference.envelopes import ok
from msgflash_reference.errors import ApiError
from msgflash_reference.faults import Fault
from msgflash_reference.policies.access import RouteKind
from msgflash_reference.policies.billing import BillingRules
from msgflash_reference.subscriptions import current_subscription

if TYPE_CHECKING:
    from msgflash_reference.plans import Plan
    from msgflash_reference.policies import Policies
    from msgflash_reference.services import Services

LIMIT_FIELDS = ("maxInstances", "maxApiKeys", "maxWebhookEndpoints", "monthlyOutboundQuota", "monthlyApiRequestQuota")


@dataclass(frozen=True)
class PublicBillingViews:
    def plans(self, svc: Services) -> list[dict[str, Any]]:
        return plans_list(svc)

    def subscription(self, conn: sqlite3.Connection, svc: Services, owner_id: str, now: datetime) -> dict[str, Any]:
        return subscription_overview(conn, svc, owner_id, now)

    def usage(self, conn: sqlite3.Connection, svc: Services, owner_id: str, now: datetime) -> dict[str, Any]:
        return usage_summary(conn, svc, owner_id, now)

    def legacy_usage(self, conn: sqlite3.Connection, svc: Services, owner_id: str, now: datetime) -> dict[str, Any]:
        """`GET /api/v1/usage`: the same body as `/api/v1/billing/usage` (BILL-07)."""
        return self.usage(conn, svc, owner_id, now)

    def payments(
        self, conn: sqlite3.Connection, svc: Services, owner_id: str, page: str | None, limit: str | None
    ) -> dict[str, Any]:
        return payments_page(conn, svc, owner_id, page, limit)

    def write(self, request: Request, svc: Services) -> Response:
        """A write method on a public billing path: public billing is read-only (BILL-13). Raising the
        framework's 405 lets the app answer it like any other wrong method (envelope and `Allow`)."""
        raise StarletteHTTPException(status_code=405)


POLICY_DEFAULTS: dict[str, object] = {"public_billing": PublicBillingViews()}


def public_billing(svc: Services) -> PublicBillingViews:
    return svc.policies.extra["public_billing"]


# == faults: public billing views ============================================================================
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
        from msgflash_reference.auth import authenticate_api_key
        from msgflash_reference.policies.billing import billing_rules

        ctx = authenticate_api_key(svc, request, RouteKind.PERSONAL_ONLY)
        now = svc.clock.now()
        with svc.db.transaction() as conn:
            billing_rules(svc).cancel(svc, conn, ctx.owner_id, now)
            return ok(self.subscription(conn, svc, ctx.owner_id, now))


# == faults: console checkout ================================================================================
@dataclass(frozen=True)
class _CheckoutOrderInverted(BillingRules):
    """The upgrade check compares plan order the wrong way round: upgrades are refused, lower plans open."""

    def checkout_plan(self, svc: Services, conn: sqlite3.Connection, account_id: str, code: str, now: datetime
                      ) -> Plan:
        plan = svc.plans.get(code)
        if plan is None:
            raise ApiError("NOT_FOUND", f"Plan {code!r} is not available")
        current = current_subscription(conn, svc.plans, account_id, now).plan
        if plan.price_monthly == 0 or svc.plans.order(plan.code) >= svc.plans.order(current.code):
            raise ApiError("INVALID_PLAN_CHANGE", f"Checkout is for upgrades; you are on {current.name}")
        return plan


# == faults: plan caps =======================================================================================
def _cap_compare(cap_name: str, reached: Any):
    def apply(policies: Policies) -> Policies:
        cap = replace(policies.plan_rules.caps[cap_name], reached=reached)
        return replace(policies, plan_rules=policies.plan_rules.with_cap(cap))

    return apply


def _one_over(count: int, limit: int) -> bool:
    return count > limit


def _one_early(count: int, limit: int) -> bool:
    return count + 1 >= limit


def _views(policy: PublicBillingViews):
    return lambda policies: policies.with_extra("public_billing", policy)


def _billing(policy: BillingRules):
    return lambda policies: policies.with_extra("billing", policy)


FAULTS: tuple[Fault, ...] = (
    Fault("billing-plans-limits-flattened", ("BILL-01",),
          "GET /api/v1/billing/plans spreads each plan's limits onto the plan object (no `limits`)",
          _views(_PlansLimitsFlattened())),
    Fault("subscription-limits-on-plan", ("BILL-02", "BILL-03"),
          "the subscription's limits sit directly on subscription.plan instead of subscription.plan.limits",
          _views(_SubscriptionLimitsOnPlan())),
    Fault("max-api-keys-shows-remaining", ("BILL-04",),
          "subscription.plan.limits.maxApiKeys shows the key slots left, not the plan's cap (Free: 0)",
          _views(_MaxApiKeysAsRemaining())),
    Fault("scheduled-fields-omitted", ("BILL-05", "BILL-02"),
          "with nothing scheduled, scheduledPlan/scheduledPlanAt/scheduledAction are missing instead of null",
          _views(_ScheduledFieldsOmitted())),
    Fault("usage-limits-under-plan", ("BILL-06",),
          "GET /api/v1/billing/usage nests limits and features inside plan",
          _views(_UsageLimitsUnderPlan())),
    Fault("legacy-usage-counters-only", ("BILL-07",),
          "GET /api/v1/usage answers the usage counters alone, not the /billing/usage body",
          _views(_LegacyUsageCountersOnly())),
    Fault("effective-usage-without-statuses", ("BILL-08",),
          "effectiveOutboundUsage counts messages only (statuses left out)",
          _views(_EffectiveUsageWithoutStatuses())),
    Fault("period-end-exclusive", ("BILL-09",),
          "period.end is the first instant of the next month instead of the month's last millisecond",
          _views(_PeriodEndExclusive())),
    Fault("payments-limit-unenforced", ("BILL-11",),
          "GET /api/v1/billing/payments accepts limit above 100 and pages by it",
          _views(_PaymentsLimitUnchecked())),
    Fault("payment-amount-major-units", ("BILL-12",),
          "payment amounts come in euros (19.0) instead of minor units (1900)",
          _views(_AmountInMajorUnits())),
    Fault("billing-subscription-delete-cancels", ("BILL-13",),
          "DELETE /api/v1/billing/subscription answers 200 and cancels the subscription at period end",
          _views(_DeleteSubscriptionCancels())),
    Fault("checkout-refuses-upgrades", ("BILL-18",),
          "console checkout compares plan order the wrong way round: upgrades get 400 INVALID_PLAN_CHANGE",
          _billing(_CheckoutOrderInverted())),
    Fault("api-key-cap-off-by-one", ("PLAN-01", "PLAN-02", "PLAN-03", "PLAN-04"),
          "one API key more than the plan allows is accepted",
          _cap_compare("api_keys", _one_over)),
    Fault("api-key-cap-one-early", ("PLAN-02", "PLAN-03", "PLAN-04"),
          "the API key cap refuses the last key the plan allows (count + 1 >= cap)",
          _cap_compare("api_keys", _one_early)),
    Fault("team-cap-off-by-one", ("TEAM-21", "TEAM-22"),
          "an owner may own one team more than the plan allows",
          _cap_compare("teams", _one_over)),
    Fault("seat-cap-off-by-one", ("TEAM-23", "TEAM-24"),
          "a team accepts one seat (member or pending invitation) more than the plan allows",
          _cap_compare("seats", _one_over)),
    Fault("groups-cap-one-early", ("PLAN-13",),
          "the contact group cap refuses the last group the plan allows",
          _cap_compare("groups", _one_early)),
)


def write_answer(request: Request, svc: Services) -> Response:
    """The endpoint behind write methods on public billing paths (routes/billing.py registers it)."""
    answer = public_billing(svc).write(request, svc)
    return answer if isinstance(answer, Response) else JSONResponse(answer)
