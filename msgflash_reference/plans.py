"""The server's plan catalogue, one per line-up (decisions #1, reference choice G18, facts §5).

Limits are plain numbers; `None` means unlimited. Every cap check goes through plan_rules.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from msgflash_reference.config import PlanLineup


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    price_monthly: int  # EUR per month
    max_instances: int
    monthly_outbound_quota: int
    monthly_api_request_quota: int
    max_api_keys: int
    max_webhook_endpoints: int
    max_contact_groups: int | None
    campaigns: bool
    statuses: bool
    webhooks: bool
    voice_notes: bool = True
    number_lookups: bool = True
    max_teams: int = 0
    seats_per_team: int = 0

    def limits(self) -> dict[str, Any]:
        return {
            "maxInstances": self.max_instances,
            "maxApiKeys": self.max_api_keys,
            "maxWebhookEndpoints": self.max_webhook_endpoints,
            "monthlyOutboundQuota": self.monthly_outbound_quota,
            "monthlyApiRequestQuota": self.monthly_api_request_quota,
            "maxContactGroups": self.max_contact_groups,
        }

    def features(self) -> dict[str, bool]:
        return {
            "campaigns": self.campaigns,
            "statuses": self.statuses,
            "voiceNotes": self.voice_notes,
            "webhooks": self.webhooks,
            "numberLookups": self.number_lookups,
        }

    def ref(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name}

    def catalogue_entry(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "priceMonthly": self.price_monthly,
            "currency": "EUR",
            "limits": self.limits(),
            "features": self.features(),
        }


# Variant A (HTML plans table, FAQ key counts): the default line-up.
_LINEUP_A = (
    Plan("free", "Free", 0, 1, 20, 1_000, 1, 0, 2, campaigns=False, statuses=False, webhooks=False),
    Plan("starter", "Starter", 9, 2, 5_000, 10_000, 3, 3, 10, campaigns=True, statuses=False, webhooks=True),
    Plan(
        "pro",
        "Pro",
        19,
        5,
        25_000,
        100_000,
        10,
        10,
        50,
        campaigns=True,
        statuses=True,
        webhooks=True,
        max_teams=2,
        seats_per_team=4,
    ),
    Plan(
        "plus",
        "Plus",
        39,
        20,
        150_000,
        500_000,
        10,
        50,
        None,
        campaigns=True,
        statuses=True,
        webhooks=True,
        max_teams=4,
        seats_per_team=8,
    ),
)

# Variant B (.md pages, billing/plans reference): Starter retired, statuses withdrawn.
_LINEUP_B = (
    Plan("free", "Free", 0, 1, 500, 500, 1, 3, 10, campaigns=True, statuses=False, webhooks=True),
    Plan(
        "pro",
        "Pro",
        19,
        5,
        50_000,
        150_000,
        5,
        15,
        50,
        campaigns=True,
        statuses=False,
        webhooks=True,
        max_teams=2,
        seats_per_team=4,
    ),
    Plan(
        "max",
        "MAX",
        39,
        20,
        150_000,
        500_000,
        10,
        50,
        None,
        campaigns=True,
        statuses=False,
        webhooks=True,
        max_teams=4,
        seats_per_team=8,
    ),
)


class PlanCatalogue:
    def __init__(self, lineup: PlanLineup) -> None:
        self.lineup = lineup
        self.plans: tuple[Plan, ...] = _LINEUP_A if lineup == "free-starter-pro-plus" else _LINEUP_B
        self._by_code = {p.code: p for p in self.plans}

    @property
    def free(self) -> Plan:
        return self._by_code["free"]

    def get(self, code: str) -> Plan | None:
        return self._by_code.get(code)

    def require(self, code: str) -> Plan:
        """The plan of a stored code; an unknown one (a DB seeded under another line-up) reads as Free."""
        return self._by_code.get(code, self.free)

    def order(self, code: str) -> int:
        """Rank in the line-up (free = 0): upgrades go up, downgrades down."""
        codes = [p.code for p in self.plans]
        return codes.index(code) if code in codes else -1

    def can_own_teams(self, plan: Plan) -> bool:
        return plan.max_teams > 0
