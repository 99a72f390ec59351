"""Keys and team context on /api/v1 (facts §1, §2.1): every row of the key × X-Team-Id table."""

from __future__ import annotations

import re
import secrets
import uuid

import pytest

from msgflash_reference.accounts import issue_key, revoke_key
from msgflash_reference.server_thread import RunningServer
from tests.reference.harness import ServerSet, anonymous, api, data, error, team_api

PERSONAL_ONLY = [
    "/api/v1/me",
    "/api/v1/usage",
    "/api/v1/billing/subscription",
    "/api/v1/billing/usage",
    "/api/v1/billing/payments",
]
WORKSPACE = [
    "/api/v1/contacts",
    "/api/v1/contacts/groups",
    "/api/v1/contacts/bulk-jobs",
    "/api/v1/messages",
    "/api/v1/instances",
]


def test_missing_invalid_and_bearer_keys_are_401_with_one_message(server: RunningServer) -> None:
    owner_key = server.seed.identities["owner"].api_key
    client = anonymous(server)
    never_issued = "msgf_live_" + secrets.token_hex(32)
    answers = [
        client.get("/api/v1/usage"),
        client.get("/api/v1/usage", headers={"x-api-key": never_issued}),
        client.get("/api/v1/usage", headers={"x-api-key": "not-a-key"}),
        client.get("/api/v1/usage", headers={"authorization": f"Bearer {owner_key}"}),
    ]
    messages = {error(r, 401, "UNAUTHORIZED")["message"] for r in answers}
    assert len(messages) == 1


def test_personal_key_opens_the_personal_workspace(server: RunningServer) -> None:
    me = data(api(server, "owner").get("/api/v1/me"))
    assert me["id"] == server.seed.identities["owner"].user_id
    assert me["plan"] == {"code": "pro", "name": "Pro"}
    assert me["email"] == server.seed.identities["owner"].email


@pytest.mark.parametrize("path", WORKSPACE)
def test_personal_key_with_team_header_on_workspace_route_is_team_key_required(
    server: RunningServer, path: str
) -> None:
    for team_id in (server.seed.team_id, str(uuid.uuid4()), "junk", ""):
        error(api(server, "owner", **{"x-team-id": team_id}).get(path), 403, "TEAM_KEY_REQUIRED")


@pytest.mark.parametrize("path", PERSONAL_ONLY)
def test_personal_key_with_team_header_on_personal_route_serves_personal_data(server: RunningServer, path: str) -> None:
    plain = data(api(server, "owner").get(path))
    with_header = data(api(server, "owner", **{"x-team-id": server.seed.team_id}).get(path))
    if path == "/api/v1/me":
        assert with_header == plain


@pytest.mark.parametrize("path", [*WORKSPACE, *PERSONAL_ONLY, "/api/v1/billing/plans"])
def test_team_key_without_or_with_foreign_team_header_is_401_like_an_invalid_key(
    server: RunningServer, path: str
) -> None:
    invalid = error(anonymous(server).get(path, headers={"x-api-key": "msgf_team_" + "0" * 64}), 401, "UNAUTHORIZED")
    key = {"x-api-key": server.seed.team_api_key}
    for headers in (
        {},
        {"x-team-id": server.seed.other_team_id},
        {"x-team-id": str(uuid.uuid4())},
        {"x-team-id": "junk"},
        {"x-team-id": ""},
    ):
        refused = error(anonymous(server).get(path, headers={**key, **headers}), 401, "UNAUTHORIZED")
        assert refused["message"] == invalid["message"]


@pytest.mark.parametrize("path", PERSONAL_ONLY)
def test_team_key_on_personal_only_routes_is_team_key_not_allowed(server: RunningServer, path: str) -> None:
    error(team_api(server).get(path), 403, "TEAM_KEY_NOT_ALLOWED")


def test_team_key_reads_plans_and_its_team_workspace(server: RunningServer) -> None:
    plans = data(team_api(server).get("/api/v1/billing/plans"))
    assert [p["code"] for p in plans] == ["free", "starter", "pro", "plus"]
    team_instances = data(team_api(server).get("/api/v1/instances"))
    owner_instances = data(api(server, "owner").get("/api/v1/instances"))
    assert [i["name"] for i in team_instances] == ["Team line"]
    assert len(owner_instances) == 2
    upper = team_api(server, server.seed.team_id.upper())
    assert len(data(upper.get("/api/v1/instances"))) == 1


def test_team_and_personal_workspaces_are_separate(server: RunningServer) -> None:
    team, owner = team_api(server), api(server, "owner")
    made = data(team.post("/api/v1/contacts", json={"name": "Team only", "phone": "+33600000001"}), 201)
    assert made["id"] not in {c["id"] for c in data(owner.get("/api/v1/contacts", params={"limit": 100}))["contacts"]}
    error(owner.get(f"/api/v1/contacts/{made['id']}"), 404, "NOT_FOUND")
    assert data(team.get(f"/api/v1/contacts/{made['id']}"))["name"] == "Team only"


def test_team_traffic_counts_on_the_owner(server: RunningServer) -> None:
    owner, admin = api(server, "owner"), api(server, "admin")

    def count(client):
        return data(client.get("/api/v1/billing/usage"))["usage"]["apiRequestsCount"]

    owner_before, admin_before = count(owner), count(admin)
    for _ in range(3):
        data(team_api(server).get("/api/v1/instances"))
    assert count(owner) == owner_before + 1 + 3  # its own read + the team's 3
    assert count(admin) == admin_before + 1  # the admin created the team key but does not pay


def test_revocation_is_immediate_and_new_keys_have_the_documented_format(servers: ServerSet) -> None:
    server = servers.start()
    svc = server.services
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        personal = issue_key(
            conn,
            svc.policies.key_generator,
            user_id=server.seed.identities["owner"].user_id,
            team_id=None,
            name="t",
            now=now,
        )
        team = issue_key(
            conn,
            svc.policies.key_generator,
            user_id=server.seed.identities["owner"].user_id,
            team_id=server.seed.team_id,
            name="t",
            now=now,
        )
    assert re.fullmatch(r"msgf_live_[0-9a-f]{64}", personal.secret)
    assert re.fullmatch(r"msgf_team_[0-9a-f]{64}", team.secret)
    client = anonymous(server)
    data(client.get("/api/v1/me", headers={"x-api-key": personal.secret}))
    with svc.db.transaction() as conn:
        revoke_key(conn, personal.id, svc.clock.now())
    error(client.get("/api/v1/me", headers={"x-api-key": personal.secret}), 401, "UNAUTHORIZED")
    with svc.db.read() as conn:
        stored = conn.execute("SELECT * FROM api_keys WHERE id = ?", (personal.id,)).fetchone()
    assert personal.secret not in tuple(str(v) for v in stored)
    assert stored["key_prefix"] == personal.secret[:16]


def test_keys_of_a_deleted_team_stop_authenticating(servers: ServerSet) -> None:
    server = servers.start()
    data(team_api(server).get("/api/v1/instances"))
    svc = server.services
    with svc.db.transaction() as conn:
        conn.execute("UPDATE teams SET deleted_at = '2000-01-01T00:00:00.000Z' WHERE id = ?", (server.seed.team_id,))
    error(team_api(server).get("/api/v1/instances"), 401, "UNAUTHORIZED")
