"""Messages (MSG-01..17, facts §11.3, G2, G11), the inactive-subscription refusal (AUTH-08) and an invalid
recipient (ERR-06).

Sends are made only when the profile allows them (`[safety] allow_send`, decisions #10); the embedded reference
server never delivers anything. The refusal checks (invalid bodies) name the workspace's real connected
instance when sends are allowed, so that only the body can be refused; otherwise a random instance id, so that
a target wrongly accepting the body still cannot send (it then answers 404, which fails the check as well).
The quota and subscription checks (MSG-16, AUTH-08) use the sandbox controls and put the account back.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import strategies as st

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.checks import json_body
from fixtures.clients import Actor, Harness
from fixtures.errors import not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.profile import TargetProfile
from suites.areas.common import connected_instance, missing_fields, random_id, require_sandbox, require_send
from suites.areas.properties import run_property
from suites.areas.sandbox import set_counters, subscription_status
from suites.areas.shapes import MESSAGE_FIELDS

pytestmark = pytest.mark.serial  # checked alone: sets the monthly counters and the subscription status

SEND = "/api/v1/messages/send"
SCHEDULE = "/api/v1/messages/schedule"
MESSAGES = "/api/v1/messages"
USAGE = "/api/v1/usage"
SEND_STATUSES = (200, 201, 202)  # MSG-01: the success status is not documented
MESSAGE_TYPES = ("text", "image", "video", "audio", "document", "voice_note", "location", "contact", "buttons")


def _later(days: int = 1) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.fixture(scope="module")
def instance_id(owner: Actor, profile: TargetProfile) -> str:
    """The instance refusal checks name: a real connected one when sends are allowed, else a random id."""
    return connected_instance(owner.api)["id"] if profile.safety.allow_send else random_id()


@pytest.fixture(scope="module")
def sending(owner: Actor, profile: TargetProfile) -> str:
    """Checks that really send: the owner's connected instance, only when the profile allows sends."""
    require_send(profile, "sending a message")
    return connected_instance(owner.api)["id"]


def _text(instance: str, factory: DataFactory, **extra: Any) -> dict[str, Any]:
    return {"instanceId": instance, "to": factory.phone(), "type": "text", "text": factory.name("message"), **extra}


def _sent(response: httpx.Response, guarantee: str | tuple[str, ...]) -> dict[str, Any]:
    data = expect_ok(response, SEND_STATUSES, guarantee=guarantee)
    check(isinstance(data, dict) and isinstance(data.get("id"), str),
          f"{response.request.method} {response.request.url.path}: the accepted message has no id",
          guarantee=guarantee)
    return data


# -- refusals ------------------------------------------------------------------------------------------------


def _refused(owner: Actor, body: dict[str, Any], guarantee: str, path: str = SEND) -> None:
    expect_error(owner.api.post(path, json=body), 400, "VALIDATION_ERROR", guarantee=guarantee)


@pytest.mark.smoke
@pytest.mark.guarantee("MSG-02", "MSG-03", "MSG-04")
@pytest.mark.parametrize(("left_out", "guarantee"), [("instanceId", "MSG-02"), ("to", "MSG-03"),
                                                     ("type", "MSG-04")])
def test_a_send_needs_its_required_fields(left_out: str, guarantee: str, owner: Actor, factory: DataFactory,
                                          instance_id: str) -> None:
    body = _text(instance_id, factory)
    del body[left_out]  # without type there is no templateId either: neither content mode
    _refused(owner, body, guarantee)


@pytest.mark.guarantee("MSG-05")
def test_a_type_outside_the_enum_is_refused(owner: Actor, factory: DataFactory, instance_id: str) -> None:
    def refused(kind: str) -> None:
        _refused(owner, _text(instance_id, factory, type=kind), "MSG-05")

    run_property(refused, kind=st.text(min_size=1, max_size=12).filter(lambda t: t not in MESSAGE_TYPES),
                 explicit=[{"kind": "sticker"}, {"kind": "TEXT"}, {"kind": "poll"}])


@pytest.mark.guarantee("MSG-06")
@pytest.mark.parametrize("given", [{}, {"latitude": 48.85}, {"longitude": 2.35}], ids=["neither", "no-lon", "no-lat"])
def test_a_location_needs_both_coordinates(given: dict[str, float], owner: Actor, factory: DataFactory,
                                           instance_id: str) -> None:
    body = {"instanceId": instance_id, "to": factory.phone(), "type": "location", **given}
    _refused(owner, body, "MSG-06")


@pytest.mark.guarantee("MSG-07")
def test_three_buttons_are_refused(owner: Actor, factory: DataFactory, instance_id: str) -> None:
    buttons = [{"type": "reply", "displayText": f"Choice {n}", "id": f"c{n}"} for n in range(3)]
    body = {"instanceId": instance_id, "to": factory.phone(), "type": "buttons", "title": "Pick one",
            "description": "Three is one too many", "buttons": buttons}
    _refused(owner, body, "MSG-07")


@pytest.mark.guarantee("MSG-08")
@pytest.mark.parametrize("field", ["name", "waNumber"])
def test_an_instance_is_named_by_its_id_only(field: str, owner: Actor, factory: DataFactory,
                                             sending: str) -> None:
    instance = next(i for i in _instances(owner) if i["id"] == sending)
    if not isinstance(instance.get(field), str) or not instance[field]:
        not_covered(f"the instance has no {field}")
    response = owner.api.post(SEND, json=_text(instance[field], factory))
    code = "VALIDATION_ERROR" if response.status_code == 400 else "NOT_FOUND"
    expect_error(response, (400, 404), code, guarantee="MSG-08")


def _instances(owner: Actor) -> list[dict[str, Any]]:
    data = expect_ok(owner.api.get("/api/v1/instances"), guarantee="MSG-08")
    return [i for i in data if isinstance(i, dict)] if isinstance(data, list) else []


@pytest.mark.guarantee("MSG-09")
def test_a_random_instance_is_not_found(owner: Actor, factory: DataFactory) -> None:
    expect_error(owner.api.post(SEND, json=_text(random_id(), factory)), 404, "NOT_FOUND", guarantee="MSG-09")


@pytest.mark.guarantee("MSG-09")
@pytest.mark.parametrize("field", ["contactId", "templateId"])
def test_a_random_contact_or_template_is_not_found(field: str, owner: Actor, factory: DataFactory,
                                                   sending: str) -> None:
    body = _text(sending, factory) if field == "contactId" else {"instanceId": sending, "to": factory.phone()}
    body[field] = random_id()
    expect_error(owner.api.post(SEND, json=body), 404, "NOT_FOUND", guarantee="MSG-09")


@pytest.mark.guarantee("MSG-10")
def test_a_missing_custom_variable_is_refused(owner: Actor, factory: DataFactory, sending: str) -> None:
    template = factory.template(owner.api, body="Your code is {{custom.code}}")
    body = {"instanceId": sending, "to": factory.phone(), "templateId": template["id"], "variables": {"other": 1}}
    expect_error(owner.api.post(SEND, json=body), 400, "TEMPLATE_VARIABLES_MISSING", guarantee="MSG-10")


@pytest.mark.guarantee("MSG-11")
def test_contact_variables_need_a_usable_contact(owner: Actor, factory: DataFactory, sending: str) -> None:
    template = factory.template(owner.api, body="Hello {{contact.firstName}}")
    body = {"instanceId": sending, "to": factory.phone(), "templateId": template["id"], "contactId": random_id()}
    expect_error(owner.api.post(SEND, json=body), 400, "TEMPLATE_CONTEXT_UNAVAILABLE", guarantee="MSG-11")


@pytest.mark.guarantee("MSG-14")
def test_a_schedule_needs_scheduled_at(owner: Actor, factory: DataFactory, instance_id: str) -> None:
    _refused(owner, _text(instance_id, factory), "MSG-14", path=SCHEDULE)


# -- sends -----------------------------------------------------------------------------------------------------


@pytest.mark.guarantee("MSG-01", "MSG-15")
def test_a_send_is_queued(owner: Actor, factory: DataFactory, sending: str) -> None:
    message = _sent(owner.api.post(SEND, json=_text(sending, factory)), "MSG-01")
    check(message.get("status") == "queued", f"POST {SEND}: the accepted message has status "
          f"{message.get('status')!r}, expected 'queued' (delivered asynchronously)", guarantee="MSG-01")
    stored = expect_ok(owner.api.get(f"{MESSAGES}/{message['id']}"), guarantee="MSG-15")
    missing = missing_fields(stored, MESSAGE_FIELDS)
    check(not missing, f"GET {MESSAGES}/{{id}}: the message lacks {missing}", guarantee="MSG-15")


@pytest.mark.guarantee("MSG-15")
def test_a_stored_message_has_its_documented_fields(owner: Actor) -> None:
    """Black-box: the newest message of the workspace (seeded or sent), read by id."""
    listed = expect_ok(owner.api.get(MESSAGES, params={"limit": 1}), guarantee="MSG-15")
    messages = listed.get("messages") if isinstance(listed, dict) else None
    if not messages:
        not_covered("the owner's workspace has no message to read")
    stored = expect_ok(owner.api.get(f"{MESSAGES}/{messages[0]['id']}"), guarantee="MSG-15")
    missing = missing_fields(stored, MESSAGE_FIELDS)
    check(not missing, f"GET {MESSAGES}/{{id}}: the message lacks {missing}", guarantee="MSG-15")
    check(stored.get("id") == messages[0]["id"], "GET a message by id answered another message",
          guarantee="MSG-15")


@pytest.mark.guarantee("MSG-12")
def test_a_template_send_stores_the_rendered_text(owner: Actor, factory: DataFactory, sending: str) -> None:
    first = factory.name("grace")
    contact = factory.contact(owner.api, name=f"{first} Hopper")
    template = factory.template(owner.api, body="Hi {{contact.firstName}}, code {{custom.code}}")
    body = {"instanceId": sending, "to": contact["phone"], "templateId": template["id"], "contactId": contact["id"],
            "variables": {"code": "Z9"}}
    message = _sent(owner.api.post(SEND, json=body), "MSG-12")
    stored = expect_ok(owner.api.get(f"{MESSAGES}/{message['id']}"), guarantee="MSG-12")
    check(stored.get("body") == f"Hi {first}, code Z9",
          f"GET {MESSAGES}/{{id}} of a template send: body {stored.get('body')!r}, expected the rendered text "
          f"{f'Hi {first}, code Z9'!r}", guarantee="MSG-12")


@pytest.mark.guarantee("MSG-13")
def test_a_message_can_be_scheduled(owner: Actor, factory: DataFactory, sending: str) -> None:
    response = owner.api.post(SCHEDULE, json=_text(sending, factory, scheduledAt=_later()))
    data = expect_ok(response, 201, guarantee="MSG-13")
    check(isinstance(data, dict) and isinstance(data.get("id"), str), f"POST {SCHEDULE}: no message id",
          guarantee="MSG-13")


def _usage(owner: Actor, guarantee: str) -> dict[str, Any]:
    data = expect_ok(owner.api.get(USAGE), guarantee=guarantee)
    usage = data.get("usage") if isinstance(data, dict) else None
    check(isinstance(usage, dict), f"GET {USAGE}: no data.usage", guarantee=guarantee)
    return usage


@pytest.mark.guarantee("MSG-17")
def test_a_send_is_counted(owner: Actor, factory: DataFactory, sending: str) -> None:
    before = _usage(owner, "MSG-17")
    _sent(owner.api.post(SEND, json=_text(sending, factory)), "MSG-17")
    after = _usage(owner, "MSG-17")
    grown = {k: (before.get(k), after.get(k)) for k in ("messagesCount", "effectiveOutboundUsage")
             if not (isinstance(after.get(k), int) and isinstance(before.get(k), int) and after[k] >= before[k] + 1)}
    check(not grown, f"GET {USAGE} before and after a send: these did not grow by at least 1: {grown}",
          guarantee="MSG-17")


# -- sandbox: quota and subscription ---------------------------------------------------------------------------


@pytest.fixture
def owner_quota_used_up(owner: Actor, harness: Harness, profile: TargetProfile, sending: str) -> Iterator[None]:
    require_sandbox(profile, "using up the monthly outbound quota")
    if owner.email is None:
        not_covered("needs the owner's e-mail (the sandbox counters control names accounts by e-mail)")
    data = expect_ok(owner.api.get(USAGE), guarantee="MSG-16")
    quota = (data.get("limits") or {}).get("monthlyOutboundQuota")
    check(isinstance(quota, int), f"GET {USAGE}: no data.limits.monthlyOutboundQuota", guarantee="MSG-16")
    previous = (data.get("usage") or {}).get("messagesCount", 0)
    set_counters(harness, owner.email, messages=quota)
    try:
        yield
    finally:
        current = _usage(owner, "MSG-16").get("messagesCount", quota)
        set_counters(harness, owner.email, messages=max(0, previous + (current - quota)))


@pytest.mark.guarantee("MSG-16")
def test_an_exhausted_outbound_quota_refuses_sends(owner: Actor, factory: DataFactory, sending: str,
                                                   owner_quota_used_up: None) -> None:
    response = owner.api.post(SEND, json=_text(sending, factory))
    expect_error(response, 429, "MONTHLY_OUTBOUND_QUOTA_EXCEEDED", guarantee="MSG-16")


@pytest.fixture
def outsider_past_due(outsider: Actor, harness: Harness, profile: TargetProfile) -> Iterator[str]:
    """Sandbox: the outsider's subscription past due for the check (yields its connected instance)."""
    require_sandbox(profile, "making a subscription unusable")
    require_send(profile, "a send the gate fails to refuse")
    if outsider.email is None:
        not_covered("needs the outsider's e-mail (the sandbox control names accounts by e-mail)")
    instance = connected_instance(outsider.api)["id"]
    subscription = (json_body(outsider.api.get("/api/v1/billing/subscription")) or {}).get("data", {})
    previous = (subscription.get("subscription") or {}).get("status") or "active"
    subscription_status(harness, outsider.email, "past_due")
    try:
        yield instance
    finally:
        subscription_status(harness, outsider.email, previous)


@pytest.mark.guarantee("AUTH-08")
def test_an_inactive_subscription_refuses_sends(outsider: Actor, factory: DataFactory,
                                                outsider_past_due: str) -> None:
    response = outsider.api.post(SEND, json=_text(outsider_past_due, factory))
    expect_error(response, 403, "SUBSCRIPTION_INACTIVE", guarantee="AUTH-08")


# -- the recipient -----------------------------------------------------------------------------------------------


@pytest.mark.guarantee("ERR-06")
@pytest.mark.parametrize("to", ["not-a-number", "+000000000"], ids=["letters", "country-code-0"])
def test_an_invalid_recipient_is_refused(to: str, owner: Actor, factory: DataFactory, sending: str) -> None:
    """Numbers no phone can have (letters; a country code starting with 0), sent from the real instance so
    that only the recipient can be refused."""
    response = owner.api.post(SEND, json={**_text(sending, factory), "to": to})
    expect_error(response, 422, "INVALID_DESTINATION", guarantee="ERR-06")


# -- media from the client's own host ---------------------------------------------------------------------------

OWN_MEDIA_URL = "https://example.com/mfc.png"  # a public https file the client hosts; nothing was uploaded


@pytest.mark.guarantee("MEDIA-04")
def test_media_hosted_by_the_client_is_sent_without_an_upload(owner: Actor, factory: DataFactory,
                                                              sending: str) -> None:
    body = {"instanceId": sending, "to": factory.phone(), "type": "image", "mediaUrl": OWN_MEDIA_URL}
    message = _sent(owner.api.post(SEND, json=body), "MEDIA-04")  # refused (4xx) is the violation
    check(message.get("mediaUrl") == OWN_MEDIA_URL, f"POST {SEND} with an own mediaUrl: the message keeps "
          f"mediaUrl {message.get('mediaUrl')!r}, not {OWN_MEDIA_URL!r}", guarantee="MEDIA-04")
