"""The console billing routes (facts §4.2, [S]) and the three kinds the role rules tell apart."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    READ = "read"  # subscription and usage
    PAYMENTS = "payments"
    MUTATION = "mutation"  # checkout, cancel, downgrade, cancel-scheduled-change


class BillingRoute(StrEnum):
    SUBSCRIPTION = "subscription"
    USAGE = "usage"
    PAYMENTS = "payments"
    CHECKOUT = "checkout"
    CANCEL = "cancel"
    DOWNGRADE = "downgrade"
    CANCEL_SCHEDULED_CHANGE = "cancel-scheduled-change"

    @property
    def method(self) -> str:
        return "GET" if self.kind != Kind.MUTATION else "POST"

    @property
    def path(self) -> str:
        return f"/api/billing/{self.value}"

    @property
    def kind(self) -> Kind:
        if self in (BillingRoute.SUBSCRIPTION, BillingRoute.USAGE):
            return Kind.READ
        if self == BillingRoute.PAYMENTS:
            return Kind.PAYMENTS
        return Kind.MUTATION

    @property
    def changes_subscription(self) -> bool:
        """A 2xx of this route may have changed the subscription (checkout only opens a payment page)."""
        return self in (BillingRoute.CANCEL, BillingRoute.DOWNGRADE, BillingRoute.CANCEL_SCHEDULED_CHANGE)

    def body(self, plan_code: str) -> dict[str, Any] | None:
        """The request body ([S] portal): checkout `{planCode}`, downgrade `{plan}`, the others none."""
        if self == BillingRoute.CHECKOUT:
            return {"planCode": plan_code}
        if self == BillingRoute.DOWNGRADE:
            return {"plan": plan_code}
        return None


PLANS_PATH = "/api/billing/plans"
PUBLIC_SUBSCRIPTION_PATH = "/api/v1/billing/subscription"


@dataclass(frozen=True)
class Schedule:
    """The plan and the scheduled change of one subscription (what a billing probe may alter)."""

    plan: str | None
    action: str | None
    scheduled_plan: str | None
    scheduled_at: str | None

    @classmethod
    def of(cls, data: Any) -> Schedule:
        """From a subscription overview `{subscription: {plan: {code}, scheduledPlan, ...}}` (console or v1)."""
        sub = data.get("subscription") if isinstance(data, dict) else None
        sub = sub if isinstance(sub, dict) else {}
        plan = sub.get("plan") if isinstance(sub.get("plan"), dict) else {}
        return cls(plan.get("code"), sub.get("scheduledAction"), sub.get("scheduledPlan"), sub.get("scheduledPlanAt"))

    @property
    def has_change(self) -> bool:
        return self.action is not None

    def __str__(self) -> str:
        if not self.has_change:
            return f"plan {self.plan}, nothing scheduled"
        return f"plan {self.plan}, {self.action} to {self.scheduled_plan} at {self.scheduled_at}"
