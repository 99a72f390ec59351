"""Envelopes everywhere (facts §6, G15, G17): unknown paths, wrong methods with the right Allow, malformed JSON,
bad parameters and bad ids — never a 5xx, never a bare body."""

from __future__ import annotations

import uuid

import pytest

from msgflash_reference.server_thread import RunningServer
from tests.reference.harness import api, error

METHOD_CASES = [
    ("DELETE", "/api/v1/contacts", "GET, POST"),
    ("PATCH", "/api/v1/contacts/groups", "GET, POST"),
    ("PUT", "/api/v1/contacts/bulk-delete", "POST"),
    ("GET", "/api/v1/contacts/bulk-delete", "POST"),
    ("DELETE", "/api/v1/contacts/bulk-jobs", "GET"),
    ("PATCH", "/api/v1/contacts/{id}", "DELETE, GET, PUT"),
    ("POST", "/api/v1/contacts/groups/{id}", "DELETE, GET, PUT"),
    ("PUT", "/api/v1/contacts/groups/{id}/members", "DELETE, GET, POST"),
    ("GET", "/api/v1/contacts/bulk-jobs/{id}/cancel", "POST"),
    ("POST", "/api/v1/instances", "GET"),
    ("DELETE", "/api/v1/messages/{id}", "GET"),
    ("POST", "/api/v1/billing/subscription", "GET"),
    ("PUT", "/api/v1/billing/plans", "GET"),
    ("DELETE", "/api/v1/billing/payments", "GET"),
    ("POST", "/api/v1/me", "GET"),
    ("OPTIONS", "/api/v1/usage", "GET"),
]


@pytest.mark.parametrize(("method", "path", "allow"), METHOD_CASES)
def test_wrong_method_is_405_with_every_offered_method(
    server: RunningServer, method: str, path: str, allow: str
) -> None:
    response = api(server, "owner").request(method, path.replace("{id}", str(uuid.uuid4())))
    error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == allow


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nothing",
        "/api/v1/contacts/",
        "/api/v2/contacts",
        "/",
        "/api/v1",
        "/api/v1/billing/checkout",
        "/api/v1/contacts/groups/x/y/z",
    ],
)
def test_unknown_paths_are_404_envelopes(server: RunningServer, path: str) -> None:
    error(api(server, "owner").get(path), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    "content",
    [
        b"{",
        b"[]",
        b"null",
        b"42",
        b'"text"',
        b"",
        b"   ",
        b"\xff\xfe",
        b'{"name": "x", "phone": "+33600000000",}',
        b'{"name": "x", "phone": "+33600000000", "extra": 1}',
        b'{"name": 5, "phone": "+33600000000"}',
        b'{"name": "x", "phone": "0600000000"}',
        b'{"name": "   ", "phone": "+33600000000"}',
        b'{"name": "x", "phone": "+33600000000", "tags": "a"}',
        b'{"name": "x", "phone": "+33600000000", "meta": []}',
        b'{"name": "\\ud800", "phone": "+33600000000"}',
        b"[" * 5000 + b"]" * 5000,
    ],
)
def test_malformed_or_invalid_bodies_are_400_validation_error(server: RunningServer, content: bytes) -> None:
    response = api(server, "owner").post(
        "/api/v1/contacts", content=content, headers={"content-type": "application/json"}
    )
    if response.status_code == 201:  # a lone surrogate may be accepted as text; it must then read back
        assert api(server, "owner").get(f"/api/v1/contacts/{response.json()['data']['id']}").status_code == 200
        return
    details = error(response, 400, "VALIDATION_ERROR")["details"]
    assert isinstance(details, list) and details
    assert all(set(d) == {"field", "message"} for d in details)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/contacts", {"limit": "0"}),
        ("/api/v1/contacts", {"limit": "101"}),
        ("/api/v1/contacts", {"limit": "abc"}),
        ("/api/v1/contacts", {"limit": "-1"}),
        ("/api/v1/contacts", {"limit": "9" * 40}),
        ("/api/v1/contacts", {"sort": "foo"}),
        ("/api/v1/contacts", {"cursor": "%%%"}),
        ("/api/v1/contacts", {"cursor": "bm90IGEgY3Vyc29y"}),
        ("/api/v1/contacts", {"search": ""}),
        ("/api/v1/contacts", {"search": "x" * 101}),
        ("/api/v1/contacts/groups", {"limit": "1000"}),
        ("/api/v1/contacts/groups", {"cursor": "x"}),
        ("/api/v1/contacts/bulk-jobs", {"cursor": "not-a-uuid"}),
        ("/api/v1/contacts/bulk-jobs", {"cursor": str(uuid.uuid4())}),
        ("/api/v1/messages", {"instanceId": "inst_1"}),
        ("/api/v1/messages", {"limit": "101"}),
        ("/api/v1/billing/payments", {"page": "0"}),
        ("/api/v1/billing/payments", {"page": "x"}),
        ("/api/v1/billing/payments", {"limit": "101"}),
    ],
)
def test_bad_query_parameters_are_400_validation_error(server: RunningServer, path: str, params: dict) -> None:
    details = error(api(server, "owner").get(path, params=params), 400, "VALIDATION_ERROR")["details"]
    assert details and {d["field"] for d in details} & set(params)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/contacts/{x}",
        "/api/v1/contacts/groups/{x}",
        "/api/v1/messages/{x}",
        "/api/v1/instances/{x}",
        "/api/v1/instances/{x}/state",
        "/api/v1/instances/{x}/health",
        "/api/v1/contacts/bulk-jobs/{x}",
        "/api/v1/contacts/groups/{x}/members",
    ],
)
def test_ids_malformed_400_unknown_404(server: RunningServer, path: str) -> None:
    client = api(server, "owner")
    for bad in ("123", "inst_uuid", "' OR 1=1 --", "%00", "9" * 300):
        error(client.get(path.replace("{x}", bad)), 400, "VALIDATION_ERROR")
    error(client.get(path.replace("{x}", str(uuid.uuid4()))), 404, "NOT_FOUND")


def test_huge_page_number_is_an_empty_page_not_an_error(server: RunningServer) -> None:
    for page in ("9" * 18, "9" * 40):  # G30: no maximum (the spec sets none)
        body = api(server, "owner").get("/api/v1/billing/payments", params={"page": page}).json()
        assert body["data"]["payments"] == [] and body["data"]["total"] == 3 and body["data"]["page"] == int(page)


def test_unknown_message_status_matches_nothing(server: RunningServer) -> None:
    """G31: `status` is a string (docs and spec); a value no message has is an empty page, not an error."""
    body = api(server, "owner").get("/api/v1/messages", params={"status": "lost"}).json()
    assert body["data"] == {"messages": [], "nextCursor": None, "hasMore": False}
    # an empty value breaks the spec's minLength 1: refused (Schemathesis draws it as negative data, ENV-03)
    error(api(server, "owner").get("/api/v1/messages", params={"status": ""}), 400, "VALIDATION_ERROR")


def test_bulk_bodies_out_of_bounds_are_400(server: RunningServer) -> None:
    client = api(server, "owner")
    for ids in ([], [str(uuid.uuid4()) for _ in range(10_001)], ["nope"], [1]):
        error(client.post("/api/v1/contacts/bulk-delete", json={"contactIds": ids}), 400, "VALIDATION_ERROR")
    error(client.post("/api/v1/contacts/bulk-delete", json={}), 400, "VALIDATION_ERROR")
