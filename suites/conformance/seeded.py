"""The seeded identities' subscriptions, read to show a module left them as it found them."""

from __future__ import annotations

from typing import Any

from fixtures.clients import Actor

SUBSCRIPTION_PATH = "/api/v1/billing/subscription"


def subscription_states(identities: dict[str, Actor]) -> dict[str, tuple[Any, ...]]:
    """{identity: (plan code, scheduled action, scheduled plan, its date, cancel at period end)}, read with
    each identity's personal key as the harness's own requests; an unreadable one maps to its status."""
    states: dict[str, tuple[Any, ...]] = {}
    for name, actor in identities.items():
        with actor.client(housekeeping=True) as client:
            response = client.get(SUBSCRIPTION_PATH)
        try:
            sub = response.json()["data"]["subscription"]
            states[name] = (sub["plan"]["code"], sub.get("scheduledAction"), sub.get("scheduledPlan"),
                            sub.get("scheduledPlanAt"), sub.get("cancelAtPeriodEnd"))
        except (ValueError, KeyError, TypeError):
            states[name] = (response.status_code,)
    return states
