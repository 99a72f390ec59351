"""Every messaging fault really changes the answer on the guarantee it names: a probe sees the documented
behaviour on a clean server and something else with the fault switched on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from msgflash_reference.faults import all_faults
from msgflash_reference.quotas import set_counters
from msgflash_reference.server_thread import RunningServer
from tests.reference.harness import ServerSet, api, data, server_set
from tests.reference.messaging_support import owner_instance, put_on_plan, text_message

Probe = Callable[[RunningServer], Any]
HOOK = {"url": "https://hooks.example.com/x", "events": ["message.sent"]}


def send_fields(s: RunningServer) -> bool:
    sent = api(s, "owner").post("/api/v1/messages/send", json=text_message(owner_instance(s))).json()["data"]
    return {"status", "providerMessageId"} <= set(sent)


def send_to_letters(s: RunningServer) -> int:
    return api(s, "owner").post("/api/v1/messages/send", json=text_message(owner_instance(s), to="abc")).status_code


def send_at_quota(s: RunningServer) -> int:
    svc = s.services
    with svc.db.transaction() as conn:
        set_counters(conn, s.seed.identities["outsider"].user_id, svc.clock.now(), messages=20)
    body = text_message(s.seed.instance_ids["outsider"][0])
    return api(s, "outsider").post("/api/v1/messages/send", json=body).status_code


def template_variables(s: RunningServer) -> list[str]:
    body = {"name": "t", "type": "text", "body": "{{custom.a}}", "variables": ["custom.zzz"]}
    return data(api(s, "owner").post("/api/v1/templates", json=body), 201)["variables"]


def secret_listed(s: RunningServer) -> bool:
    client = api(s, "owner")
    data(client.post("/api/v1/webhooks", json=HOOK), 201)
    return any("secret" in w for w in data(client.get("/api/v1/webhooks")))


def secrets_listed_without_a_create(s: RunningServer) -> bool:
    """Only the seed's endpoint is there: its secret must not be listed either."""
    return any("secret" in w for w in data(api(s, "owner").get("/api/v1/webhooks")))


def delete_answer_has_secret(s: RunningServer) -> bool:
    client = api(s, "owner")
    made = data(client.post("/api/v1/webhooks", json=HOOK), 201)
    return made["secret"] in client.delete(f"/api/v1/webhooks/{made['id']}").text


def second_delete(s: RunningServer) -> int:
    client = api(s, "owner")
    made = data(client.post("/api/v1/webhooks", json=HOOK), 201)
    data(client.delete(f"/api/v1/webhooks/{made['id']}"))
    return client.delete(f"/api/v1/webhooks/{made['id']}").status_code


def fourth_starter_webhook(s: RunningServer) -> int:
    put_on_plan(s, "outsider", "starter")
    client = api(s, "outsider")
    for _ in range(3):
        data(client.post("/api/v1/webhooks", json=HOOK), 201)
    return client.post("/api/v1/webhooks", json=HOOK).status_code


def free_campaign(s: RunningServer) -> int:
    body = {
        "instanceId": s.seed.instance_ids["outsider"][0],
        "name": "c",
        "schedule": "2031-01-01T00:00:00Z",
        "recipients": {"type": "all"},
        "type": "text",
        "body": "x",
    }
    return api(s, "outsider").post("/api/v1/campaigns", json=body).status_code


def free_status(s: RunningServer) -> int:
    body = {"instanceId": s.seed.instance_ids["outsider"][0], "type": "text", "content": "x"}
    return api(s, "outsider").post("/api/v1/statuses", json=body).status_code


def pause_twice(s: RunningServer) -> int:
    client = api(s, "owner")
    body = {
        "instanceId": owner_instance(s),
        "name": "c",
        "schedule": "2031-01-01T00:00:00Z",
        "recipients": {"type": "all"},
        "type": "text",
        "body": "x",
    }
    made = data(client.post("/api/v1/campaigns", json=body), 201)
    data(client.post(f"/api/v1/campaigns/{made['id']}/pause"))
    return client.post(f"/api/v1/campaigns/{made['id']}/pause").status_code


def hundred_numbers(s: RunningServer) -> int:
    body = {"instanceId": owner_instance(s), "numbers": [f"+336{n:08d}" for n in range(100)]}
    return api(s, "owner").post("/api/v1/number-lookups", json=body).status_code


def imported_count(s: RunningServer) -> int:
    client = api(s, "owner")
    lookup = data(
        client.post(
            "/api/v1/number-lookups",
            json={"instanceId": owner_instance(s), "numbers": ["+33612345678", "+33612345670"]},
        )
    )
    return data(client.post(f"/api/v1/number-lookups/{lookup['lookupId']}/import-contacts"))["imported"]


def imported_with_an_invalid_entry(s: RunningServer) -> int:
    client = api(s, "owner")
    lookup = data(
        client.post("/api/v1/number-lookups", json={"instanceId": owner_instance(s), "numbers": ["+33612345679", "12"]})
    )
    return data(client.post(f"/api/v1/number-lookups/{lookup['lookupId']}/import-contacts"))["imported"]


CASES: dict[str, tuple[Probe, Any]] = {  # fault -> (probe, what a clean server answers)
    "send-missing-field": (send_fields, True),
    "invalid-destination-500": (send_to_letters, 422),
    "outbound-quota-unenforced": (send_at_quota, 429),
    "template-variables-trusted": (template_variables, ["custom.a"]),
    "webhook-secret-in-list": (secret_listed, False),
    "webhook-list-shows-older-secrets": (secrets_listed_without_a_create, False),
    "webhook-delete-echoes-secret": (delete_answer_has_secret, False),
    "webhook-delete-leaves-readable": (second_delete, 404),
    "webhooks-cap-off-by-one": (fourth_starter_webhook, 403),
    "campaign-plan-gate-off": (free_campaign, 403),
    "statuses-plan-gate-off": (free_status, 403),
    "campaign-pause-any-status": (pause_twice, 400),
    "lookup-sync-threshold-off-by-one": (hundred_numbers, 202),
    "lookup-import-all-numbers": (imported_count, 1),
    "lookup-import-invalid-entries": (imported_with_an_invalid_entry, 1),
}


@pytest.fixture(scope="module")
def fault_servers() -> Iterator[ServerSet]:
    yield from server_set()


def test_every_messaging_fault_has_a_probe() -> None:
    assert set(CASES) <= set(all_faults())


@pytest.mark.parametrize("name", sorted(CASES))
def test_fault_changes_the_answer(fault_servers: ServerSet, name: str) -> None:
    probe, clean_answer = CASES[name]
    clean, faulty = fault_servers.start(), fault_servers.start(name)
    with ThreadPoolExecutor(max_workers=2) as pool:
        on_clean, on_faulty = pool.map(probe, (clean, faulty))
    assert on_clean == clean_answer
    assert on_faulty != clean_answer
