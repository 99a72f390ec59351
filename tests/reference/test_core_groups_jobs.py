"""Contact groups, members, bulk delete and bulk jobs (facts §10, §11.8, §11.9, G6; GRP, JOB, CNT-05..08)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from msgflash_reference.server_thread import RunningServer
from tests.reference.harness import ServerSet, api, data, error, make_contacts, team_api, walk


def wait_for_job(client: httpx.Client, job_id: str, timeout: float = 10.0) -> list[dict[str, Any]]:
    """Poll progress until the job ends; every observation, in order."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = data(client.get(f"/api/v1/contacts/bulk-jobs/{job_id}/progress"))
        seen.append(job)
        if job["status"] in ("done", "failed", "cancelled"):
            return seen
        time.sleep(0.01)
    raise AssertionError(f"job {job_id} did not finish: {seen[-1]}")


def test_group_crud_and_cap_on_free(servers: ServerSet) -> None:
    server = servers.start()
    client = api(server, "outsider")  # Free: 2 groups
    made = data(client.post("/api/v1/contacts/groups", json={"name": "Clients VIP", "color": "#F59E0B"}), 201)
    assert {k: made[k] for k in ("name", "description", "color", "contactCount")} == {
        "name": "Clients VIP",
        "description": None,
        "color": "#F59E0B",
        "contactCount": 0,
    }
    data(client.post("/api/v1/contacts/groups", json={"name": "Second", "description": "the rest"}), 201)
    error(client.post("/api/v1/contacts/groups", json={"name": "Third"}), 403, "MAX_CONTACT_GROUPS_REACHED")
    updated = data(client.put(f"/api/v1/contacts/groups/{made['id']}", json={"description": "best", "color": "#fff"}))
    assert updated["description"] == "best" and updated["name"] == "Clients VIP" and updated["color"] == "#fff"
    assert data(client.delete(f"/api/v1/contacts/groups/{made['id']}")) == {"id": made["id"], "deleted": True}
    error(client.get(f"/api/v1/contacts/groups/{made['id']}"), 404, "NOT_FOUND")
    data(client.post("/api/v1/contacts/groups", json={"name": "Third"}), 201)
    for body in ({}, {"name": ""}, {"name": "x", "color": "red"}, {"name": "x", "extra": True},
                 {"name": "x", "description": None}, {"name": "x", "color": None}):
        error(client.post("/api/v1/contacts/groups", json=body), 400, "VALIDATION_ERROR")


def test_group_cap_is_counted_on_the_owner_across_workspaces(servers: ServerSet) -> None:
    server = servers.start()
    owner, team = api(server, "owner"), team_api(server)  # Pro: 50 groups in all
    for n in range(30):
        data(owner.post("/api/v1/contacts/groups", json={"name": f"P{n}"}), 201)
    for n in range(20):
        data(team.post("/api/v1/contacts/groups", json={"name": f"T{n}"}), 201)
    error(team.post("/api/v1/contacts/groups", json={"name": "T20"}), 403, "MAX_CONTACT_GROUPS_REACHED")
    error(owner.post("/api/v1/contacts/groups", json={"name": "P30"}), 403, "MAX_CONTACT_GROUPS_REACHED")
    listing, pages = walk(owner, "/api/v1/contacts/groups", "groups", limit=7)
    assert len({g["id"] for g in listing}) == 30 and pages[0]["total"] == 30 and pages[0]["limit"] == 7
    assert data(owner.get("/api/v1/contacts/groups", params={"search": "p1"}))["total"] == 11
    data(owner.put(f"/api/v1/contacts/groups/{listing[0]['id']}", json={"description": "Needle here"}))
    assert data(owner.get("/api/v1/contacts/groups", params={"search": "NEEDLE"}))["total"] == 1


def test_members_sync_counts_listing_and_contact_count(servers: ServerSet) -> None:
    server = servers.start()
    client = api(server, "owner")
    contacts = make_contacts(client, 5)
    group = data(client.post("/api/v1/contacts/groups", json={"name": "G"}), 201)
    path = f"/api/v1/contacts/groups/{group['id']}/members"
    ids = [c["id"] for c in contacts]
    first = data(client.post(path, json={"contactIds": ids[:2]}))
    assert first == {"added": 2, "alreadyInGroup": 0, "notFound": 0, "total": 2}
    foreign = data(api(server, "outsider").post("/api/v1/contacts", json={"name": "x", "phone": "+33600000009"}), 201)
    second = data(client.post(path, json={"contactIds": [*ids[1:4], str(uuid.uuid4()), foreign["id"]]}))
    assert second == {"added": 2, "alreadyInGroup": 1, "notFound": 2, "total": 5}
    assert data(client.get(f"/api/v1/contacts/groups/{group['id']}"))["contactCount"] == 4
    members, _ = walk(client, path, "members", limit=3)
    assert [m["id"] for m in members] == sorted(ids[:2]) + sorted(ids[2:4])  # time added, then id
    removed = data(client.request("DELETE", path, json={"contactIds": [ids[0], ids[4], str(uuid.uuid4())]}))
    assert removed == {"removed": 1, "notInGroup": 2}
    data(client.delete(f"/api/v1/contacts/{ids[1]}"))
    assert data(client.get(f"/api/v1/contacts/groups/{group['id']}"))["contactCount"] == 2
    error(client.post(f"/api/v1/contacts/groups/{uuid.uuid4()}/members", json={"contactIds": ids}), 404, "NOT_FOUND")
    error(api(server, "outsider").get(path), 404, "NOT_FOUND")


def test_bulk_delete_sync_below_100(servers: ServerSet) -> None:
    client = api(servers.start(), "owner")
    ids = [c["id"] for c in make_contacts(client, 99)]
    unknown = str(uuid.uuid4())
    result = data(client.post("/api/v1/contacts/bulk-delete", json={"contactIds": [*ids[:98], unknown]}))
    assert result == {"requested": 99, "deleted": 98, "notFound": [unknown]}
    assert data(client.get("/api/v1/contacts"))["total"] == 1


def test_async_add_and_delete_jobs_really_progress(servers: ServerSet) -> None:
    server = servers.start(job_batch_size=20, job_batch_delay_seconds=0.05)
    client = api(server, "owner")
    ids = [c["id"] for c in make_contacts(client, 110)]
    group = data(client.post("/api/v1/contacts/groups", json={"name": "Big"}), 201)
    accepted = data(
        client.post(f"/api/v1/contacts/groups/{group['id']}/members", json={"contactIds": [*ids, str(uuid.uuid4())]}),
        202,
    )
    assert accepted["mode"] == "async" and accepted["status"] == "pending" and accepted["progress"] == 0
    assert accepted["operation"] == "add_to_group" and accepted["groupId"] == group["id"]
    assert accepted["requestedCount"] == 111 and accepted["jobId"] in accepted["message"]
    seen = wait_for_job(client, accepted["jobId"])
    progress = [j["progress"] for j in seen]
    assert progress == sorted(progress) and len(set(progress)) > 2, progress
    done = seen[-1]
    assert done["status"] == "done" and done["progress"] == 100 and done["processedCount"] == 111
    assert done["summary"] == {"added": 110, "alreadyInGroup": 0, "notFound": 1} and done["completedAt"]
    assert data(client.get(f"/api/v1/contacts/groups/{group['id']}"))["contactCount"] == 110

    removal = data(
        client.request("DELETE", f"/api/v1/contacts/groups/{group['id']}/members", json={"contactIds": ids[:100]}), 202
    )
    assert removal["operation"] == "remove_from_group"
    assert wait_for_job(client, removal["jobId"])[-1]["summary"] == {"removed": 100, "notInGroup": 0}

    deletion = data(client.post("/api/v1/contacts/bulk-delete", json={"contactIds": ids[:100]}), 202)
    assert deletion["operation"] == "bulk_delete_contacts" and "groupId" not in deletion
    assert wait_for_job(client, deletion["jobId"])[-1]["summary"] == {"deleted": 100, "notFound": 0}
    assert data(client.get("/api/v1/contacts"))["total"] == 10

    job = data(client.get(f"/api/v1/contacts/bulk-jobs/{deletion['jobId']}"))
    assert set(job) == {
        "id",
        "operation",
        "status",
        "requestedCount",
        "processedCount",
        "progress",
        "groupId",
        "summary",
        "error",
        "createdAt",
        "updatedAt",
        "completedAt",
    }
    error(client.post(f"/api/v1/contacts/bulk-jobs/{deletion['jobId']}/cancel"), 400, "BAD_REQUEST")
    error(api(server, "outsider").get(f"/api/v1/contacts/bulk-jobs/{deletion['jobId']}"), 404, "NOT_FOUND")


def test_cancel_stops_a_running_job(servers: ServerSet) -> None:
    server = servers.start(job_batch_size=10, job_batch_delay_seconds=0.2)
    client = api(server, "owner")
    ids = [str(uuid.uuid4()) for _ in range(500)]
    job_id = data(client.post("/api/v1/contacts/bulk-delete", json={"contactIds": ids}), 202)["jobId"]
    time.sleep(0.05)
    cancelled = data(client.post(f"/api/v1/contacts/bulk-jobs/{job_id}/cancel"))
    assert cancelled["status"] == "cancelled" and cancelled["completedAt"] and cancelled["processedCount"] < 500
    time.sleep(0.3)
    assert data(client.get(f"/api/v1/contacts/bulk-jobs/{job_id}"))["processedCount"] == cancelled["processedCount"]


def test_jobs_list_pages_newest_first(servers: ServerSet) -> None:
    server = servers.start(job_batch_size=500)
    client = api(server, "owner")
    made = []
    for _ in range(23):
        made.append(
            data(
                client.post(
                    "/api/v1/contacts/bulk-delete", json={"contactIds": [str(uuid.uuid4()) for _ in range(100)]}
                ),
                202,
            )["jobId"]
        )
    first = data(client.get("/api/v1/contacts/bulk-jobs"))
    assert len(first["jobs"]) == 20 and first["hasMore"] is True and first["nextCursor"] == first["jobs"][-1]["id"]
    jobs, _ = walk(client, "/api/v1/contacts/bulk-jobs", "jobs", limit=6)
    assert [j["id"] for j in jobs] == [
        j["id"] for j in sorted(jobs, key=lambda j: (j["createdAt"], j["id"]), reverse=True)
    ]
    assert {j["id"] for j in jobs} == set(made)
    assert data(api(server, "outsider").get("/api/v1/contacts/bulk-jobs"))["jobs"] == []


def test_messages_filters_and_instances(server: RunningServer) -> None:
    client = api(server, "owner")
    everything, _ = walk(client, "/api/v1/messages", "messages", limit=2)
    assert len(everything) == 6
    keys = [(m["createdAt"], m["id"]) for m in everything]
    assert keys == sorted(keys, reverse=True)
    delivered = data(client.get("/api/v1/messages", params={"status": "delivered"}))["messages"]
    assert len(delivered) == 2 and {m["status"] for m in delivered} == {"delivered"}
    instances = data(client.get("/api/v1/instances"))
    first = instances[0]["id"]
    on_first = data(client.get("/api/v1/messages", params={"instanceId": first}))["messages"]
    assert len(on_first) == 3 and {m["instanceId"] for m in on_first} == {first}
    message = data(client.get(f"/api/v1/messages/{on_first[0]['id']}"))
    assert message["direction"] == "outbound" and message["userId"] == server.seed.identities["owner"].user_id
    error(api(server, "outsider").get(f"/api/v1/messages/{message['id']}"), 404, "NOT_FOUND")
    assert data(client.get(f"/api/v1/instances/{first}")) == instances[0]
    assert data(client.get(f"/api/v1/instances/{first}/state")) == {
        "instanceId": first,
        "status": "connected",
        "providerState": "open",
    }
    health = data(client.get(f"/api/v1/instances/{first}/health"))
    assert 0 <= health["healthScore"] <= 100 and health["riskLevel"] in ("low", "medium", "high")
    error(api(server, "outsider").get(f"/api/v1/instances/{first}/state"), 404, "NOT_FOUND")
