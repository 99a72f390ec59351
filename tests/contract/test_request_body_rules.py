"""The request-body rules of issue 7, on both sides: the spec accepts or refuses each example the way the docs
and reference choices G22–G25 say, and the reference server answers alike (a body the spec refuses is 400
VALIDATION_ERROR, one it accepts succeeds) — so negative_data_rejection and positive_data_acceptance in the
conformance suite judge the server by rules it really keeps.

Bodies name other resources by placeholder (`$instance`, `$contact`, `$template`): random UUIDs for the spec,
the seeded owner's real ones for the server.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from msgflash_compliance.contract.openapi import load_spec, resolve
from msgflash_reference.server_thread import RunningServer
from tests.contract.test_spec import operations_by_id
from tests.reference.harness import api, start_server

SEND, SCHEDULE = "sendMessage", "scheduleMessage"
LATER = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
BASE = {"instanceId": "$instance", "to": "+22912345678"}
TEXT = {**BASE, "type": "text", "text": "Hello"}
REPLY = {"type": "reply", "displayText": "Yes", "id": "y"}


WEBHOOK_URLS = ("https://hooks.example.com/in", "http://hooks.example.com", "HTTPS://Hooks.Example.com:8443/a?b=c#d",
                "https://user:pw@hooks.example.com/x", "https://hooks_in.example.com", "http://@hooks.example.com")
NOT_WEBHOOK_URLS = ("ftp://hooks.example.com/in", "hooks.example.com/in", "https://", "https:///path",
                    "https://exa mple.com", "mailto:ops@example.com", "https://@/x")


def buttons(*items: dict[str, Any]) -> dict[str, Any]:
    return {**BASE, "type": "buttons", "title": "Pick", "description": "One of", "buttons": list(items)}


@dataclass(frozen=True)
class BodyCase:
    operation_id: str
    name: str
    body: Any
    accepted: bool

    @property
    def id(self) -> str:
        return f"{self.operation_id}-{self.name}"


CASES = [
    # G23: exactly one content mode
    BodyCase(SEND, "direct", TEXT, True),
    BodyCase(SEND, "template", {**BASE, "templateId": "$template"}, True),
    BodyCase(SEND, "neither-mode", {**BASE, "text": "Hello"}, False),
    BodyCase(SEND, "both-modes", {**TEXT, "templateId": "$template"}, False),
    BodyCase(SCHEDULE, "direct", {**TEXT, "scheduledAt": LATER}, True),
    BodyCase(SCHEDULE, "both-modes", {**TEXT, "templateId": "$template", "scheduledAt": LATER}, False),
    # a contact message names the shared contact by contactId (resources/message-types)
    BodyCase(SEND, "contact", {**BASE, "type": "contact", "contactId": "$contact"}, True),
    BodyCase(SEND, "contact-without-contactId", {**BASE, "type": "contact"}, False),
    # G22: each button type and the fields it needs; its type named `type` or `title`
    BodyCase(SEND, "reply-button", buttons(REPLY), True),
    BodyCase(SEND, "reply-without-id", buttons({"type": "reply", "displayText": "Yes"}), False),
    BodyCase(SEND, "url-button-by-title", buttons({"title": "url", "displayText": "Site", "url": "https://x.y"}), True),
    BodyCase(SEND, "url-without-url", buttons({"type": "url", "displayText": "Site"}), False),
    BodyCase(SEND, "call-button", buttons({"type": "call", "displayText": "Call", "phoneNumber": "+5511999"}), True),
    BodyCase(SEND, "call-without-phone", buttons({"type": "call", "displayText": "Call", "url": "https://x.y"}), False),
    BodyCase(SEND, "copy-button", buttons({"type": "copy", "displayText": "Copy", "copyCode": "ABC"}), True),
    BodyCase(SEND, "copy-without-code", buttons({"type": "copy", "displayText": "Copy", "id": "c"}), False),
    BodyCase(SEND, "pix-button", buttons({"type": "pix", "currency": "BRL", "name": "Jo", "keyType": "random",
                                          "key": "k1"}), True),
    BodyCase(SEND, "pix-without-key", buttons({"type": "pix", "currency": "BRL", "name": "Jo", "keyType": "random"}),
             False),
    BodyCase(SEND, "type-and-title-agree", buttons({**REPLY, "title": "reply"}), True),
    BodyCase(SEND, "type-and-title-differ", buttons({**REPLY, "title": "url", "url": "https://x.y"}), False),
    BodyCase(SEND, "button-without-type", buttons({"displayText": "Yes", "id": "y"}), False),
    BodyCase("createCampaign", "call-without-phone", {
        "instanceId": "$instance", "name": "c", "schedule": LATER, "recipients": {"type": "all"},
        "type": "buttons", "title": "t", "description": "d", "buttons": [{"type": "call", "displayText": "Call"}],
    }, False),
    # G24: a client's `variables` list is accepted (and ignored: TPL-06 checks the recomputation)
    BodyCase("createTemplate", "variables-list", {"name": "t", "type": "text", "body": "Hi {{custom.code}}",
                                                  "variables": ["custom.other"]}, True),
    BodyCase("createTemplate", "variables-not-a-list", {"name": "t", "type": "text", "body": "Hi",
                                                        "variables": "custom.code"}, False),
    BodyCase("updateTemplate", "variables-list", {"body": "Bye {{user.firstName}}", "variables": ["x.y"]}, True),
    # G25: an absolute http(s) URL with a host
    *(BodyCase("createWebhook", f"url-{n}", {"url": url, "events": ["message.sent"]}, True)
      for n, url in enumerate(WEBHOOK_URLS)),
    *(BodyCase("createWebhook", f"bad-url-{n}", {"url": url, "events": ["message.sent"]}, False)
      for n, url in enumerate(NOT_WEBHOOK_URLS)),
]


def path_of(operation_id: str) -> tuple[str, str]:
    method, path, _, _ = operations_by_id()[operation_id]
    return method, path


def body_validator(operation_id: str) -> Draft202012Validator:
    """The operation's request-body schema, its `$ref`s resolved inside the spec."""
    _, _, operation, _ = operations_by_id()[operation_id]
    schema = resolve(operation["requestBody"])["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": load_spec()["components"]})


def filled(body: Any, ids: dict[str, str]) -> Any:
    if isinstance(body, dict):
        return {key: filled(value, ids) for key, value in body.items()}
    if isinstance(body, list):
        return [filled(value, ids) for value in body]
    return ids.get(body, body) if isinstance(body, str) else body


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_spec_decides_as_the_docs_say(case: BodyCase) -> None:
    random_ids = {name: str(uuid.uuid4()) for name in ("$instance", "$contact", "$template")}
    errors = list(body_validator(case.operation_id).iter_errors(filled(case.body, random_ids)))
    assert (not errors) == case.accepted, [e.message for e in errors] or "accepted"


@dataclass
class Target:
    server: RunningServer
    client: httpx.Client
    ids: dict[str, str]

    def call(self, operation_id: str, body: Any) -> httpx.Response:
        method, path = path_of(operation_id)
        response = self.client.request(method, path.replace("{id}", self.ids["$template"]),
                                       json=filled(body, self.ids))
        if operation_id == "createWebhook" and response.status_code == 201:
            self.client.delete(f"/api/v1/webhooks/{response.json()['data']['id']}")  # stay under the plan's cap
        return response


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    server = start_server(Path(tmp_path_factory.mktemp("body-rules")))
    client = api(server, "owner")
    contact = client.post("/api/v1/contacts", json={"name": "Ada Lovelace", "phone": "+33612345678"})
    template = client.post("/api/v1/templates", json={"name": "greeting", "type": "text", "body": "Hello"})
    ids = {"$instance": server.seed.instance_ids["owner"][0], "$contact": contact.json()["data"]["id"],
           "$template": template.json()["data"]["id"]}
    try:
        yield Target(server, client, ids)
    finally:
        client.close()
        server.stop()


def assert_same_verdict(response: httpx.Response, accepted: bool) -> None:
    request = f"{response.request.method} {response.request.url.path} {response.request.content.decode()}"
    if accepted:
        assert response.is_success, f"the spec accepts {request}; the server answered {response.text}"
    else:
        code = response.json().get("error", {}).get("code") if response.status_code == 400 else None
        assert code == "VALIDATION_ERROR", f"the spec refuses {request}; the server answered {response.text}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_reference_server_answers_as_the_spec_decides(target: Target, case: BodyCase) -> None:
    assert_same_verdict(target.call(case.operation_id, case.body), case.accepted)


BUTTON_FIELDS = ("displayText", "id", "url", "phoneNumber", "copyCode", "currency", "name", "keyType", "key")
BUTTON_TYPES = ("reply", "copy", "url", "call", "pix")


@st.composite
def any_button(draw: st.DrawFn) -> dict[str, Any]:
    """A button with any mix of type names and fields: complete, incomplete, unnamed or contradictory."""
    button = {field: "v" for field in draw(st.sets(st.sampled_from(BUTTON_FIELDS)))}
    for key in draw(st.sets(st.sampled_from(("type", "title")), min_size=0, max_size=2)):
        button[key] = draw(st.sampled_from(BUTTON_TYPES))
    return button


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(button=any_button())
def test_server_and_spec_agree_on_any_button(target: Target, button: dict[str, Any]) -> None:
    body = buttons(button)
    accepted = body_validator(SEND).is_valid(filled(body, {"$instance": str(uuid.uuid4())}))
    assert_same_verdict(target.call(SEND, body), accepted)


URL_PATTERN: str | None = (
    load_spec()["components"]["schemas"]["WebhookCreateRequest"]["properties"]["url"].get("pattern")
)


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(url=st.from_regex(URL_PATTERN or ".*", fullmatch=True).filter(lambda u: len(u) <= 2048))
def test_every_url_the_spec_accepts_makes_a_webhook(target: Target, url: str) -> None:
    assert URL_PATTERN, "the spec's webhook url has no pattern (G25)"
    assert_same_verdict(target.call("createWebhook", {"url": url, "events": ["message.sent"]}), True)
