"""Request bodies of /__sandbox/*."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from msgflash_reference.bodies import StrictBody


class ClockBody(StrictBody):
    advanceSeconds: float | None = None
    now: str | None = None
    reset: bool | None = None


class PlanBody(StrictBody):
    user: str = Field(min_length=1, max_length=254)
    plan: str = Field(min_length=1, max_length=50)


class CountersBody(StrictBody):
    user: str = Field(min_length=1, max_length=254)
    messages: int | None = Field(default=None, ge=0)
    statuses: int | None = Field(default=None, ge=0)
    apiRequests: int | None = Field(default=None, ge=0)


class InstanceCreateBody(StrictBody):
    user: str = Field(min_length=1, max_length=254)
    name: str | None = Field(default=None, min_length=1, max_length=100)


class InstanceStateBody(StrictBody):
    status: Literal["disconnected", "connecting", "connected"] | None = None
    healthScore: int | None = Field(default=None, ge=0, le=100)


class TeamInstanceBody(StrictBody):
    name: str | None = Field(default=None, min_length=1, max_length=100)


class SubscriptionStatusBody(StrictBody):
    user: str = Field(min_length=1, max_length=254)
    status: Literal["active", "trialing", "past_due", "cancelled", "expired"]


MAX_COUNT = 100


class PaymentsCreateBody(StrictBody):
    user: str = Field(min_length=1, max_length=254)
    count: int = Field(ge=1, le=MAX_COUNT)
