"""Templates (facts §11.5, G3 G4 G7; TPL-01..09, PAGE-14): CRUD, placeholders, variables, preview, pages."""

from __future__ import annotations

import uuid

import pytest

from msgflash_reference.server_thread import RunningServer
from tests.reference.harness import ServerSet, api, data, error, team_api
from tests.reference.messaging_support import owner_instance


@pytest.fixture(scope="module")
def server(servers: ServerSet) -> RunningServer:
    return servers.start()


def test_create_get_update_delete(server: RunningServer) -> None:
    client = api(server, "owner")
    made = data(
        client.post("/api/v1/templates", json={"name": "Hi", "type": "text", "body": "Hello {{contact.firstName}}"}),
        201,
    )
    assert {k: made[k] for k in ("name", "type", "body", "mediaUrl", "variables")} == {
        "name": "Hi",
        "type": "text",
        "body": "Hello {{contact.firstName}}",
        "mediaUrl": None,
        "variables": ["contact.firstName"],
    }
    assert data(client.get(f"/api/v1/templates/{made['id']}")) == made
    updated = data(
        client.put(
            f"/api/v1/templates/{made['id']}", json={"body": "{{user.fullName}}: {{custom.code}} {{user.fullName}}"}
        )
    )
    assert updated["variables"] == ["user.fullName", "custom.code"] and updated["name"] == "Hi"
    error(client.put(f"/api/v1/templates/{made['id']}", json={"type": "image"}), 400, "VALIDATION_ERROR")
    image = data(client.put(f"/api/v1/templates/{made['id']}", json={"type": "image", "mediaUrl": "https://x.y/a.png"}))
    assert image["type"] == "image" and image["body"] == updated["body"]
    assert data(client.delete(f"/api/v1/templates/{made['id']}")) == {"id": made["id"], "deleted": True}
    error(client.get(f"/api/v1/templates/{made['id']}"), 404, "NOT_FOUND")
    error(client.delete(f"/api/v1/templates/{made['id']}"), 404, "NOT_FOUND")
    error(client.get("/api/v1/templates/not-a-uuid"), 400, "VALIDATION_ERROR")


def test_body_rules_and_placeholders(server: RunningServer) -> None:
    client = api(server, "owner")
    for body in (
        {"name": "x", "type": "text"},
        {"name": "x", "type": "text", "body": " "},
        {"name": "x", "type": "image", "body": "caption"},
        {"name": "x", "type": "voice_note", "mediaUrl": "https://x.y/a.ogg"},
        {"name": "x", "type": "buttons", "body": "b"},
        {"name": "", "type": "text", "body": "b"},
        {"type": "text", "body": "b"},
        {"name": "x", "type": "text", "body": "b", "extra": 1},
        {"name": "x", "type": "text", "body": "b", "mediaUrl": None},
    ):
        error(client.post("/api/v1/templates", json=body), 400, "VALIDATION_ERROR")
    for text in (
        "Hi {{name}}",
        "Hi {{foo.bar}}",
        "Hi {{contact.}}",
        "Hi {{}}",
        "Hi {{contact.name",
        "Hi contact.name}}",
    ):
        error(
            client.post("/api/v1/templates", json={"name": "x", "type": "text", "body": text}), 400, "TEMPLATE_INVALID"
        )
    video = data(
        client.post("/api/v1/templates", json={"name": "v", "type": "video", "mediaUrl": "https://x.y/v.mp4"}), 201
    )
    assert video["variables"] == [] and video["body"] is None
    trusted = data(
        client.post(
            "/api/v1/templates", json={"name": "t", "type": "text", "body": "{{custom.a}}", "variables": ["custom.zzz"]}
        ),
        201,
    )
    assert trusted["variables"] == ["custom.a"]
    again = data(client.put(f"/api/v1/templates/{trusted['id']}", json={"variables": ["contact.nope"]}))
    assert again["variables"] == ["custom.a"]


def test_preview_renders_without_sending(server: RunningServer) -> None:
    client = api(server, "owner")
    template = data(
        client.post(
            "/api/v1/templates",
            json={"name": "p", "type": "text", "body": "Hi {{contact.name}}, {{custom.code}} ({{instance.waNumber}})"},
        ),
        201,
    )
    contact = data(
        client.post(
            "/api/v1/contacts", json={"name": "Grace Hopper", "phone": "+33612340000", "meta": {"city": "Paris"}}
        ),
        201,
    )
    path = f"/api/v1/templates/{template['id']}/preview"
    before = len(data(client.get("/api/v1/messages", params={"limit": 100}))["messages"])
    full = data(
        client.post(
            path, json={"contactId": contact["id"], "instanceId": owner_instance(server), "variables": {"code": "X1"}}
        )
    )
    assert full == {
        "rendered": "Hi Grace Hopper, X1 (+33610000001)",
        "variables": ["contact.name", "custom.code", "instance.waNumber"],
        "missingVariables": [],
        "valid": True,
    }
    partial = data(client.post(path, json={"contactId": contact["id"]}))
    assert partial["missingVariables"] == ["custom.code", "instance.waNumber"] and partial["valid"] is False
    assert partial["rendered"] == "Hi Grace Hopper, {{custom.code}} ({{instance.waNumber}})"
    assert data(client.post(path))["missingVariables"] == partial["variables"]
    error(client.post(path, json={"contactId": str(uuid.uuid4())}), 404, "NOT_FOUND")
    error(client.post(path, json={"instanceId": "nope"}), 400, "VALIDATION_ERROR")
    error(client.post(f"/api/v1/templates/{uuid.uuid4()}/preview"), 404, "NOT_FOUND")
    meta = data(client.post("/api/v1/templates", json={"name": "m", "type": "text", "body": "{{contact.city}}"}), 201)
    assert (
        data(client.post(f"/api/v1/templates/{meta['id']}/preview", json={"contactId": contact["id"]}))["rendered"]
        == "Paris"
    )
    assert len(data(client.get("/api/v1/messages", params={"limit": 100}))["messages"]) == before


def test_pages_and_workspaces(servers: ServerSet) -> None:
    server = servers.start()
    client, team, outsider = api(server, "owner"), team_api(server), api(server, "outsider")
    made = [
        data(client.post("/api/v1/templates", json={"name": f"T{n:02d}", "type": "text", "body": "b"}), 201)
        for n in range(25)
    ]
    first = data(client.get("/api/v1/templates"))
    assert (first["total"], first["page"], first["limit"], first["totalPages"], len(first["templates"])) == (
        25,
        1,
        20,
        2,
        20,
    )
    second = data(client.get("/api/v1/templates", params={"page": 2, "limit": 20}))
    assert len(second["templates"]) == 5 and second["page"] == 2
    ids = [t["id"] for t in first["templates"] + second["templates"]]
    assert sorted(ids) == sorted(t["id"] for t in made) and ids[0] == made[-1]["id"]  # newest first, no overlap
    assert data(client.get("/api/v1/templates", params={"page": 9}))["templates"] == []
    for params in ({"page": 0}, {"limit": 0}, {"limit": 101}, {"page": "x"}):
        error(client.get("/api/v1/templates", params=params), 400, "VALIDATION_ERROR")
    assert data(team.get("/api/v1/templates"))["total"] == 0 and data(outsider.get("/api/v1/templates"))["total"] == 0
    for other in (team, outsider):
        error(other.get(f"/api/v1/templates/{made[0]['id']}"), 404, "NOT_FOUND")
        error(other.put(f"/api/v1/templates/{made[0]['id']}", json={"name": "mine"}), 404, "NOT_FOUND")
        error(other.delete(f"/api/v1/templates/{made[0]['id']}"), 404, "NOT_FOUND")
        error(other.post(f"/api/v1/templates/{made[0]['id']}/preview"), 404, "NOT_FOUND")
