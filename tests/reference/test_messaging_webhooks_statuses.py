"""Webhooks (facts §11.10, G4 G8; WH-01..07, PLAN-08/09) and statuses (facts §11.4; STAT-01..05, PLAN-11/12)."""

from __future__ import annotations

import uuid

from msgflash_reference.quotas import set_counters
from tests.reference.harness import ServerSet, api, data, error, team_api
from tests.reference.messaging_support import owner_instance, put_on_plan, usage

EVENTS = [
    "instance.connected",
    "instance.disconnected",
    "message.sent",
    "message.delivered",
    "message.read",
    "message.failed",
    "message.received",
]


def test_webhook_create_list_delete(servers: ServerSet) -> None:
    server = servers.start()
    client = api(server, "owner")
    seeded = [w["id"] for w in data(client.get("/api/v1/webhooks"))]  # the seed's endpoint
    assert len(seeded) == 1
    made = data(
        client.post("/api/v1/webhooks", json={"url": "https://hooks.example.com/a", "events": ["message.delivered"]}),
        201,
    )
    assert set(made) == {"id", "url", "secret", "events", "active", "createdAt"}
    assert made["secret"].startswith("whsec_") and made["active"] is True and made["events"] == ["message.delivered"]
    every = data(
        client.post("/api/v1/webhooks", json={"url": "http://hooks.example.com/b", "events": EVENTS + EVENTS[:2]}), 201
    )
    assert every["events"] == EVENTS and every["secret"] != made["secret"]
    listed = data(client.get("/api/v1/webhooks"))
    assert [w["id"] for w in listed] == [*seeded, made["id"], every["id"]]
    assert all(set(w) == {"id", "url", "events", "active", "createdAt"} for w in listed)
    assert data(client.delete(f"/api/v1/webhooks/{made['id']}")) == {"id": made["id"], "deleted": True}
    error(client.delete(f"/api/v1/webhooks/{made['id']}"), 404, "NOT_FOUND")
    error(client.delete(f"/api/v1/webhooks/{uuid.uuid4()}"), 404, "NOT_FOUND")
    assert [w["id"] for w in data(client.get("/api/v1/webhooks"))] == [*seeded, every["id"]]
    for other in (team_api(server), api(server, "outsider")):
        assert data(other.get("/api/v1/webhooks")) == []
        error(other.delete(f"/api/v1/webhooks/{every['id']}"), 404, "NOT_FOUND")
    for body in (
        {"url": "https://x.y/h", "events": []},
        {"url": "https://x.y/h", "events": ["message.sent"] * 51},
        {"url": "https://x.y/h", "events": ["message.exploded"]},
        {"url": "ftp://x.y/h", "events": ["message.sent"]},
        {"url": "not a url", "events": ["message.sent"]},
        {"events": ["message.sent"]},
        {"url": "https://x.y/h", "events": ["message.sent"], "secret": "mine"},
    ):
        error(client.post("/api/v1/webhooks", json=body), 400, "VALIDATION_ERROR")


def test_webhook_plan_gate_and_cap(servers: ServerSet) -> None:
    server = servers.start()
    body = {"url": "https://hooks.example.com/x", "events": ["message.sent"]}
    outsider = api(server, "outsider")  # Free: webhooks not on the plan
    error(outsider.post("/api/v1/webhooks", json=body), 403, "WEBHOOKS_NOT_AVAILABLE_ON_PLAN")
    put_on_plan(server, "outsider", "starter")  # 3 endpoints
    made = [data(outsider.post("/api/v1/webhooks", json=body), 201) for _ in range(3)]
    error(outsider.post("/api/v1/webhooks", json=body), 403, "MAX_WEBHOOK_ENDPOINTS_REACHED")
    data(outsider.delete(f"/api/v1/webhooks/{made[0]['id']}"))
    data(outsider.post("/api/v1/webhooks", json=body), 201)
    owner, team = api(server, "owner"), team_api(server)  # Pro: 10, shared by the owner's workspaces
    for n in range(9):  # the seed's endpoint of the owner takes the tenth
        data((owner if n % 2 else team).post("/api/v1/webhooks", json=body), 201)
    error(team.post("/api/v1/webhooks", json=body), 403, "MAX_WEBHOOK_ENDPOINTS_REACHED")


def test_status_publish_counts_and_gates(servers: ServerSet) -> None:
    server = servers.start()
    svc, owner = server.services, api(server, "owner")  # Pro: statuses on the plan
    inst = owner_instance(server)
    before = usage(owner)
    published = data(
        owner.post(
            "/api/v1/statuses",
            json={"instanceId": inst, "type": "text", "content": "Open today", "backgroundColor": "#25D366"},
        ),
        201,
    )
    assert set(published) == {"instanceId", "providerMessageId"} and published["instanceId"] == inst
    assert published["providerMessageId"].startswith("wamid.")
    image = {"instanceId": inst, "type": "image", "content": "https://x.y/a.png", "caption": "New"}
    data(owner.post("/api/v1/statuses", json=image), 201)
    after = usage(owner)
    assert after["statusesCount"] == before["statusesCount"] + 2
    assert after["effectiveOutboundUsage"] == after["messagesCount"] + after["statusesCount"]
    for body in (
        {"instanceId": inst, "type": "video", "content": "x"},
        {"instanceId": inst, "type": "text"},
        {"instanceId": inst, "type": "text", "content": ""},
        {"instanceId": inst, "type": "image", "content": "not a url"},
        {"instanceId": inst, "type": "text", "content": "x", "backgroundColor": "green"},
        {"instanceId": "Owner line 1", "type": "text", "content": "x"},
    ):
        error(owner.post("/api/v1/statuses", json=body), 400, "VALIDATION_ERROR")
    error(
        owner.post("/api/v1/statuses", json={"instanceId": str(uuid.uuid4()), "type": "text", "content": "x"}),
        404,
        "NOT_FOUND",
    )
    foreign = server.seed.instance_ids["outsider"][0]
    error(
        owner.post("/api/v1/statuses", json={"instanceId": foreign, "type": "text", "content": "x"}), 404, "NOT_FOUND"
    )
    outsider = api(server, "outsider")
    free_status = {"instanceId": foreign, "type": "text", "content": "x"}
    error(outsider.post("/api/v1/statuses", json=free_status), 403, "STATUSES_NOT_AVAILABLE_ON_PLAN")
    put_on_plan(server, "outsider", "starter")
    error(outsider.post("/api/v1/statuses", json=free_status), 403, "STATUSES_NOT_AVAILABLE_ON_PLAN")
    put_on_plan(server, "outsider", "pro")
    data(outsider.post("/api/v1/statuses", json=free_status), 201)
    with svc.db.transaction() as conn:
        set_counters(conn, server.seed.identities["outsider"].user_id, svc.clock.now(), messages=24_000, statuses=1_000)
    error(outsider.post("/api/v1/statuses", json=free_status), 429, "MONTHLY_OUTBOUND_QUOTA_EXCEEDED")
    team_status = {"instanceId": server.seed.instance_ids["team"][0], "type": "text", "content": "team"}
    owner_before = usage(owner)["statusesCount"]
    data(team_api(server).post("/api/v1/statuses", json=team_status), 201)
    assert usage(owner)["statusesCount"] == owner_before + 1
