"""Send and schedule (facts §11.3, §5.3; MSG-01..17, ERR-06, AUTH-08, ROLE-11, TEAM-11): body rules, template
mode, the delivery simulator, the outbound quota and its counters, team and subscription rules."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from msgflash_reference.clock import iso
from msgflash_reference.quotas import set_counters
from msgflash_reference.server_thread import RunningServer
from tests.reference.harness import ServerSet, anonymous, api, data, error, team_api
from tests.reference.messaging_support import message_status, owner_instance, text_message, usage, wait_for

MESSAGE_FIELDS = {
    "id",
    "userId",
    "instanceId",
    "contactId",
    "campaignId",
    "direction",
    "type",
    "from",
    "to",
    "body",
    "mediaUrl",
    "status",
    "error",
    "meta",
    "providerMessageId",
    "scheduledAt",
    "createdAt",
    "updatedAt",
}


@pytest.fixture(scope="module")
def server(servers: ServerSet) -> RunningServer:
    return servers.start()


def test_send_is_queued_then_sent_then_delivered(server: RunningServer) -> None:
    client = api(server, "owner")
    sent = data(client.post("/api/v1/messages/send", json=text_message(owner_instance(server))), 201)
    assert set(sent) == MESSAGE_FIELDS
    assert sent["status"] == "queued" and sent["direction"] == "outbound" and sent["body"] == "Hello"
    assert sent["from"] == "+33610000001" and sent["to"] == "+22912345678" and sent["providerMessageId"] is None
    seen = [sent["status"]]
    final = wait_for(
        lambda: data(client.get(f"/api/v1/messages/{sent['id']}")),
        lambda m: seen.append(m["status"]) or m["status"] == "delivered",
    )
    assert [s for n, s in enumerate(seen) if n == 0 or s != seen[n - 1]] in (
        ["queued", "sent", "delivered"],
        ["queued", "delivered"],
    )
    assert final["providerMessageId"].startswith("wamid.") and final["meta"]["providerResult"]["simulated"] is True
    listed = data(client.get("/api/v1/messages", params={"status": "delivered", "limit": 100}))["messages"]
    assert sent["id"] in [m["id"] for m in listed]


def test_send_body_rules(server: RunningServer) -> None:
    client = api(server, "owner")
    inst = owner_instance(server)
    base = text_message(inst)
    invalid = [
        {k: v for k, v in base.items() if k != "instanceId"},
        {k: v for k, v in base.items() if k != "to"},
        {"instanceId": inst, "to": "+22912345678", "text": "x"},
        {**base, "type": "sticker"},
        {"instanceId": inst, "to": "+22912345678", "type": "location", "latitude": 6.3},
        {**base, "type": "location", "latitude": 91, "longitude": 2},
        {
            **base,
            "type": "buttons",
            "title": "t",
            "description": "d",
            "buttons": [{"type": "reply", "displayText": "a", "id": "1"}] * 3,
        },
        {**base, "type": "buttons", "title": "t", "description": "d", "buttons": [{"type": "url", "displayText": "a"}]},
        {**base, "instanceId": "Owner line 1"},
        {**base, "instanceId": "+33610000001"},
        {**base, "templateId": str(uuid.uuid4())},
        {**base, "text": "  "},
        {**base, "type": "image"},
        {**base, "type": "contact"},
        {**base, "unknown": 1},
        {**base, "to": 22912345678},
        {**base, "mediaUrl": None},
    ]
    for body in invalid:
        error(client.post("/api/v1/messages/send", json=body), 400, "VALIDATION_ERROR")
    error(
        client.post("/api/v1/messages/send", content=b"not json", headers={"content-type": "application/json"}),
        400,
        "VALIDATION_ERROR",
    )
    for to in ("abc", "12345", "+0123456789", "", "+", "+33 6 12"):
        error(client.post("/api/v1/messages/send", json={**base, "to": to}), 422, "INVALID_DESTINATION")
    random_id = str(uuid.uuid4())
    error(client.post("/api/v1/messages/send", json={**base, "instanceId": random_id}), 404, "NOT_FOUND")
    error(client.post("/api/v1/messages/send", json={**base, "contactId": random_id}), 404, "NOT_FOUND")
    template = {"instanceId": inst, "to": "+22912345678", "templateId": random_id}
    error(client.post("/api/v1/messages/send", json=template), 404, "NOT_FOUND")
    outsider_instance = server.seed.instance_ids["outsider"][0]
    error(client.post("/api/v1/messages/send", json={**base, "instanceId": outsider_instance}), 404, "NOT_FOUND")
    error(anonymous(server).post("/api/v1/messages/send", json=base), 401, "UNAUTHORIZED")
    ok_bodies = [
        {**base, "to": "+229 12 34 56 78"},
        {**base, "type": "image", "mediaUrl": "https://example.com/a.png", "text": "caption"},
        {**base, "type": "location", "latitude": 6.37, "longitude": 2.39, "locationName": "Cotonou"},
        {
            **base,
            "type": "buttons",
            "title": "Pick",
            "description": "One of",
            "buttons": [
                {"type": "reply", "displayText": "Yes", "id": "y"},
                {"title": "url", "displayText": "Site", "url": "https://x.y"},
            ],
        },
    ]
    for body in ok_bodies:
        made = data(client.post("/api/v1/messages/send", json=body), 201)
        assert made["status"] == "queued" and made["type"] == body["type"]
    located = data(client.post("/api/v1/messages/send", json=ok_bodies[2]), 201)
    assert located["meta"]["location"] == {"latitude": 6.37, "longitude": 2.39, "name": "Cotonou", "address": None}


def test_template_mode_renders_and_stores_the_body(server: RunningServer) -> None:
    client = api(server, "owner")
    inst = owner_instance(server)
    template = data(
        client.post(
            "/api/v1/templates",
            json={
                "name": "welcome",
                "type": "text",
                "body": "Hi {{contact.firstName}}, code {{ custom.code }} via {{instance.name}} from {{user.fullName}}",
            },
        ),
        201,
    )
    contact = data(client.post("/api/v1/contacts", json={"name": "Ada Lovelace", "phone": "+33612345678"}), 201)
    send = {"instanceId": inst, "to": "+22912345678", "templateId": template["id"]}
    error(
        client.post("/api/v1/messages/send", json={**send, "variables": {"code": 7}}),
        400,
        "TEMPLATE_CONTEXT_UNAVAILABLE",
    )
    unknown = {**send, "contactId": str(uuid.uuid4()), "variables": {"code": 7}}
    error(client.post("/api/v1/messages/send", json=unknown), 400, "TEMPLATE_CONTEXT_UNAVAILABLE")
    missing = error(
        client.post("/api/v1/messages/send", json={**send, "contactId": contact["id"]}),
        400,
        "TEMPLATE_VARIABLES_MISSING",
    )
    assert "custom.code" in missing["message"]
    made = data(
        client.post("/api/v1/messages/send", json={**send, "contactId": contact["id"], "variables": {"code": 7}}), 201
    )
    expected = "Hi Ada, code 7 via Owner line 1 from Olivia Owner"
    assert made["body"] == expected and made["contactId"] == contact["id"] and made["type"] == "text"
    assert data(client.get(f"/api/v1/messages/{made['id']}"))["body"] == expected
    plain = data(
        client.post("/api/v1/templates", json={"name": "p", "type": "text", "body": "Code {{custom.code}}"}), 201
    )
    error(
        client.post(
            "/api/v1/messages/send",
            json={**send, "templateId": plain["id"], "contactId": str(uuid.uuid4()), "variables": {"code": 1}},
        ),
        404,
        "NOT_FOUND",
    )
    foreign = data(
        api(server, "outsider").post("/api/v1/templates", json={"name": "f", "type": "text", "body": "x"}), 201
    )
    error(client.post("/api/v1/messages/send", json={**send, "templateId": foreign["id"]}), 404, "NOT_FOUND")


def test_schedule_waits_for_its_time_and_checks_the_quota_again(servers: ServerSet) -> None:
    server = servers.start()
    svc, client = server.services, api(server, "outsider")  # Free: 20 outbound a month
    inst = server.seed.instance_ids["outsider"][0]
    error(client.post("/api/v1/messages/schedule", json=text_message(inst)), 400, "VALIDATION_ERROR")
    for bad in ("tomorrow", "2026-05-01T10:00:00", "2026-13-01T00:00:00Z", ""):
        error(
            client.post("/api/v1/messages/schedule", json=text_message(inst, scheduledAt=bad)), 400, "VALIDATION_ERROR"
        )
    later = iso(svc.clock.now() + timedelta(hours=2))
    first = data(client.post("/api/v1/messages/schedule", json=text_message(inst, scheduledAt=later)), 201)
    second = data(client.post("/api/v1/messages/schedule", json=text_message(inst, scheduledAt=later)), 201)
    assert first["status"] == "queued" and first["scheduledAt"] == later
    assert usage(client)["messagesCount"] == 0  # counted when it goes out
    with svc.db.transaction() as conn:
        set_counters(conn, server.seed.identities["outsider"].user_id, svc.clock.now(), messages=19)
    svc.clock.advance(timedelta(hours=2, seconds=1))
    try:
        wait_for(
            lambda: [message_status(client, m["id"]) for m in (first, second)],
            lambda s: "queued" not in s and "sent" not in s,
        )
        outcomes = sorted(data(client.get(f"/api/v1/messages/{m['id']}"))["error"] or "ok" for m in (first, second))
        assert outcomes == ["MONTHLY_OUTBOUND_QUOTA_EXCEEDED", "ok"]
        assert usage(client)["messagesCount"] == 20
    finally:
        svc.clock.reset()


def test_outbound_quota_counters_and_refusal(servers: ServerSet) -> None:
    server = servers.start()
    svc, client = server.services, api(server, "outsider")
    inst = server.seed.instance_ids["outsider"][0]
    before = usage(client)
    data(client.post("/api/v1/messages/send", json=text_message(inst)), 201)
    after = usage(client)
    assert after["messagesCount"] == before["messagesCount"] + 1
    assert after["effectiveOutboundUsage"] == before["effectiveOutboundUsage"] + 1
    with svc.db.transaction() as conn:
        set_counters(conn, server.seed.identities["outsider"].user_id, svc.clock.now(), messages=20)
    error(client.post("/api/v1/messages/send", json=text_message(inst)), 429, "MONTHLY_OUTBOUND_QUOTA_EXCEEDED")
    later = iso(svc.clock.now() + timedelta(hours=1))
    error(
        client.post("/api/v1/messages/schedule", json=text_message(inst, scheduledAt=later)),
        429,
        "MONTHLY_OUTBOUND_QUOTA_EXCEEDED",
    )
    assert usage(client)["messagesCount"] == 20


def test_team_sends_count_on_the_owner_and_collaborators_need_an_assignment(servers: ServerSet) -> None:
    server = servers.start()
    svc, team, owner = server.services, team_api(server), api(server, "owner")
    team_instance = server.seed.instance_ids["team"][0]
    before = usage(owner)["messagesCount"]
    data(team.post("/api/v1/messages/send", json=text_message(team_instance)), 201)
    assert usage(owner)["messagesCount"] == before + 1
    error(team.post("/api/v1/messages/send", json=text_message(owner_instance(server))), 404, "NOT_FOUND")
    admin = server.seed.identities["admin"].user_id  # the team key's creator acts; make them a collaborator
    with svc.db.transaction() as conn:
        conn.execute(
            "UPDATE team_members SET role = 'collaborator' WHERE team_id = ? AND user_id = ?",
            (server.seed.team_id, admin),
        )
    error(team.post("/api/v1/messages/send", json=text_message(team_instance)), 403, "INSTANCE_NOT_ASSIGNED")
    with svc.db.transaction() as conn:
        conn.execute(
            "INSERT INTO instance_assignments (team_id, instance_id, user_id, assigned_by_user_id, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (server.seed.team_id, team_instance, admin, server.seed.identities["owner"].user_id, iso(svc.clock.now())),
        )
    data(team.post("/api/v1/messages/send", json=text_message(team_instance)), 201)


def test_inactive_subscription_and_disconnected_instance(servers: ServerSet) -> None:
    server = servers.start()
    client, control = api(server, "owner"), anonymous(server)
    inst = owner_instance(server)
    data(control.post("/__sandbox/subscription-status", json={"user": "owner", "status": "past_due"}))
    error(client.post("/api/v1/messages/send", json=text_message(inst)), 403, "SUBSCRIPTION_INACTIVE")
    error(
        client.post("/api/v1/statuses", json={"instanceId": inst, "type": "text", "content": "x"}),
        403,
        "SUBSCRIPTION_INACTIVE",
    )
    data(control.post("/__sandbox/subscription-status", json={"user": "owner", "status": "active"}))
    data(control.post(f"/__sandbox/instances/{inst}", json={"status": "disconnected"}))
    made = data(client.post("/api/v1/messages/send", json=text_message(inst)), 201)
    failed = wait_for(lambda: data(client.get(f"/api/v1/messages/{made['id']}")), lambda m: m["status"] != "queued")
    assert failed["status"] == "failed" and failed["error"] == "INSTANCE_NOT_CONNECTED"
