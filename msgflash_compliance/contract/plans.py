"""The documented plan line-ups, as the suites expect them.

The default line-up follows reference choice G18 (the HTML plans table, API keys per the FAQ); the alternative
follows facts §5.2 (`resources/plans-and-quotas.md`, `api-reference/billing/plans`). The reference server
keeps its own copy on purpose: a server must not share the checker's expectations.

Field names are the API's wire names (`maxInstances`, `priceMonthly`, ...), so a suite compares
`response["limits"][name]` with `getattr(plan.limits, name)` without a translation table.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from msgflash_compliance.contract.settings import ContractSettings

# The five limits every documented plan object carries under `limits` (BILL-01).
API_LIMIT_FIELDS: tuple[str, ...] = (
    "maxInstances", "maxApiKeys", "maxWebhookEndpoints", "monthlyOutboundQuota", "monthlyApiRequestQuota",
)


@dataclass(frozen=True)
class TeamCaps:
    maxOwnedTeams: int
    seatsPerTeam: int  # owner included


@dataclass(frozen=True)
class PlanLimits:
    maxInstances: int
    maxApiKeys: int
    maxWebhookEndpoints: int
    monthlyOutboundQuota: int  # messages + statuses per month
    monthlyApiRequestQuota: int
    maxContactGroups: int | None  # None = unlimited
    teams: TeamCaps | None  # None = this plan cannot own teams

    def api_limits(self) -> dict[str, int]:
        """The documented `limits` object of this plan, as the API returns it."""
        return {name: getattr(self, name) for name in API_LIMIT_FIELDS}


@dataclass(frozen=True)
class PlanFeatures:
    campaigns: bool
    statuses: bool
    voiceNotes: bool
    webhooks: bool
    numberLookups: bool

    def as_dict(self) -> dict[str, bool]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    priceMonthly: int  # whole units of `currency`
    currency: str
    limits: PlanLimits
    features: PlanFeatures


def _features(campaigns: bool, statuses: bool, webhooks: bool) -> PlanFeatures:
    # voiceNotes and numberLookups are on every plan in both line-ups.
    return PlanFeatures(campaigns=campaigns, statuses=statuses, voiceNotes=True, webhooks=webhooks,
                        numberLookups=True)


# G18: free 1 / 20 / 1,000 / 1 key / 0 webhooks / 2 groups; starter 2 / 5,000 / 10,000 / 3 / 3 / 10;
# pro 5 / 25,000 / 100,000 / 10 / 10 / 50; plus 20 / 150,000 / 500,000 / 10 / 50 / unlimited.
# Campaigns and webhooks Starter+, statuses Pro+. Teams: Pro 2 × 4 seats, Plus 4 × 8.
_FREE_STARTER_PRO_PLUS: tuple[Plan, ...] = (
    Plan("free", "Free", 0, "EUR",
         PlanLimits(1, 1, 0, 20, 1_000, 2, None),
         _features(campaigns=False, statuses=False, webhooks=False)),
    Plan("starter", "Starter", 9, "EUR",
         PlanLimits(2, 3, 3, 5_000, 10_000, 10, None),
         _features(campaigns=True, statuses=False, webhooks=True)),
    Plan("pro", "Pro", 19, "EUR",
         PlanLimits(5, 10, 10, 25_000, 100_000, 50, TeamCaps(2, 4)),
         _features(campaigns=True, statuses=True, webhooks=True)),
    Plan("plus", "Plus", 39, "EUR",
         PlanLimits(20, 10, 50, 150_000, 500_000, None, TeamCaps(4, 8)),
         _features(campaigns=True, statuses=True, webhooks=True)),
)

# Facts §5.2: Starter retired, statuses withdrawn for every plan; the docs' price field there is `priceEur`.
_FREE_PRO_MAX: tuple[Plan, ...] = (
    Plan("free", "Free", 0, "EUR",
         PlanLimits(1, 1, 3, 500, 500, 10, None),
         _features(campaigns=True, statuses=False, webhooks=True)),
    Plan("pro", "Pro", 19, "EUR",
         PlanLimits(5, 5, 15, 50_000, 150_000, 50, TeamCaps(2, 4)),
         _features(campaigns=True, statuses=False, webhooks=True)),
    Plan("max", "MAX", 39, "EUR",
         PlanLimits(20, 10, 50, 150_000, 500_000, None, TeamCaps(4, 8)),
         _features(campaigns=True, statuses=False, webhooks=True)),
)

# Keyed by the values of ContractSettings.plan_lineup.
LINEUPS: dict[str, tuple[Plan, ...]] = {
    "free-starter-pro-plus": _FREE_STARTER_PRO_PLUS,
    "free-pro-max": _FREE_PRO_MAX,
}


def plans_for(settings: ContractSettings) -> tuple[Plan, ...]:
    """The plans the suites expect under these settings, cheapest first."""
    return LINEUPS[settings.plan_lineup]


def plan(settings: ContractSettings, code: str) -> Plan:
    """One plan of the configured line-up; KeyError names the codes that exist."""
    lineup = plans_for(settings)
    for candidate in lineup:
        if candidate.code == code:
            return candidate
    codes = ", ".join(p.code for p in lineup)
    raise KeyError(f"no plan {code!r} in line-up {settings.plan_lineup!r} (codes: {codes})")
