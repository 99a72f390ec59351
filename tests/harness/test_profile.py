"""The target profile: every bad field named in one line, `${VAR}` expansion, secrets stay secret."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from msgflash_compliance.errors import UsageError
from msgflash_compliance.exit_codes import ExitCode
from msgflash_compliance.profile import ProfileError, TargetProfile, load_profile, parse_profile

KEY = "msgf_live_" + "a1" * 32
TEAM_KEY = "msgf_team_" + "b2" * 32


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_complete_profile_loads_into_frozen_objects(tmp_path: Path) -> None:
    team_id = str(uuid.uuid4())
    profile = load_profile(write(tmp_path, f"""
base_url = "http://127.0.0.1:8765/"
[identities.owner]
api_key = "{KEY}"
email = "owner@example.test"
password = "a long password"
[identities.admin]
api_key = "{KEY}"
jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
[team]
id = "{team_id}"
api_key = "{TEAM_KEY}"
[safety]
rate_limit = "5/s"
request_budget = 100
[settings]
plan_change_blocked_status = 400
"""))
    assert profile.base_url == "http://127.0.0.1:8765"
    assert profile.identity("owner").has_console and profile.identity("admin").has_console
    assert profile.identity("collaborator") is None
    assert profile.safety.rate_limit == 5.0 and profile.safety.data_prefix == "mfc-"
    assert profile.safety.console_rate == 5.0  # unset: the key rate
    faster = parse_profile({"base_url": "http://x.test", "safety": {"console_rate_limit": "120/m"}})
    assert faster.safety.console_rate == 2.0 and faster.safety.rate_limit == 10.0
    assert profile.settings == {"plan_change_blocked_status": 400}
    assert not profile.billing_probes  # off for real targets unless asked
    with pytest.raises(ValueError, match="frozen"):
        profile.base_url = "http://elsewhere"  # type: ignore[misc]


def test_secrets_never_show_in_repr_or_str(tmp_path: Path) -> None:
    profile = parse_profile({"base_url": "http://x.test", "identities": {"owner": {"api_key": KEY}}})
    assert KEY not in repr(profile) and KEY not in str(profile.identity("owner"))
    assert ("owner.api_key", KEY) in profile.secrets()


def test_every_bad_field_is_named_in_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, f"""
base_url = "ftp://x"
[identities.owner]
api_key = "msgf_live_short"
email = "owner@example.test"
[identities.bob]
api_key = "{KEY}"
[team]
id = "not-a-uuid"
api_key = "{KEY}"
[safety]
rate_limit = -1
colour = "blue"
""")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"profile {path}: ")
    for expected in (
        "base_url: must be an http:// or https:// URL",
        "identities.owner.api_key: does not look like an API key (msgf_live_ + 64 hex)",
        "identities.bob: unknown field (valid: owner, admin, collaborator, outsider)",
        "team.id: does not look like a team id (a UUID)",
        "team.api_key: does not look like a team API key (msgf_team_ + 64 hex)",
        "safety.rate_limit:",
        "safety.colour: unknown field (valid: request_budget, rate_limit,",
    ):
        assert expected in message
    assert KEY not in message  # the wrong value is never echoed: it may be a secret


def test_email_without_password_is_refused() -> None:
    with pytest.raises(ProfileError, match=r"identities\.owner: give both email and password"):
        parse_profile({"base_url": "http://x.test",
                       "identities": {"owner": {"api_key": KEY, "email": "o@example.test"}}})


def test_profile_errors_are_usage_errors_exit_2() -> None:
    assert issubclass(ProfileError, UsageError)
    assert ProfileError("x").exit_code == ExitCode.USAGE


def test_env_vars_are_expanded_anywhere_in_a_string() -> None:
    environ = {"OWNER_KEY": KEY, "HOST": "api.example.test"}
    profile = parse_profile(
        {"base_url": "https://${HOST}/", "identities": {"owner": {"api_key": "${OWNER_KEY}"}}},
        environ=environ,
    )
    assert profile.base_url == "https://api.example.test"
    assert profile.identity("owner").api_key.get_secret_value() == KEY


def test_a_missing_env_var_is_named_with_its_field() -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({"base_url": "http://x.test",
                       "identities": {"owner": {"api_key": "${NOT_SET_ANYWHERE}"}},
                       "safety": {"colour": 1}}, source="p.toml", environ={})
    message = str(caught.value)
    assert "identities.owner.api_key: environment variable NOT_SET_ANYWHERE is not set" in message
    assert "does not look like an API key" not in message  # no noise from the empty stand-in
    assert "safety.colour: unknown field" in message  # other problems still reported, same line


def test_file_problems_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"profile .*missing\.toml: file not found"):
        load_profile(tmp_path / "missing.toml")
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(write(tmp_path, "base_url = \n"))


def test_billing_probes_default_follows_the_sandbox() -> None:
    embedded = parse_profile({"base_url": "http://x.test", "sandbox": {"enabled": True}})
    assert embedded.billing_probes
    forced = parse_profile({"base_url": "http://x.test", "sandbox": {"enabled": True},
                            "safety": {"billing_probes": False}})
    assert not forced.billing_probes


def test_rate_limit_checks_are_off_for_real_targets_unless_asked() -> None:
    assert parse_profile({"base_url": "http://x.test", "sandbox": {"enabled": True}}).rate_limit_checks
    assert not parse_profile({"base_url": "https://api.example.test"}).rate_limit_checks
    assert parse_profile({"base_url": "https://api.example.test",
                          "safety": {"rate_limit_checks": True}}).rate_limit_checks


def test_the_reference_server_profile_shape_is_accepted() -> None:
    """What `serve --write-profile` writes (msgflash_reference/profile.py) must load."""
    from msgflash_reference.profile import profile_document

    seeded = SimpleNamespace(
        identities={name: SimpleNamespace(api_key="msgf_live_" + secrets.token_hex(32),
                                          email=f"{name}@seed.test", password=secrets.token_urlsafe(12))
                    for name in ("owner", "admin", "collaborator", "outsider")},
        team_id=str(uuid.uuid4()), other_team_id=str(uuid.uuid4()),
        team_api_key="msgf_team_" + secrets.token_hex(32),
    )
    document = profile_document("http://127.0.0.1:1", seeded, sandbox=True)  # type: ignore[arg-type]
    profile = parse_profile(document)
    assert isinstance(profile, TargetProfile) and profile.sandbox.enabled and profile.billing_probes
