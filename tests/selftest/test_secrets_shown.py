"""The property helpers behind AUTH-13 and WH-01 (`suites.areas.secrets_shown`, `key_prefix_findings`): they
find a secret wherever it sits in a body, name where without printing it, and judge every keyPrefix they can."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from fixtures.clients import SecretBook
from suites.areas.secrets_shown import known_key_secrets, secret_fields, shown_secrets
from suites.key_scoping.console_keys import CreatedKey, key_prefix_findings

LIVE = "msgf_live_" + "ab" * 32
TEAM = "msgf_team_" + "cd" * 32
OTHER = "msgf_live_" + "ef" * 32  # a key the run never saw


def _harness(*labelled: tuple[str, str]) -> Any:
    return SimpleNamespace(secrets=SecretBook(list(labelled)))


def test_a_secret_is_found_at_any_depth_and_named_not_printed() -> None:
    body = {"data": [{"id": "k1", "keyPrefix": LIVE[:16]}, {"id": "k2", "meta": {"note": f"copy {TEAM}"}}]}
    found = shown_secrets(body, [("team.api_key", TEAM)])
    assert found == ["$.data[1].meta.note: the secret of <team.api_key>"]
    assert all(TEAM not in line for line in found)


def test_the_documented_shape_is_found_without_knowing_the_secret() -> None:
    assert shown_secrets({"data": [{"key": OTHER}]}) == ["$.data[0].key: a full key secret (msgf_live_/msgf_team_ "
                                                          "+ 64 hex)"]
    assert shown_secrets({"data": {OTHER: 1}}) != []  # a field name counts too


def test_a_clean_list_shows_nothing() -> None:
    rows = {"data": [{"id": "k1", "keyPrefix": LIVE[:16], "secret": None}, {"id": "k2", "keyPrefix": TEAM[:16]}]}
    assert shown_secrets(rows, [("owner.api_key", LIVE), ("team.api_key", TEAM)]) == []
    assert secret_fields(rows) == []


def test_secret_named_fields_with_a_value_are_found() -> None:
    assert secret_fields([{"id": "w1", "url": "https://x"}, {"id": "w2", "signingSecret": "whsec_1"}]) == [
        "$[1].signingSecret"]


def test_only_key_secrets_are_taken_from_the_run() -> None:
    harness = _harness(("owner.api_key", LIVE), ("owner.password", "hunter22hunter"), ("created.team_key", TEAM))
    assert sorted(label for label, _ in known_key_secrets(harness)) == ["created.team_key", "owner.api_key"]


def test_every_prefix_the_suite_can_judge_is_judged() -> None:
    harness = _harness(("owner.api_key", LIVE))
    created = CreatedKey("k2", TEAM, {})
    good = [{"id": "k1", "keyPrefix": LIVE[:16]}, {"id": "k2", "keyPrefix": TEAM[:16]}]
    assert key_prefix_findings(harness, good, created=[created], profile_key="owner.api_key") == []
    wrong = [{"id": "k1", "keyPrefix": "msgf_live_"}, {"id": "k2", "keyPrefix": TEAM}]
    found = key_prefix_findings(harness, wrong, created=[created], profile_key="owner.api_key")
    assert len(found) == 2 and all(TEAM not in line for line in found)
    assert key_prefix_findings(harness, [], created=[created], profile_key=None) == [
        "the key k2 just created is not listed"]
