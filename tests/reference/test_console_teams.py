"""Console teams over HTTP (facts §12, §5 team caps, G21): creation rules and caps, the team object,
rename/delete, invitations (seats, duplicates, resend, revoke, accept), members and instance assignments."""

from __future__ import annotations

import pytest

from tests.reference.console_support import Console, ServerPool, expect, ok, server_pool

pool = pytest.fixture(scope="module")(server_pool)


@pytest.fixture(scope="module")
def c(pool: ServerPool) -> Console:
    return Console(pool.start())


def test_create_returns_the_full_team(c: Console) -> None:
    owner = c.user("pro")
    team = c.create_team(owner, ("first@x.test", "admin"), ("second@x.test", "collaborator"), name="Ops")
    assert team["name"] == "Ops" and team["ownerUserId"] == owner.id
    assert [(m["id"], m["role"]) for m in team["members"]] == [(owner.id, "owner")]
    assert [(i["email"], i["role"]) for i in team["pendingInvitations"]] == [
        ("first@x.test", "admin"),
        ("second@x.test", "collaborator"),
    ]
    assert team["instanceAssignments"] == []
    (listed,) = ok(c.get("/api/teams", owner))
    assert (listed["id"], listed["role"], listed["isOwner"]) == (team["id"], "owner", True)


@pytest.mark.parametrize(
    ("plan", "code"), [("free", "TEAM_FEATURE_UNAVAILABLE"), ("starter", "TEAM_FEATURE_UNAVAILABLE")]
)
def test_only_pro_and_plus_create_teams(c: Console, plan: str, code: str) -> None:
    user = c.user(plan)
    expect(
        c.post("/api/teams", user, json={"name": "T", "invites": [{"email": "a@x.test", "role": "admin"}]}), 403, code
    )


@pytest.mark.parametrize(("plan", "cap"), [("pro", 2), ("plus", 4)])
def test_owned_team_cap(c: Console, plan: str, cap: int) -> None:
    owner = c.user(plan)
    for n in range(cap):
        c.create_team(owner, (f"cap-{n}-{owner.id[:6]}@x.test", "admin"))
    body = {"name": "one more", "invites": [{"email": "late@x.test", "role": "admin"}]}
    expect(c.post("/api/teams", owner, json=body), 403, "TEAM_LIMIT_REACHED")


@pytest.mark.parametrize(
    ("invites", "status", "code"),
    [
        ([], 400, "BAD_REQUEST"),
        ([{"email": "d@x.test", "role": "admin"}, {"email": "D@x.test", "role": "collaborator"}], 400, "BAD_REQUEST"),
        ([{"email": "SELF", "role": "admin"}], 400, "BAD_REQUEST"),
        ([{"email": "o@x.test", "role": "owner"}], 400, "VALIDATION_ERROR"),
        ([{"email": f"s{n}@x.test", "role": "collaborator"} for n in range(4)], 403, "TEAM_SEAT_LIMIT_REACHED"),
    ],
    ids=["none", "duplicate", "self", "owner-role", "seats"],
)
def test_create_refusals(c: Console, invites: list, status: int, code: str) -> None:
    owner = c.user("pro")
    invites = [{**i, "email": owner.email} if i["email"] == "SELF" else i for i in invites]
    expect(c.post("/api/teams", owner, json={"name": "T", "invites": invites}), status, code)
    assert ok(c.get("/api/teams", owner)) == [], "a refused creation leaves no team behind"


def test_pending_invitations_hold_seats_until_they_lapse(c: Console) -> None:
    """G21 on Pro (4 seats): owner + 3 pending is full; a revoked or expired invitation frees its seat."""
    owner = c.user("pro")
    team = c.create_team(owner, ("p1@x.test", "admin"), ("p2@x.test", "admin"), ("p3@x.test", "admin"))
    path = f"/api/teams/{team['id']}/invitations"
    expect(c.post(path, owner, json={"email": "p4@x.test", "role": "admin"}), 403, "TEAM_SEAT_LIMIT_REACHED")
    expect(c.delete(f"{path}/{team['pendingInvitations'][0]['id']}", owner), 204)
    ok(c.post(path, owner, json={"email": "p4@x.test", "role": "admin"}), 201)
    try:
        c.clock(advanceSeconds=24 * 3600 + 1)
        owner = type(owner)(owner.id, owner.email, owner.password, c.login(owner.email, owner.password))
        ok(c.post(path, owner, json={"email": "p5@x.test", "role": "admin"}), 201)
        assert [i["email"] for i in ok(c.get(f"/api/teams/{team['id']}", owner))["pendingInvitations"]] == ["p5@x.test"]
    finally:
        c.clock(reset=True)


def test_invitation_conflicts(c: Console) -> None:
    t = c.team()
    path = f"/api/teams/{t.id}/invitations"
    expect(
        c.post(path, t.owner, json={"email": t.members["admin"].email, "role": "admin"}), 409, "INVITE_DUPLICATE_MEMBER"
    )
    ok(c.post(path, t.owner, json={"email": "twice@x.test", "role": "admin"}), 201)
    expect(c.post(path, t.members["admin"], json={"email": "TWICE@x.test", "role": "admin"}), 409, "CONFLICT")


def test_accept_rules(c: Console) -> None:
    t = c.team(roles=("admin",))
    guest = c.user(label="guest")
    invitation = ok(
        c.post(f"/api/teams/{t.id}/invitations", t.owner, json={"email": guest.email, "role": "collaborator"}), 201
    )
    token = c.latest_mail(guest.email, "team_invitation")["token"]
    accept = "/api/teams/invitations/accept"
    expect(c.post(accept, guest, json={}), 400, "VALIDATION_ERROR")
    expect(c.post(accept, guest, json={"token": token, "invitationId": invitation["id"]}), 400, "VALIDATION_ERROR")
    expect(c.post(accept, guest, json={"token": "made-up"}), 410, "INVITE_INVALID_OR_EXPIRED")
    expect(
        c.post(accept, guest, json={"invitationId": "7a1b2c3d-0000-4000-8000-000000000000"}),
        410,
        "INVITE_INVALID_OR_EXPIRED",
    )
    assert ok(c.post(accept, guest, json={"invitationId": invitation["id"]})) == {
        "teamId": t.id,
        "role": "collaborator",
    }
    expect(c.post(accept, guest, json={"token": token}), 409, "INVITE_DUPLICATE_MEMBER")
    assert ok(c.get("/api/teams/invitations/mine", guest)) == []
    expect(c.post(f"/api/teams/{t.id}/members/leave", guest), 204)
    expect(c.post(accept, guest, json={"token": token}), 410, "INVITE_INVALID_OR_EXPIRED")


def test_rename_and_delete(c: Console) -> None:
    t = c.team()
    assert (
        ok(c.call("PATCH", f"/api/teams/{t.id}", t.members["admin"], json={"name": " New name "}))["name"] == "New name"
    )
    expect(c.call("PATCH", f"/api/teams/{t.id}", t.owner, json={"name": "  "}), 400, "VALIDATION_ERROR")
    pending = ok(c.post(f"/api/teams/{t.id}/invitations", t.owner, json={"email": "gone@x.test", "role": "admin"}), 201)
    expect(c.delete(f"/api/teams/{t.id}", t.owner), 204)
    for user in (t.owner, t.members["admin"]):
        expect(c.get(f"/api/teams/{t.id}", user), 404, "TEAM_NOT_FOUND")
        assert ok(c.get("/api/teams", user)) == []
    expect(c.delete(f"/api/teams/{t.id}/invitations/{pending['id']}", t.owner), 404, "TEAM_NOT_FOUND")


def test_team_ids_in_paths(c: Console) -> None:
    user = c.user()
    expect(c.get("/api/teams/not-a-uuid", user), 400, "VALIDATION_ERROR")
    expect(c.get("/api/teams/5b0c8f1e-2222-4222-8222-222222222222", user), 404, "TEAM_NOT_FOUND")
    expect(c.get("/api/teams"), 401, "UNAUTHORIZED")


def test_members_remove_and_leave(c: Console) -> None:
    t = c.team()
    admin, collaborator = t.members["admin"], t.members["collaborator"]
    expect(c.delete(f"/api/teams/{t.id}/members/{collaborator.id}", collaborator), 403, "TEAM_ACCESS_DENIED")
    expect(c.delete(f"/api/teams/{t.id}/members/{t.owner.id}", t.owner), 403, "TEAM_ACCESS_DENIED")
    expect(c.delete(f"/api/teams/{t.id}/members/{collaborator.id}", admin), 204)
    expect(c.delete(f"/api/teams/{t.id}/members/{collaborator.id}", admin), 404, "NOT_FOUND")
    expect(c.post(f"/api/teams/{t.id}/members/leave", admin), 204)
    assert [m["role"] for m in ok(c.get(f"/api/teams/{t.id}", t.owner))["members"]] == ["owner"]


def test_instance_assignments(c: Console) -> None:
    seed = c.server.seed
    assert seed is not None
    owner, admin, collaborator = (c.seeded(n) for n in ("owner", "admin", "collaborator"))
    path = f"/api/teams/{seed.team_id}/instance-assignments"
    team_instance = seed.instance_ids["team"][0]
    body = {"instanceId": team_instance, "memberUserId": collaborator.id}
    expect(c.post(path, admin, json=body), 204)
    expect(c.post(path, admin, json=body), 204)  # idempotent
    (row,) = ok(c.get(path, collaborator))
    assert (row["instanceId"], row["userId"], row["assignedByUserId"]) == (team_instance, collaborator.id, admin.id)
    assert row["instance"]["id"] == team_instance and row["instance"]["status"] == "connected"
    personal = {"instanceId": seed.instance_ids["owner"][0], "memberUserId": collaborator.id}
    expect(c.post(path, owner, json=personal), 404, "NOT_FOUND")
    params = {"instanceId": team_instance, "memberUserId": collaborator.id}
    expect(c.delete(path, owner, params={"instanceId": team_instance}), 400, "VALIDATION_ERROR")
    expect(c.delete(path, owner, params=params), 204)
    expect(c.delete(path, owner, params=params), 404, "NOT_FOUND")
    assert ok(c.get(path, owner)) == []


def test_legacy_team_key_routes(c: Console) -> None:
    t = c.team()
    path = f"/api/teams/{t.id}/api-keys"
    key = ok(c.post(path, t.members["admin"], json={"name": "legacy"}), 201)
    assert key["secret"].startswith("msgf_team_") and len(key["secret"]) == 74
    listed = ok(c.get(path, t.owner))
    assert [k["id"] for k in listed] == [key["id"]] and "secret" not in listed[0]
    expect(c.get(path, t.members["collaborator"]), 403, "TEAM_ACCESS_DENIED")
    expect(c.delete(f"{path}/{key['id']}", t.owner), 204)
    team_call = {"x-api-key": key["secret"], "x-team-id": t.id}
    expect(c.http.get("/api/v1/billing/plans", headers=team_call), 401, "UNAUTHORIZED")
