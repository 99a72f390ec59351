"""`GET /api/workspace/current` and the console contacts route (G20) over HTTP: the workspace a console
request runs in, the owner's plan in a team, capabilities per role, and X-Team-Id refusals."""

from __future__ import annotations

import pytest

from tests.reference.console_support import Console, ServerPool, expect, ok, server_pool

pool = pytest.fixture(scope="module")(server_pool)


@pytest.fixture(scope="module")
def c(pool: ServerPool) -> Console:
    return Console(pool.start())


def test_personal_workspace(c: Console) -> None:
    user = c.user()
    ws = ok(c.get("/api/workspace/current", user))
    assert (ws["kind"], ws["team"], ws["plan"]["code"]) == ("personal", None, "free")
    assert ws["viewer"] == ws["owner"] and ws["viewer"]["id"] == user.id
    assert all(v for k, v in ws["capabilities"].items() if k.startswith("can"))
    assert ws["capabilities"]["isRestrictedCollaborator"] is False
    assert ws["subscription"] == {
        "plan": ws["plan"],
        "scheduledPlan": None,
        "scheduledPlanAt": None,
        "scheduledAction": None,
    }


@pytest.mark.parametrize(
    ("role", "billing", "payments", "members", "keys"),
    [
        ("owner", True, True, True, True),
        ("admin", False, False, True, True),
        ("collaborator", False, False, False, False),
    ],
)
def test_team_workspace_follows_the_role(
    c: Console, role: str, billing: bool, payments: bool, members: bool, keys: bool
) -> None:
    seed = c.server.seed
    assert seed is not None
    ws = ok(c.get("/api/workspace/current", c.seeded(role), seed.team_id))
    assert ws["kind"] == "team" and ws["team"]["id"] == seed.team_id and ws["team"]["role"] == role
    assert ws["owner"]["id"] == seed.identities["owner"].user_id and ws["plan"]["code"] == "pro"
    caps = ws["capabilities"]
    assert (caps["canMutateBilling"], caps["canViewPayments"]) == (billing, payments)
    assert (caps["canManageMembers"], caps["canManageApiKeys"]) == (members, keys)
    assert caps["isRestrictedCollaborator"] is (role == "collaborator")


@pytest.mark.parametrize("header", ["not-a-uuid", "3c9d1e2f-3333-4333-8333-333333333333"])
def test_unusable_team_header_is_404(c: Console, header: str) -> None:
    expect(c.get("/api/workspace/current", c.seeded("owner"), header), 404, "TEAM_NOT_FOUND")


def test_contacts_follow_the_workspace(c: Console) -> None:
    t = c.team(roles=("collaborator",))
    mine = ok(c.post("/api/contacts", t.owner, json={"name": "Mine", "phone": "+33600000001"}), 201)
    shared = ok(
        c.post(
            "/api/contacts",
            t.members["collaborator"],
            t,
            json={"name": "Shared", "phone": "+33600000002", "tags": ["a"]},
        ),
        201,
    )
    assert shared["tags"] == ["a"] and shared["temperature"] is None
    assert [x["id"] for x in ok(c.get("/api/contacts", t.owner, t))["contacts"]] == [shared["id"]]
    assert [x["id"] for x in ok(c.get("/api/contacts", t.owner))["contacts"]] == [mine["id"]]
    assert ok(c.get("/api/contacts", t.members["collaborator"]))["contacts"] == []


def test_contacts_page_search_and_sort(c: Console) -> None:
    user = c.user()
    for name in ("Charlie", "Alice", "Bob"):
        ok(c.post("/api/contacts", user, json={"name": name, "phone": "+33611112222"}), 201)
    first = ok(c.get("/api/contacts", user, params={"sort": "name_asc", "limit": 2}))
    assert [x["name"] for x in first["contacts"]] == ["Alice", "Bob"] and first["hasMore"] is True
    assert (first["total"], first["limit"], first["sort"]) == (3, 2, "name_asc")
    rest = ok(c.get("/api/contacts", user, params={"sort": "name_asc", "limit": 2, "cursor": first["nextCursor"]}))
    assert [x["name"] for x in rest["contacts"]] == ["Charlie"] and rest["nextCursor"] is None
    assert [x["name"] for x in ok(c.get("/api/contacts", user, params={"search": "aLI"}))["contacts"]] == ["Alice"]
    expect(c.get("/api/contacts", user, params={"limit": 101}), 400, "VALIDATION_ERROR")
    expect(c.post("/api/contacts", user, json={"name": "x", "phone": "0611"}), 400, "VALIDATION_ERROR")
