"""Campaigns (facts §11.6; CMP-01..15, PLAN-10, TEAM-12, ERR-03): create rules, plan gate, the simulated run,
pause / resume, safety."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from msgflash_reference.clock import iso
from msgflash_reference.server_thread import RunningServer
from tests.reference.harness import ServerSet, anonymous, api, data, error, team_api
from tests.reference.messaging_support import owner_instance, put_on_plan, wait_for

STATS = {
    "planned",
    "queued",
    "sent",
    "delivered",
    "read",
    "failed",
    "cancelled",
    "processingStartedAt",
    "lastEnqueuedAt",
    "completedAt",
    "cancelledAt",
}
PAST = "2020-01-01T00:00:00.000Z"


def campaign(server: RunningServer, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "instanceId": owner_instance(server),
        "name": "Spring sale",
        "schedule": iso(server.services.clock.now() + timedelta(days=3)),
        "recipients": {"type": "all"},
        "type": "text",
        "body": "Hello",
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def test_create_rules(servers: ServerSet) -> None:
    server = servers.start()
    client = api(server, "owner")
    made = data(client.post("/api/v1/campaigns", json=campaign(server)), 201)
    assert made["status"] == "scheduled" and set(made["stats"]) == STATS and made["stats"]["planned"] == 0
    assert made["safety"]["decision"] == "allow" and made["recipients"] == {"type": "all"} and made["repeat"] is None
    assert data(client.get(f"/api/v1/campaigns/{made['id']}")) == made
    template = data(
        client.post("/api/v1/templates", json={"name": "t", "type": "text", "body": "Hi {{contact.firstName}}"}), 201
    )
    group = data(client.post("/api/v1/contacts/groups", json={"name": "g"}), 201)
    for fields in (
        {"templateId": template["id"]},  # and type: both modes
        {"type": None, "body": None},  # empty campaign
        {"body": None},
        {"type": "image", "body": None},
        {"type": "location"},
        {"type": "contact"},
        {
            "type": "buttons",
            "title": "t",
            "description": "d",
            "buttons": [{"type": "reply", "displayText": "a", "id": "1"}] * 3,
        },
        {"recipients": {"type": "tags", "value": []}},
        {"recipients": {"type": "explicit", "value": []}},
        {"recipients": {"type": "explicit", "value": ["not-a-uuid"]}},
        {"recipients": {"type": "group"}},
        {"recipients": {"type": "everyone"}},
        {"repeat": "monthly"},
        {"schedule": "next week"},
        {"name": ""},
        {"instanceId": "Owner line 1"},
        {"extra": True},
    ):
        error(client.post("/api/v1/campaigns", json=campaign(server, **fields)), 400, "VALIDATION_ERROR")
    for repeat in ("none", "noe", "daily", "weekly"):
        assert data(client.post("/api/v1/campaigns", json=campaign(server, repeat=repeat)), 201)["repeat"] == repeat
    templated = campaign(server, type=None, body=None, templateId=template["id"], variables={"promo": "P"})
    assert data(client.post("/api/v1/campaigns", json=templated), 201)["templateId"] == template["id"]
    grouped = campaign(server, recipients={"type": "group", "groupId": group["id"]})
    assert data(client.post("/api/v1/campaigns", json=grouped), 201)["recipients"]["groupId"] == group["id"]
    random_id = str(uuid.uuid4())
    for fields in (
        {"instanceId": random_id},
        {"instanceId": server.seed.instance_ids["outsider"][0]},
        {"type": None, "body": None, "templateId": random_id},
        {"recipients": {"type": "group", "groupId": random_id}},
    ):
        error(client.post("/api/v1/campaigns", json=campaign(server, **fields)), 404, "NOT_FOUND")
    for path in (f"/api/v1/campaigns/{random_id}", f"/api/v1/campaigns/{made['id']}"):
        error(api(server, "outsider").get(path), 404, "NOT_FOUND")
        error(api(server, "outsider").post(path + "/pause"), 404, "NOT_FOUND")
        error(api(server, "outsider").post(path + "/resume"), 404, "NOT_FOUND")
    error(client.get("/api/v1/campaigns/123"), 400, "VALIDATION_ERROR")


def test_plan_gate_follows_the_paying_owner(servers: ServerSet) -> None:
    server = servers.start()
    outsider = api(server, "outsider")
    free_body = campaign(server, instanceId=server.seed.instance_ids["outsider"][0])
    error(outsider.post("/api/v1/campaigns", json=free_body), 403, "CAMPAIGNS_NOT_AVAILABLE_ON_PLAN")
    put_on_plan(server, "outsider", "starter")
    data(outsider.post("/api/v1/campaigns", json=free_body), 201)
    team_body = campaign(server, instanceId=server.seed.instance_ids["team"][0])
    data(team_api(server).post("/api/v1/campaigns", json=team_body), 201)  # the key's creator is on Free
    put_on_plan(server, "owner", "free")
    error(team_api(server).post("/api/v1/campaigns", json=team_body), 403, "CAMPAIGNS_NOT_AVAILABLE_ON_PLAN")


def test_run_pause_resume(servers: ServerSet) -> None:
    server = servers.start()
    client = api(server, "owner")
    contacts = [
        data(
            client.post(
                "/api/v1/contacts", json={"name": f"C{n}", "phone": f"+3361000100{n}", "tags": ["vip"] if n < 3 else []}
            ),
            201,
        )
        for n in range(5)
    ]
    once = data(
        client.post(
            "/api/v1/campaigns", json=campaign(server, schedule=PAST, recipients={"type": "tags", "value": ["vip"]})
        ),
        201,
    )
    done = wait_for(
        lambda: data(client.get(f"/api/v1/campaigns/{once['id']}")),
        lambda c: c["status"] == "completed" and c["stats"]["delivered"] == 3,
    )
    assert done["stats"]["planned"] == 3 and done["stats"]["completedAt"] and done["stats"]["processingStartedAt"]
    sent = [
        m
        for m in data(client.get("/api/v1/messages", params={"limit": 100}))["messages"]
        if m["campaignId"] == once["id"]
    ]
    assert sorted(m["contactId"] for m in sent) == sorted(c["id"] for c in contacts[:3])
    error(client.post(f"/api/v1/campaigns/{once['id']}/pause"), 400, "BAD_REQUEST")
    error(client.post(f"/api/v1/campaigns/{once['id']}/resume"), 400, "BAD_REQUEST")

    daily = data(client.post("/api/v1/campaigns", json=campaign(server, schedule=PAST, repeat="daily")), 201)
    running = wait_for(
        lambda: data(client.get(f"/api/v1/campaigns/{daily['id']}")),
        lambda c: c["status"] == "running" and c["stats"]["planned"] == 5,
    )
    assert running["stats"]["processingStartedAt"] is not None
    assert data(client.post(f"/api/v1/campaigns/{daily['id']}/pause"))["status"] == "paused"
    error(client.post(f"/api/v1/campaigns/{daily['id']}/pause"), 400, "BAD_REQUEST")
    assert data(client.post(f"/api/v1/campaigns/{daily['id']}/resume"))["status"] == "running"
    error(client.post(f"/api/v1/campaigns/{daily['id']}/resume"), 400, "BAD_REQUEST")

    later = data(client.post("/api/v1/campaigns", json=campaign(server)), 201)
    assert data(client.post(f"/api/v1/campaigns/{later['id']}/pause"))["status"] == "paused"
    resumed = data(client.post(f"/api/v1/campaigns/{later['id']}/resume"))
    assert resumed["status"] == "running" and resumed["stats"]["planned"] == 0  # waits for its schedule


def test_template_campaign_renders_each_message(servers: ServerSet) -> None:
    server = servers.start()
    client = api(server, "owner")
    ada = data(client.post("/api/v1/contacts", json={"name": "Ada Lovelace", "phone": "+33612345678"}), 201)
    template = data(
        client.post(
            "/api/v1/templates",
            json={"name": "t", "type": "text", "body": "Hi {{contact.firstName}}, {{custom.promo}}"},
        ),
        201,
    )
    body = campaign(
        server,
        schedule=PAST,
        type=None,
        body=None,
        templateId=template["id"],
        variables={"promo": "-20%"},
        recipients={"type": "explicit", "value": [ada["id"], str(uuid.uuid4())]},
    )
    made = data(client.post("/api/v1/campaigns", json=body), 201)
    done = wait_for(lambda: data(client.get(f"/api/v1/campaigns/{made['id']}")), lambda c: c["status"] == "completed")
    assert done["stats"]["planned"] == 1 and done["templateVariables"] == {"promo": "-20%"}
    messages = [
        m
        for m in data(client.get("/api/v1/messages", params={"limit": 100}))["messages"]
        if m["campaignId"] == made["id"]
    ]
    assert [m["body"] for m in messages] == ["Hi Ada, -20%"]


def test_safety_warn_never_blocks(servers: ServerSet) -> None:
    server = servers.start()
    client = api(server, "owner")
    data(anonymous(server).post(f"/__sandbox/instances/{owner_instance(server)}", json={"healthScore": 30}))
    made = data(client.post("/api/v1/campaigns", json=campaign(server)), 201)
    assert made["safety"]["decision"] == "warn" and made["safety"]["riskLevel"] == "high" and made["safety"]["reasons"]
    data(client.post(f"/api/v1/campaigns/{made['id']}/pause"))
    resumed = data(client.post(f"/api/v1/campaigns/{made['id']}/resume"))
    assert resumed["status"] == "running" and resumed["safety"]["decision"] == "warn"
