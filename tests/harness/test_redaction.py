"""Redaction properties: no secret survives, nothing else changes. And the curl line uses placeholders."""

from __future__ import annotations

import json
import secrets as random_secrets

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures.evidence import Exchange, curl_line, render_exchange
from fixtures.redaction import (
    API_KEY_PLACEHOLDER,
    JWT_PLACEHOLDER,
    REDACTED,
    Redactor,
    is_secret_field,
)

# Secrets as profiles and targets spell them: keys, passwords, tokens.
SECRET_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.!$%"
secret_text = st.text(SECRET_ALPHABET, min_size=8, max_size=40)
labels = st.sampled_from(
    ["owner.api_key", "owner.password", "admin.jwt", "team.api_key", "collaborator.password"]
)
labelled_secrets = st.lists(st.tuples(labels, secret_text), min_size=1, max_size=4)
# Filler that cannot look like a key or a JWT by itself.
filler = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30).filter(
    lambda t: "msgf_" not in t and "eyJ" not in t
)
plain_field_names = st.sampled_from(["name", "email", "phone", "keyPrefix", "id", "tags", "events", "url"])
JSON_LEAVES = st.none() | st.booleans() | st.integers() | filler


def usable(redactor: Redactor, pairs: list[tuple[str, str]]) -> list[str]:
    """The secrets the redactor promises to remove anywhere (long enough, not part of a placeholder)."""
    return [secret for _, secret in pairs if secret in redactor.secrets]


@settings(max_examples=200, deadline=None)
@given(pairs=labelled_secrets, pieces=st.lists(filler, min_size=1, max_size=6), data=st.data())
def test_no_known_secret_survives_in_text(pairs, pieces, data) -> None:
    redactor = Redactor.from_secrets(pairs)
    text = ""
    for piece in pieces:
        text += piece + data.draw(st.sampled_from([s for _, s in pairs]))
    redacted = redactor.text(text)
    for secret in usable(redactor, pairs):
        assert secret not in redacted


@settings(max_examples=200, deadline=None)
@given(text=filler, pairs=labelled_secrets)
def test_text_without_secrets_is_unchanged(text, pairs) -> None:
    redactor = Redactor.from_secrets(pairs)
    if any(secret in text for secret in redactor.secrets):
        return
    assert redactor.text(text) == text


json_values = st.recursive(
    JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(plain_field_names, children, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(value=json_values, pairs=labelled_secrets)
def test_json_without_secrets_is_unchanged(value, pairs) -> None:
    redactor = Redactor.from_secrets(pairs)
    if any(secret in json.dumps(value) for secret in redactor.secrets):
        return
    assert redactor.json_value(value) == value


@settings(max_examples=150, deadline=None)
@given(value=json_values, minted=secret_text,
       field=st.sampled_from(
           ["secret", "password", "token", "apiKey", "api_key", "webhookSecret", "newPassword"]))
def test_secret_named_fields_lose_their_value_wherever_they_are(value, minted, field) -> None:
    document = {"data": {"items": [value, {field: minted, "name": "kept"}]}}
    redacted = Redactor().json_value(document)
    assert redacted["data"]["items"][1][field] == REDACTED
    assert redacted["data"]["items"][1]["name"] == "kept"


@settings(max_examples=100, deadline=None)
@given(pairs=labelled_secrets, prefix=filler, data=st.data())
def test_no_known_secret_survives_in_json_bodies(pairs, prefix, data) -> None:
    redactor = Redactor.from_secrets(pairs)
    secret = data.draw(st.sampled_from([s for _, s in pairs]))
    body = json.dumps({"data": {"note": prefix + secret, "list": [secret], "nested": {"x": {"y": secret}}}})
    redacted = redactor.body(body, "application/json")
    for known in usable(redactor, pairs):
        assert known not in redacted


def test_unknown_keys_and_jwts_are_caught_by_their_shape() -> None:
    key = "msgf_live_" + random_secrets.token_hex(32)
    team_key = "msgf_team_" + random_secrets.token_hex(32)
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVl"
    redacted = Redactor().text(f"key={key} team={team_key} token {jwt}.")
    assert key not in redacted and team_key not in redacted and jwt not in redacted
    assert redacted == f"key={API_KEY_PLACEHOLDER} team={API_KEY_PLACEHOLDER} token {JWT_PLACEHOLDER}."


def test_secret_headers_are_replaced_by_their_label() -> None:
    key = "msgf_live_" + "0" * 64
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.abcdefgh"
    redactor = Redactor.from_secrets([("owner.api_key", key), ("owner.jwt", jwt)])
    headers = redactor.headers([("x-api-key", key), ("Authorization", f"Bearer {jwt}"),
                                ("X-Team-Id", "6d4bcff4-c90c-4e5e-94ae-331c83197fbb"), ("Cookie", "sid=zzz")])
    assert headers == [("x-api-key", "<owner.api_key>"), ("Authorization", "Bearer <owner.jwt>"),
                       ("X-Team-Id", "6d4bcff4-c90c-4e5e-94ae-331c83197fbb"), ("Cookie", REDACTED)]


def test_field_names_are_matched_loosely_but_not_too_loosely() -> None:
    secret = ["password", "newPassword", "api_key", "x-api-key", "webhookSecret", "token"]
    assert all(map(is_secret_field, secret))
    assert not any(map(is_secret_field, ["keyPrefix", "tokenType", "name", "secretPreview", "passwordHint"]))


def _exchange(key: str, password: str) -> Exchange:
    request = httpx.Request("POST", "http://target.test/api/auth/login?x=1", headers={"x-api-key": key},
                            json={"email": "o@example.test", "password": password})
    response = httpx.Response(200, json={"data": {"token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig12345"}})
    return Exchange.of(request, response, response.content, 12.0, "owner.console")


def test_curl_line_has_placeholders_and_replays_the_request() -> None:
    key, password = "msgf_live_" + random_secrets.token_hex(32), "correct horse battery"
    redactor = Redactor.from_secrets([("owner.api_key", key), ("owner.password", password)])
    line = curl_line(_exchange(key, password), redactor)
    assert key not in line and password not in line
    assert "-H 'x-api-key: <owner.api_key>'" in line
    assert line.startswith("curl -sS -X POST 'http://target.test/api/auth/login?x=1'")
    assert """--data-raw '{"email":"o@example.test","password":"<owner.password>"}'""" in line


def test_rendered_evidence_holds_no_secret() -> None:
    key, password = "msgf_live_" + random_secrets.token_hex(32), "p4ss-w0rd-long"
    text = render_exchange(_exchange(key, password), Redactor.from_secrets([("owner.api_key", key)]))
    assert key not in text and password not in text  # the password by its field name, though not known
    assert "eyJ" not in text  # the minted JWT by its shape
    assert "HTTP 200" in text and "o@example.test" in text
