"""Unified console API keys over HTTP (facts §1, §12 [S], decisions #1): secrets shown once, rows without
secrets, revocation at once, per-key usage, one pool per owner, team keys for owners and admins only."""

from __future__ import annotations

import re

import pytest

from tests.reference.console_support import Console, ServerPool, expect, ok, server_pool

pool = pytest.fixture(scope="module")(server_pool)
ROW_FIELDS = {"id", "name", "keyPrefix", "kind", "lastUsedAt", "revokedAt", "createdAt"}


@pytest.fixture(scope="module")
def c(pool: ServerPool) -> Console:
    return Console(pool.start())


def test_personal_key_lifecycle(c: Console) -> None:
    user = c.user("starter")
    key = ok(c.post("/api/api-keys", user, json={"name": "  ci  "}), 201)
    assert re.fullmatch(r"msgf_live_[0-9a-f]{64}", key["secret"]) and key["kind"] == "personal"
    assert key["name"] == "ci" and key["secret"].startswith(key["keyPrefix"])
    me = {"x-api-key": key["secret"]}
    assert ok(c.http.get("/api/v1/me", headers=me))["id"] == user.id
    (row,) = ok(c.get("/api/api-keys", user))
    assert set(row) == ROW_FIELDS and row["lastUsedAt"] is not None and key["secret"] not in str(row)
    assert ok(c.delete(f"/api/api-keys/{key['id']}", user)) == {"id": key["id"], "deleted": True}
    expect(c.http.get("/api/v1/me", headers=me), 401, "UNAUTHORIZED")
    (row,) = ok(c.get("/api/api-keys", user))
    assert row["revokedAt"] is not None


def test_free_plan_has_one_key(c: Console) -> None:
    user = c.user()
    ok(c.post("/api/api-keys", user, json={"name": "only"}), 201)
    expect(c.post("/api/api-keys", user, json={"name": "second"}), 403, "MAX_API_KEYS_REACHED")


def test_revoked_keys_free_their_slot(c: Console) -> None:
    user = c.user()
    key = ok(c.post("/api/api-keys", user, json={"name": "first"}), 201)
    ok(c.delete(f"/api/api-keys/{key['id']}", user))
    ok(c.post("/api/api-keys", user, json={"name": "replacement"}), 201)


def test_usage_counts_requests_per_key(c: Console) -> None:
    user = c.user("starter")
    used = ok(c.post("/api/api-keys", user, json={"name": "used"}), 201)
    idle = ok(c.post("/api/api-keys", user, json={"name": "idle"}), 201)
    for _ in range(3):
        ok(c.http.get("/api/v1/me", headers={"x-api-key": used["secret"]}))
    usage = ok(c.get("/api/api-keys/usage", user))
    counts = {k["id"]: k["requestCount"] for k in usage["apiKeys"]}
    assert counts == {used["id"]: 3, idle["id"]: 0} and usage["totalRequests"] == 3
    assert re.fullmatch(r"\d{4}-\d{2}", usage["periodKey"])
    assert ok(c.get("/api/api-keys/usage", user, params={"periodKey": "2001-01"}))["totalRequests"] == 0
    expect(c.get("/api/api-keys/usage", user, params={"periodKey": "2001-13"}), 400, "VALIDATION_ERROR")


def test_team_keys_are_the_teams(c: Console) -> None:
    t = c.team()
    key = ok(c.post("/api/api-keys", t.members["admin"], t, json={"name": "team"}), 201)
    assert re.fullmatch(r"msgf_team_[0-9a-f]{64}", key["secret"]) and key["kind"] == "team"
    assert [k["id"] for k in ok(c.get("/api/api-keys", t.owner, t))] == [key["id"]]
    assert ok(c.get("/api/api-keys", t.owner)) == [], "team keys are not personal keys"
    expect(c.delete(f"/api/api-keys/{key['id']}", t.owner), 404, "NOT_FOUND")
    expect(c.delete(f"/api/api-keys/{key['id']}", t.members["collaborator"], t), 403, "TEAM_ACCESS_DENIED")
    expect(c.get("/api/api-keys/usage", t.members["collaborator"], t), 403, "TEAM_ACCESS_DENIED")
    assert ok(c.delete(f"/api/api-keys/{key['id']}", t.members["admin"], t))["deleted"] is True


def test_requests_are_validated(c: Console) -> None:
    user = c.user()
    expect(c.post("/api/api-keys", user, json={"name": "   "}), 400, "VALIDATION_ERROR")
    expect(c.post("/api/api-keys", user, json={"name": "x", "scope": "all"}), 400, "VALIDATION_ERROR")
    expect(c.delete("/api/api-keys/not-a-uuid", user), 400, "VALIDATION_ERROR")
    expect(c.get("/api/api-keys"), 401, "UNAUTHORIZED")
