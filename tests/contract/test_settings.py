"""Contract settings: defaults from decisions.md, overrides, and one-line errors naming every bad field."""

from typing import get_args

import pytest

from msgflash_compliance.contract.settings import ContractSettings, describe, load_settings
from msgflash_compliance.errors import UsageError

DEFAULTS = {
    "plan_lineup": "free-starter-pro-plus",
    "plan_change_blocked_status": 409,
    "collaborator_billing_reads": "forbidden",
    "team_key_team_mismatch": "401-unauthorized",
    "personal_key_team_header_on_personal_routes": "info-only",
    "bad_query_params": "fail-only-on-5xx-or-wrong-page",
    "cursor_reuse_across_sorts": "reject-or-consistent-page",
    "foreign_resource": "404-not-found",
    "public_billing_writes": "404-or-405",
    "real_whatsapp_sends": "never",
}


def test_one_field_per_decision_with_its_default():
    assert load_settings(None).model_dump() == DEFAULTS


def test_every_field_quotes_its_decision():
    for name, field in ContractSettings.model_fields.items():
        assert field.description and field.description.startswith("decisions #"), name


def test_decisions_with_an_alternative_offer_exactly_two_values():
    fields = ContractSettings.model_fields
    two_valued = {name for name, f in fields.items() if len(get_args(f.annotation)) == 2}
    assert two_valued == {"plan_lineup", "plan_change_blocked_status", "collaborator_billing_reads",
                          "real_whatsapp_sends"}


def test_override_applies_and_is_marked_in_describe():
    settings = load_settings({"plan_change_blocked_status": 400, "plan_lineup": "free-pro-max"})
    assert settings.plan_change_blocked_status == 400
    shown = describe(settings)
    assert list(shown) == list(DEFAULTS)
    assert shown["plan_change_blocked_status"] == "400 (overridden)"
    assert shown["collaborator_billing_reads"] == "forbidden"


def test_settings_are_frozen():
    with pytest.raises(ValueError):
        ContractSettings().plan_lineup = "free-pro-max"  # type: ignore[misc]


def test_bad_value_gives_one_line_naming_the_field_and_the_choices():
    with pytest.raises(UsageError) as info:
        load_settings({"collaborator_billing_reads": "sometimes"})
    message = str(info.value)
    assert "\n" not in message
    assert "collaborator_billing_reads" in message and "'forbidden'" in message and "'sometimes'" in message


def test_literal_without_alternative_rejects_other_values():
    with pytest.raises(UsageError, match="foreign_resource"):
        load_settings({"foreign_resource": "403"})


def test_unknown_key_lists_the_valid_ones():
    with pytest.raises(UsageError) as info:
        load_settings({"plan_linup": "free-pro-max"})
    message = str(info.value)
    assert "\n" not in message
    assert "'plan_linup'" in message
    assert all(name in message for name in DEFAULTS)


def test_every_bad_field_is_named_in_the_same_line():
    with pytest.raises(UsageError) as info:
        load_settings({"plan_lineup": "gold", "plan_change_blocked_status": 418, "nope": 1})
    message = str(info.value)
    assert "\n" not in message
    assert "plan_lineup:" in message and "plan_change_blocked_status:" in message and "'nope'" in message
