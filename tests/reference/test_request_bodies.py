"""The request-body seam: the default validates against each route's declared model, and every body fault
(faults/request_bodies.py) really changes the answer on the guarantee it names — a probe sees the documented
refusal on a clean server and something else with the fault on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from msgflash_reference.bodies import DEFAULT_REQUEST_BODIES
from msgflash_reference.faults.request_bodies import FAULTS
from msgflash_reference.message_content import SendBody
from msgflash_reference.server_thread import RunningServer
from tests.reference.harness import ServerSet, api, data, server_set
from tests.reference.messaging_support import owner_instance, text_message

Probe = Callable[[RunningServer], int]
MEDIA = "https://example.com/clip.mp4"
LATER = "2031-01-01T00:00:00Z"


def _status(s: RunningServer, path: str, body: dict[str, Any]) -> int:
    return api(s, "owner").post(path, json=body).status_code


def _send_without(field: str) -> Probe:
    def probe(s: RunningServer) -> int:
        body = text_message(owner_instance(s))
        del body[field]
        return _status(s, "/api/v1/messages/send", body)

    return probe


def _send_by_name(s: RunningServer) -> int:
    owner = api(s, "owner")
    instance = next(i for i in data(owner.get("/api/v1/instances")) if i["id"] == owner_instance(s))
    return owner.post("/api/v1/messages/send", json=text_message(instance["name"])).status_code


def _campaign(s: RunningServer) -> int:
    body = {"instanceId": owner_instance(s), "name": "c", "schedule": LATER, "recipients": {"type": "all"},
            "type": "location", "body": "x", "mediaUrl": MEDIA}
    return _status(s, "/api/v1/campaigns", body)


CASES: dict[str, tuple[Probe, int]] = {  # fault -> (probe, its answer with the fault); a clean server says 400
    "send-instance-optional": (_send_without("instanceId"), 201),
    "send-to-optional": (_send_without("to"), 422),
    "send-type-free-string": (lambda s: _status(s, "/api/v1/messages/send",
                                                text_message(owner_instance(s), type="sticker")), 201),
    "instance-by-name-or-number": (_send_by_name, 201),
    "schedule-at-defaults-to-now": (lambda s: _status(s, "/api/v1/messages/schedule",
                                                      text_message(owner_instance(s))), 201),
    "status-types-from-templates": (lambda s: _status(s, "/api/v1/statuses", {
        "instanceId": owner_instance(s), "type": "video", "content": MEDIA}), 201),
    "template-types-from-messages": (lambda s: _status(s, "/api/v1/templates", {
        "name": "t", "type": "voice_note", "mediaUrl": MEDIA}), 201),
    "campaign-types-from-messages": (_campaign, 201),
    "lookup-numbers-max-100000": (lambda s: _status(s, "/api/v1/number-lookups", {
        "instanceId": owner_instance(s), "numbers": [f"+336{n:08d}" for n in range(10_001)]}), 202),
}


@pytest.fixture(scope="module")
def body_servers() -> Iterator[ServerSet]:
    yield from server_set()


@pytest.fixture(scope="module")
def clean(body_servers: ServerSet) -> RunningServer:
    return body_servers.start()


def test_the_default_is_the_declared_model() -> None:
    assert DEFAULT_REQUEST_BODIES.model(SendBody) is SendBody


def test_every_body_fault_has_a_probe() -> None:
    assert set(CASES) <= {f.name for f in FAULTS}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fault_changes_the_answer(body_servers: ServerSet, clean: RunningServer, name: str) -> None:
    probe, faulty_answer = CASES[name]
    assert probe(clean) == 400
    assert probe(body_servers.start(name)) == faulty_answer


def test_a_clean_refusal_names_the_field(clean: RunningServer) -> None:
    body = text_message(owner_instance(clean))
    del body["instanceId"]
    response: httpx.Response = api(clean, "owner").post("/api/v1/messages/send", json=body)
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["error"]["details"]] == ["instanceId"]
