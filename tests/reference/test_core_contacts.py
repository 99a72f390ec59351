"""Contacts and cursor pagination (facts §9, §11.7, PAGE-01..09, CNT-01..09)."""

from __future__ import annotations

import base64
import uuid

import pytest

from msgflash_reference.server_thread import RunningServer
from tests.reference.harness import ServerSet, api, data, error, make_contacts, walk


@pytest.fixture(scope="module")
def filled(servers: ServerSet) -> RunningServer:
    """A server whose owner has 130 contacts; the 30 "beta" ones share one createdAt (ties broken by id)."""
    server = servers.start()
    client = api(server, "owner")
    make_contacts(client, 100, "Alpha")
    beta = make_contacts(client, 30, "beta")
    with server.services.db.transaction() as conn:
        conn.executemany(
            "UPDATE contacts SET created_at = ? WHERE id = ?", [(beta[0]["createdAt"], c["id"]) for c in beta]
        )
    return server


def test_default_page_and_total(filled: RunningServer) -> None:
    page = data(api(filled, "owner").get("/api/v1/contacts"))
    assert len(page["contacts"]) == 50 and page["limit"] == 50 and page["sort"] == "createdAt_desc"
    assert page["hasMore"] is True and isinstance(page["nextCursor"], str) and page["total"] == 130
    assert "meta" not in page["contacts"][0]


def test_limit_100(filled: RunningServer) -> None:
    assert len(data(api(filled, "owner").get("/api/v1/contacts", params={"limit": 100}))["contacts"]) == 100


@pytest.mark.parametrize("limit", [1, 7, 13, 50, 65, 100])
@pytest.mark.parametrize("sort", ["createdAt_desc", "name_asc"])
def test_walking_the_cursor_visits_every_contact_once_in_order(filled: RunningServer, limit: int, sort: str) -> None:
    items, pages = walk(api(filled, "owner"), "/api/v1/contacts", "contacts", limit=limit, sort=sort)
    ids = [c["id"] for c in items]
    assert len(ids) == len(set(ids)) == 130
    if sort == "createdAt_desc":
        keys = [(c["createdAt"], c["id"]) for c in items]
        assert keys == sorted(keys, reverse=True)
    else:
        keys = [(c["name"], c["id"]) for c in items]
        assert keys == sorted(keys)
        assert all(p["sort"] == "name_asc" for p in pages)
    assert all(p["total"] == 130 for p in pages)


def test_cursor_encodes_the_sort_tuple(filled: RunningServer) -> None:
    page = data(api(filled, "owner").get("/api/v1/contacts", params={"limit": 3}))
    raw = page["nextCursor"]
    decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    last = page["contacts"][-1]
    assert decoded == f"{last['createdAt']}|{last['id']}"


def test_cursor_of_another_sort_is_refused_or_consistent(filled: RunningServer) -> None:
    client = api(filled, "owner")
    by_name = data(client.get("/api/v1/contacts", params={"limit": 5, "sort": "name_asc"}))["nextCursor"]
    error(client.get("/api/v1/contacts", params={"cursor": by_name}), 400, "VALIDATION_ERROR")


def test_search_is_case_insensitive_on_name_or_phone(filled: RunningServer) -> None:
    client = api(filled, "owner")
    assert data(client.get("/api/v1/contacts", params={"search": "BETA"}))["total"] == 30
    assert data(client.get("/api/v1/contacts", params={"search": "alpha 000"}))["total"] == 10
    assert data(client.get("/api/v1/contacts", params={"search": "ALPHA 000"}))["total"] == 10
    assert data(client.get("/api/v1/contacts", params={"search": "+33700000042"}))["total"] == 1
    assert data(client.get("/api/v1/contacts", params={"search": "%"}))["total"] == 0
    searched, _ = walk(client, "/api/v1/contacts", "contacts", search="beta", limit=4, sort="name_asc")
    assert len({c["id"] for c in searched}) == 30


def test_create_get_update_delete(servers: ServerSet) -> None:
    client = api(servers.start(), "owner")
    made = data(
        client.post(
            "/api/v1/contacts", json={"name": " Ana ", "phone": "+33612345000", "tags": ["a", "b"], "meta": {"k": 1}}
        ),
        201,
    )
    assert made["name"] == "Ana" and made["tags"] == ["a", "b"] and made["meta"] == {"k": 1}
    assert made["temperature"] is None and made["createdAt"].endswith("Z")
    cid = made["id"]
    assert data(client.get(f"/api/v1/contacts/{cid}")) == made
    renamed = data(client.put(f"/api/v1/contacts/{cid}", json={"name": "Ana B"}))
    assert renamed["tags"] == ["a", "b"] and renamed["meta"] == {"k": 1} and renamed["phone"] == "+33612345000"
    replaced = data(client.put(f"/api/v1/contacts/{cid}", json={"tags": ["c"], "meta": {"z": 2}}))
    assert replaced["tags"] == ["c"] and replaced["meta"] == {"z": 2} and replaced["name"] == "Ana B"
    assert data(client.delete(f"/api/v1/contacts/{cid}")) == {"id": cid, "deleted": True}
    error(client.get(f"/api/v1/contacts/{cid}"), 404, "NOT_FOUND")
    error(client.delete(f"/api/v1/contacts/{cid}"), 404, "NOT_FOUND")
    error(client.put(f"/api/v1/contacts/{uuid.uuid4()}", json={"name": "x"}), 404, "NOT_FOUND")
    for body in ({"phone": "+33612345000"}, {"name": "x"}, {"name": "x", "phone": "+33612345001", "meta": None}):
        error(client.post("/api/v1/contacts", json=body), 400, "VALIDATION_ERROR")
    kept = data(client.post("/api/v1/contacts", json={"name": "Kept", "phone": "+33612345002"}), 201)
    for body in ({"meta": None}, {"name": None}, {"tags": None}):  # the spec types them; null is no value
        error(client.put(f"/api/v1/contacts/{kept['id']}", json=body), 400, "VALIDATION_ERROR")


def test_another_workspaces_contact_is_404(filled: RunningServer) -> None:
    theirs = data(api(filled, "owner").get("/api/v1/contacts", params={"limit": 1}))["contacts"][0]["id"]
    outsider = api(filled, "outsider")
    error(outsider.get(f"/api/v1/contacts/{theirs}"), 404, "NOT_FOUND")
    error(outsider.put(f"/api/v1/contacts/{theirs}", json={"name": "x"}), 404, "NOT_FOUND")
    error(outsider.delete(f"/api/v1/contacts/{theirs}"), 404, "NOT_FOUND")
    assert data(outsider.post("/api/v1/contacts/bulk-delete", json={"contactIds": [theirs]}))["notFound"] == [theirs]
    data(api(filled, "owner").get(f"/api/v1/contacts/{theirs}"))
