"""The documented plan line-ups: the numbers suites compare a target's /billing/plans against."""

from typing import get_args

import pytest

from msgflash_compliance.contract.plans import API_LIMIT_FIELDS, LINEUPS, plan, plans_for
from msgflash_compliance.contract.settings import ContractSettings, load_settings

# Reference choice G18, written out again on purpose: this table is what the code must reproduce.
G18 = {
    # code: (instances, outbound, api requests, keys, webhooks, groups, teams)
    "free": (1, 20, 1_000, 1, 0, 2, None),
    "starter": (2, 5_000, 10_000, 3, 3, 10, None),
    "pro": (5, 25_000, 100_000, 10, 10, 50, (2, 4)),
    "plus": (20, 150_000, 500_000, 10, 50, None, (4, 8)),
}


def test_lineups_cover_exactly_the_setting_values():
    assert set(LINEUPS) == set(get_args(ContractSettings.model_fields["plan_lineup"].annotation))


def test_default_lineup_is_free_starter_pro_plus():
    assert [p.code for p in plans_for(ContractSettings())] == ["free", "starter", "pro", "plus"]
    assert [p.name for p in plans_for(ContractSettings())] == ["Free", "Starter", "Pro", "Plus"]


@pytest.mark.parametrize("code", list(G18))
def test_default_lineup_numbers_follow_g18(code):
    limits = plan(ContractSettings(), code).limits
    teams = (limits.teams.maxOwnedTeams, limits.teams.seatsPerTeam) if limits.teams else None
    assert (limits.maxInstances, limits.monthlyOutboundQuota, limits.monthlyApiRequestQuota,
            limits.maxApiKeys, limits.maxWebhookEndpoints, limits.maxContactGroups, teams) == G18[code]


def test_default_lineup_features_and_prices():
    by_code = {p.code: p for p in plans_for(ContractSettings())}
    assert {c: p.features.campaigns for c, p in by_code.items()} == {
        "free": False, "starter": True, "pro": True, "plus": True}
    assert {c: p.features.webhooks for c, p in by_code.items()} == {
        "free": False, "starter": True, "pro": True, "plus": True}
    assert {c: p.features.statuses for c, p in by_code.items()} == {
        "free": False, "starter": False, "pro": True, "plus": True}
    assert all(p.features.voiceNotes and p.features.numberLookups for p in by_code.values())
    assert [(p.priceMonthly, p.currency) for p in by_code.values()] == [(0, "EUR"), (9, "EUR"), (19, "EUR"),
                                                                        (39, "EUR")]


def test_free_pro_max_lineup_follows_facts_5_2():
    settings = load_settings({"plan_lineup": "free-pro-max"})
    lineup = plans_for(settings)
    assert [(p.code, p.name, p.priceMonthly) for p in lineup] == [("free", "Free", 0), ("pro", "Pro", 19),
                                                                  ("max", "MAX", 39)]
    assert [p.limits.api_limits() for p in lineup] == [
        {"maxInstances": 1, "maxApiKeys": 1, "maxWebhookEndpoints": 3, "monthlyOutboundQuota": 500,
         "monthlyApiRequestQuota": 500},
        {"maxInstances": 5, "maxApiKeys": 5, "maxWebhookEndpoints": 15, "monthlyOutboundQuota": 50_000,
         "monthlyApiRequestQuota": 150_000},
        {"maxInstances": 20, "maxApiKeys": 10, "maxWebhookEndpoints": 50, "monthlyOutboundQuota": 150_000,
         "monthlyApiRequestQuota": 500_000},
    ]
    assert [p.limits.maxContactGroups for p in lineup] == [10, 50, None]
    assert not any(p.features.statuses for p in lineup)
    assert all(p.features.campaigns and p.features.webhooks for p in lineup)


def test_api_limits_hold_exactly_the_documented_fields():
    assert tuple(plan(ContractSettings(), "pro").limits.api_limits()) == API_LIMIT_FIELDS


def test_unknown_plan_names_the_codes_of_the_lineup():
    with pytest.raises(KeyError, match="starter, pro, plus"):
        plan(ContractSettings(), "max")


def test_plans_are_immutable():
    pro = plan(ContractSettings(), "pro")
    with pytest.raises(AttributeError):
        pro.limits.maxApiKeys = 99  # type: ignore[misc]
