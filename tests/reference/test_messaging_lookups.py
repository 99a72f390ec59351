"""Number lookups (facts §10, §11.13, G9; LKP-01..09): sync and async modes, progress, cancel, import.
Simulated rule: a valid number is on WhatsApp unless its last digit is 0."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from msgflash_reference.clock import iso
from msgflash_reference.server_thread import RunningServer
from tests.reference.harness import ServerSet, anonymous, api, core_config, data, error, team_api, walk
from tests.reference.messaging_support import message_status, owner_instance, wait_for

PATH = "/api/v1/number-lookups"
PROGRESS_FIELDS = {
    "id",
    "status",
    "progress",
    "requestedCount",
    "normalizedCount",
    "checkedCount",
    "onWhatsAppCount",
    "notOnWhatsAppCount",
    "invalidCount",
    "error",
    "createdAt",
    "updatedAt",
    "completedAt",
}


def numbers(count: int, start: int = 0) -> list[str]:
    return [f"+336{n:08d}" for n in range(start, start + count)]


def client_for(server: RunningServer, key: str) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, headers={"x-api-key": key}, timeout=10)


def progress(client: httpx.Client, lookup_id: str) -> dict[str, Any]:
    return data(client.get(f"{PATH}/{lookup_id}/progress"))


def test_sync_lookup(servers: ServerSet) -> None:
    server = servers.start()
    client, inst = api(server, "owner"), owner_instance(server)
    done = data(client.post(PATH, json={"instanceId": inst, "numbers": ["+229 12 34 56 78", "+22912345670"]}))
    assert done == {
        "mode": "sync",
        "lookupId": done["lookupId"],
        "status": "done",
        "requested": 2,
        "normalized": 2,
        "checked": 2,
        "onWhatsAppCount": 1,
        "notOnWhatsAppCount": 1,
        "invalidCount": 0,
        "result": {"onWhatsApp": ["+22912345678"], "notOnWhatsApp": ["+22912345670"], "invalid": []},
    }
    mixed = data(
        client.post(PATH, json={"instanceId": inst, "numbers": ["0612345678", "", "+33612345678", "+33612345678"]})
    )
    assert (mixed["onWhatsAppCount"], mixed["notOnWhatsAppCount"], mixed["invalidCount"]) == (2, 0, 2)
    assert mixed["result"]["invalid"] == ["0612345678", ""] and mixed["checked"] == mixed["normalized"] == 2
    assert data(client.post(PATH, json={"instanceId": inst, "numbers": numbers(99)}))["mode"] == "sync"
    got = data(client.get(f"{PATH}/{done['lookupId']}"))
    assert set(got) == PROGRESS_FIELDS | {"mode", "instanceId", "result"} and got["result"] == done["result"]
    error(client.post(f"{PATH}/{done['lookupId']}/cancel"), 400, "BAD_REQUEST")
    for body in (
        {"numbers": ["+33612345678"]},
        {"instanceId": inst, "numbers": []},
        {"instanceId": inst, "numbers": numbers(10_001)},
        {"instanceId": inst},
        {"instanceId": inst, "numbers": [33612345678]},
        {"instanceId": "Owner line 1", "numbers": ["+33612345678"]},
    ):
        error(client.post(PATH, json=body), 400, "VALIDATION_ERROR")
    for instance_id in (str(uuid.uuid4()), server.seed.instance_ids["outsider"][0]):
        error(client.post(PATH, json={"instanceId": instance_id, "numbers": ["+33612345678"]}), 404, "NOT_FOUND")
    data(anonymous(server).post(f"/__sandbox/instances/{inst}", json={"status": "disconnected"}))
    error(client.post(PATH, json={"instanceId": inst, "numbers": ["+33612345678"]}), 400, "BAD_REQUEST")


def test_async_lookup_progress_and_listing(servers: ServerSet) -> None:
    server = servers.start()
    client, inst = api(server, "owner"), owner_instance(server)
    accepted = client.post(PATH, json={"instanceId": inst, "numbers": [*numbers(99), "bad"]})
    body = data(accepted, 202)
    assert body == {
        "mode": "async",
        "lookupId": body["lookupId"],
        "status": "pending",
        "requested": 100,
        "message": "Lookup in progress. Check status later.",
    }
    seen = [progress(client, body["lookupId"])]
    final = wait_for(lambda: progress(client, body["lookupId"]), lambda p: seen.append(p) or p["status"] == "done")
    assert set(final) == PROGRESS_FIELDS and final["progress"] == 100 and final["completedAt"]
    assert [p["progress"] for p in seen] == sorted(p["progress"] for p in seen)
    assert final["onWhatsAppCount"] + final["notOnWhatsAppCount"] == final["checkedCount"] == 99
    assert (final["onWhatsAppCount"], final["notOnWhatsAppCount"], final["invalidCount"]) == (89, 10, 1)
    assert data(client.get(f"{PATH}/{body['lookupId']}"))["result"]["invalid"] == ["bad"]
    data(client.post(PATH, json={"instanceId": inst, "numbers": numbers(3)}))
    items, pages = walk(client, PATH, "lookups", limit=1)
    assert len(items) == 2 and items[1]["id"] == body["lookupId"] and len(pages) == 2
    assert set(items[0]) == PROGRESS_FIELDS
    for params in ({"limit": 0}, {"limit": 101}, {"cursor": "nope"}):
        error(client.get(PATH, params=params), 400, "VALIDATION_ERROR")
    for other in (team_api(server), api(server, "outsider")):
        assert data(other.get(PATH))["lookups"] == []
        for suffix in ("", "/progress"):
            error(other.get(f"{PATH}/{body['lookupId']}{suffix}"), 404, "NOT_FOUND")
        for suffix in ("/cancel", "/import-contacts"):
            error(other.post(f"{PATH}/{body['lookupId']}{suffix}"), 404, "NOT_FOUND")
    error(client.get(f"{PATH}/{uuid.uuid4()}/progress"), 404, "NOT_FOUND")


def test_cancel_stops_an_async_lookup(servers: ServerSet) -> None:
    server = servers.start()
    client = api(server, "owner")
    body = data(client.post(PATH, json={"instanceId": owner_instance(server), "numbers": numbers(8_000)}), 202)
    cancelled = data(client.post(f"{PATH}/{body['lookupId']}/cancel"))
    assert cancelled["status"] == "cancelled" and cancelled["progress"] < 100 and cancelled["completedAt"]
    assert progress(client, body["lookupId"])["checkedCount"] == cancelled["checkedCount"]
    error(client.post(f"{PATH}/{body['lookupId']}/cancel"), 400, "BAD_REQUEST")
    error(client.post(f"{PATH}/{body['lookupId']}/import-contacts", json={"tag": "x"}), 400, "BAD_REQUEST")
    assert "result" not in data(client.get(f"{PATH}/{body['lookupId']}"))


def test_import_turns_only_whatsapp_numbers_into_contacts(servers: ServerSet) -> None:
    server = servers.start()
    client = api(server, "owner")
    known = data(client.post("/api/v1/contacts", json={"name": "Known", "phone": "+33612345671", "tags": ["old"]}), 201)
    lookup = data(
        client.post(
            PATH,
            json={
                "instanceId": owner_instance(server),
                "numbers": ["+33612345671", "+33612345672", "+33612345672", "+33612345670", "nope"],
            },
        )
    )
    summary = data(client.post(f"{PATH}/{lookup['lookupId']}/import-contacts", json={"tag": "verified-whatsapp"}))
    assert (summary["imported"], summary["alreadyExisting"], summary["tag"]) == (1, 1, "verified-whatsapp")
    contacts = data(client.get("/api/v1/contacts", params={"limit": 100}))["contacts"]
    phones = {c["phone"]: c for c in contacts}
    assert set(phones) == {"+33612345671", "+33612345672"}
    assert phones["+33612345672"]["tags"] == ["verified-whatsapp"]
    assert phones["+33612345671"]["id"] == known["id"] and phones["+33612345671"]["tags"] == [
        "old",
        "verified-whatsapp",
    ]
    again = data(client.post(f"{PATH}/{lookup['lookupId']}/import-contacts"))
    assert (again["imported"], again["alreadyExisting"], again["tag"]) == (0, 2, None)


def test_open_lookups_and_scheduled_messages_survive_a_restart(tmp_path: Path) -> None:
    db_path = tmp_path / "restart.sqlite"
    first = RunningServer(core_config(db_path), seed=True).start()
    client = api(first, "owner")
    lookup = data(client.post(PATH, json={"instanceId": owner_instance(first), "numbers": numbers(1_000)}), 202)
    soon = iso(first.services.clock.now() + timedelta(milliseconds=300))
    body = {
        "instanceId": owner_instance(first),
        "to": "+22912345678",
        "type": "text",
        "text": "later",
        "scheduledAt": soon,
    }
    scheduled = data(client.post("/api/v1/messages/schedule", json=body), 201)
    key = first.seed.identities["owner"].api_key
    first.stop()

    second = RunningServer(core_config(db_path), seed=False).start()
    try:
        again = client_for(second, key)
        assert progress(again, lookup["lookupId"])["status"] in ("pending", "processing")
        wait_for(lambda: progress(again, lookup["lookupId"])["status"], lambda s: s == "done", timeout=20)
        wait_for(lambda: message_status(again, scheduled["id"]), lambda s: s == "delivered")
    finally:
        second.stop()
