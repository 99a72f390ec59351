"""One behaviour check per console fault: each asserts what the docs (or the reference choices) promise and
raises AssertionError when the server breaks it. `test_console_faults.py` runs every check on a clean
server (it must pass) and on a server with its fault on (it must fail).

Checks build their own users and teams, so they share a clean server; those that move the clock are
followed by a clock reset (the runner does it).
"""

from __future__ import annotations

from collections.abc import Callable

from tests.reference.console_support import Console, Team, User, error_code, expect, ok

Check = Callable[[Console], None]
MUTATIONS = (
    ("/api/billing/checkout", {"planCode": "plus"}),
    ("/api/billing/cancel", None),
    ("/api/billing/downgrade", {"plan": "starter"}),
    ("/api/billing/cancel-scheduled-change", None),
)


def relogin(c: Console, user: User) -> User:
    """A fresh JWT (after the clock moved past the old one's 12 h)."""
    return User(user.id, user.email, user.password, c.login(user.email, user.password))


# -- console sign-up and sign-in -----------------------------------------------------------------------------
def signup_then_login(c: Console) -> None:
    """AUTH-09..12: signup opens no session; login refuses unverified (403) and wrong passwords (401);
    a verified login answers data.token, a JWT."""
    answer = c.post("/api/auth/signup", json={"email": "fresh@console.test", "password": "pw-1"})
    assert ok(answer, 201) == {"success": True, "verificationRequired": True, "email": "fresh@console.test"}
    expect(
        c.post("/api/auth/login", json={"email": "fresh@console.test", "password": "pw-1"}), 403, "EMAIL_NOT_VERIFIED"
    )
    ok(c.post("/api/auth/verify-email", json={"token": c.latest_mail("fresh@console.test", "verify_email")["token"]}))
    expect(c.post("/api/auth/login", json={"email": "fresh@console.test", "password": "pw-2"}), 401, "UNAUTHORIZED")
    session = ok(c.post("/api/auth/login", json={"email": "fresh@console.test", "password": "pw-1"}))
    assert str(session.get("token", "")).count(".") == 2, session


# -- roles and billing ---------------------------------------------------------------------------------------
def billing_mutations_owner_only(c: Console) -> None:
    t = c.team()
    for role in ("admin", "collaborator"):
        for path, body in MUTATIONS:
            expect(c.post(path, t.members[role], t, json=body), 403, "BILLING_TEAM_MUTATION_FORBIDDEN")
    assert ok(c.post("/api/billing/checkout", t.owner, t, json={"planCode": "plus"}))["sessionId"]


def team_payments_owner_only(c: Console) -> None:
    t = c.team()
    page = ok(c.get("/api/billing/payments", t.owner, t))
    assert set(page) >= {"payments", "total", "page", "totalPages"}
    for role in ("admin", "collaborator"):
        expect(c.get("/api/billing/payments", t.members[role], t), 403, "BILLING_PAYMENTS_TEAM_OWNER_ONLY")


def team_billing_reads(c: Console) -> None:
    """Owner and admin read the owner's subscription and usage (Pro here, the admin being on Free);
    a collaborator gets 403 FORBIDDEN (G13)."""
    t = c.team("pro")
    for role, user in (("owner", t.owner), ("admin", t.members["admin"])):
        sub = ok(c.get("/api/billing/subscription", user, t))
        assert sub["subscription"]["plan"]["code"] == "pro", (role, sub)
        assert ok(c.get("/api/billing/usage", user, t))["plan"]["code"] == "pro", role
    for path in ("/api/billing/subscription", "/api/billing/usage"):
        expect(c.get(path, t.members["collaborator"], t), 403, "FORBIDDEN")


def team_keys_managers_only(c: Console) -> None:
    t = c.team()
    key = ok(c.post("/api/api-keys", t.members["admin"], t, json={"name": "admin key"}), 201)
    assert key["secret"].startswith("msgf_team_") and key["kind"] == "team"
    collaborator = t.members["collaborator"]
    expect(c.post("/api/api-keys", collaborator, t, json={"name": "x"}), 403, "TEAM_ACCESS_DENIED")
    expect(c.get("/api/api-keys", collaborator, t), 403, "TEAM_ACCESS_DENIED")
    expect(c.post(f"/api/teams/{t.id}/api-keys", collaborator, json={"name": "x"}), 403, "TEAM_ACCESS_DENIED")


def owner_cannot_leave(c: Console) -> None:
    t = c.team()
    expect(c.post(f"/api/teams/{t.id}/members/leave", t.owner), 400, "BAD_REQUEST")
    expect(c.post(f"/api/teams/{t.id}/members/leave", t.members["admin"]), 204)
    expect(c.get(f"/api/teams/{t.id}", t.members["admin"]), 404, "TEAM_NOT_FOUND")


def owner_cannot_be_removed(c: Console) -> None:
    t = c.team()
    expect(c.delete(f"/api/teams/{t.id}/members/{t.owner.id}", t.members["admin"]), 403, "TEAM_ACCESS_DENIED")
    expect(c.delete(f"/api/teams/{t.id}/members/{t.members['collaborator'].id}", t.members["admin"]), 204)


def only_owner_deletes_team(c: Console) -> None:
    t = c.team()
    for role in ("admin", "collaborator"):
        expect(c.delete(f"/api/teams/{t.id}", t.members[role]), 403, "TEAM_ACCESS_DENIED")
    expect(c.delete(f"/api/teams/{t.id}", t.owner), 204)


def collaborator_cannot_manage_team(c: Console) -> None:
    t = c.team()
    collaborator, admin = t.members["collaborator"], t.members["admin"]
    denied = [
        c.post(f"/api/teams/{t.id}/invitations", collaborator, json={"email": "z@x.test", "role": "admin"}),
        c.delete(f"/api/teams/{t.id}/members/{admin.id}", collaborator),
        c.call("PATCH", f"/api/teams/{t.id}", collaborator, json={"name": "renamed"}),
        c.post(
            f"/api/teams/{t.id}/instance-assignments",
            collaborator,
            json={"instanceId": admin.id, "memberUserId": collaborator.id},
        ),
    ]
    for response in denied:
        expect(response, 403, "TEAM_ACCESS_DENIED")
    assert ok(c.call("PATCH", f"/api/teams/{t.id}", admin, json={"name": "by admin"}))["name"] == "by admin"


def plans_are_public(c: Console) -> None:
    plans = ok(c.get("/api/billing/plans"))
    assert [p["code"] for p in plans] == ["free", "starter", "pro", "plus"]


def cancel_at_period_end(c: Console) -> None:
    """BILL-14: paid limits until the end of the billing period, Free limits after it."""
    c.clock(now="2031-01-15T12:00:00.000Z")
    user = c.user("pro")
    sub = ok(c.post("/api/billing/cancel", user))["subscription"]
    assert sub["plan"]["code"] == "pro", sub
    assert (sub["scheduledAction"], sub["scheduledPlan"]) == ("cancel", "free"), sub
    assert sub["scheduledPlanAt"] == "2031-01-31T23:59:59.999Z", sub
    c.clock(now="2031-01-31T23:59:58.000Z")
    assert ok(c.get("/api/billing/usage", relogin(c, user)))["plan"]["code"] == "pro"
    c.clock(now="2031-02-01T00:00:01.000Z")
    user = relogin(c, user)
    after = ok(c.get("/api/billing/subscription", user))["subscription"]
    assert after["plan"]["code"] == "free" and after["plan"]["limits"]["maxApiKeys"] == 1, after
    assert (after["scheduledPlan"], after["scheduledPlanAt"], after["scheduledAction"]) == (None, None, None)


def downgrade_is_scheduled(c: Console) -> None:
    user = c.user("plus")
    sub = ok(c.post("/api/billing/downgrade", user, json={"plan": "starter"}))["subscription"]
    assert sub["plan"]["code"] == "plus", sub
    assert (sub["scheduledAction"], sub["scheduledPlan"]) == ("downgrade", "starter"), sub
    assert sub["scheduledPlanAt"] == ok(c.get("/api/billing/usage", user))["period"]["end"]


def _teams_in_order(c: Console, owner: User, invitations: list[int]) -> list[str]:
    """Teams created one second apart (so their order is certain), with that many pending invitations."""
    ids = []
    for n, count in enumerate(invitations):
        emails = [(f"seat-{n}-{k}-{owner.id[:8]}@x.test", "collaborator") for k in range(count)]
        ids.append(c.create_team(owner, *emails, name=f"T{n}")["id"])
        c.clock(advanceSeconds=1)
    return ids


def downgrade_blocked_by_exact_teams(c: Console) -> None:
    """Plus -> Pro (2 teams x 4 seats): the third team is over the cap and the one with 5 seats too big."""
    owner = c.user("plus")
    first, big, third = _teams_in_order(c, relogin(c, owner), [1, 4, 1])
    owner = relogin(c, owner)
    response = expect(c.post("/api/billing/downgrade", owner, json={"plan": "pro"}), 409)
    error = response.json()["error"]
    assert error["code"] == "PLAN_CHANGE_BLOCKED_ACTIVE_TEAMS"
    assert error["details"]["teamIds"] == [big, third], (error, first)
    assert ok(c.get("/api/billing/subscription", owner))["subscription"]["scheduledAction"] is None


def undo_clears_the_schedule(c: Console) -> None:
    c.clock(now="2031-03-10T08:00:00.000Z")
    user = c.user("pro")
    ok(c.post("/api/billing/downgrade", user, json={"plan": "starter"}))
    sub = ok(c.post("/api/billing/cancel-scheduled-change", user))["subscription"]
    assert (sub["scheduledPlan"], sub["scheduledPlanAt"], sub["scheduledAction"]) == (None, None, None), sub
    expect(c.post("/api/billing/cancel-scheduled-change", user), 400, "NO_SCHEDULED_CHANGE")
    c.clock(now="2031-04-01T00:00:01.000Z")
    assert ok(c.get("/api/billing/usage", relogin(c, user)))["plan"]["code"] == "pro"


# -- console X-Team-Id and team lifecycle --------------------------------------------------------------------
def foreign_team_header_is_404(c: Console) -> None:
    t = c.team(roles=("admin",))
    outsider = c.user()
    for team_id in (t.id, "6f1c1d1e-0000-4000-8000-000000000000"):
        expect(c.get("/api/contacts", outsider, team_id), 404, "TEAM_NOT_FOUND")
        expect(c.get("/api/workspace/current", outsider, team_id), 404, "TEAM_NOT_FOUND")
    expect(c.get(f"/api/teams/{t.id}", outsider), 404, "TEAM_NOT_FOUND")


def removed_member_loses_team(c: Console) -> None:
    t = c.team()
    expect(c.delete(f"/api/teams/{t.id}/members/{t.members['collaborator'].id}", t.owner), 204)
    expect(c.post(f"/api/teams/{t.id}/members/leave", t.members["admin"]), 204)
    for role in ("admin", "collaborator"):
        expect(c.get("/api/contacts", t.members[role], t), 404, "TEAM_NOT_FOUND")


def deleted_team_is_gone(c: Console) -> None:
    t = c.team(roles=("admin",))
    key = ok(c.post("/api/api-keys", t.members["admin"], t, json={"name": "doomed"}), 201)
    team_call = {"x-api-key": key["secret"], "x-team-id": t.id}
    assert c.http.get("/api/v1/billing/plans", headers=team_call).status_code == 200
    expect(c.delete(f"/api/teams/{t.id}", t.owner), 204)
    expect(c.get("/api/contacts", t.owner, t), 404, "TEAM_NOT_FOUND")
    expect(c.get(f"/api/teams/{t.id}", t.owner), 404, "TEAM_NOT_FOUND")
    assert error_code(c.http.get("/api/v1/billing/plans", headers=team_call)) == (401, "UNAUTHORIZED")


def auth_routes_ignore_team_header(c: Console) -> None:
    user = c.user()
    bogus = "0d4c3f0e-1111-4111-8111-111111111111"
    assert ok(c.get("/api/auth/me", user, bogus))["id"] == user.id
    login = c.post(
        "/api/auth/login", json={"email": user.email, "password": user.password}, headers={"x-team-id": bogus}
    )
    assert ok(login)["token"]


def no_header_is_personal(c: Console) -> None:
    t = c.team(roles=("admin",))
    ok(c.post("/api/contacts", t.owner, t, json={"name": "In team", "phone": "+33611111111"}), 201)
    ok(c.post("/api/contacts", t.owner, json={"name": "Personal", "phone": "+33622222222"}), 201)
    names = [x["name"] for x in ok(c.get("/api/contacts", t.owner))["contacts"]]
    assert names == ["Personal"], names
    assert ok(c.get("/api/workspace/current", t.owner))["team"] is None


def key_pool_is_shared(c: Console) -> None:
    """PLAN-05: Pro's 10 keys are one pool across the owner's personal and team keys."""
    t = c.team(roles=("admin",))
    for n in range(9):
        ok(c.post("/api/api-keys", t.owner, json={"name": f"p{n}"}), 201)
    ok(c.post("/api/api-keys", t.owner, t, json={"name": "team"}), 201)
    expect(c.post("/api/api-keys", t.owner, json={"name": "one too many"}), 403, "MAX_API_KEYS_REACHED")
    expect(c.post("/api/api-keys", t.members["admin"], t, json={"name": "x"}), 403, "MAX_API_KEYS_REACHED")


# -- invitations ---------------------------------------------------------------------------------------------
def _invite(c: Console, t: Team, email: str, role: str = "collaborator") -> dict:
    return ok(c.post(f"/api/teams/{t.id}/invitations", t.owner, json={"email": email, "role": role}), 201)


def _token(c: Console, email: str) -> str:
    return c.latest_mail(email, "team_invitation")["token"]


def invitation_expires(c: Console) -> None:
    t = c.team(roles=())
    guest = c.user(label="guest")
    _invite(c, t, guest.email)
    c.clock(advanceSeconds=24 * 3600 + 1)
    guest = relogin(c, guest)
    expect(
        c.post("/api/teams/invitations/accept", guest, json={"token": _token(c, guest.email)}),
        410,
        "INVITE_INVALID_OR_EXPIRED",
    )
    assert ok(c.get("/api/teams/invitations/mine", guest)) == []


def resend_kills_old_link(c: Console) -> None:
    t = c.team(roles=())
    guest = c.user(label="guest")
    first = _invite(c, t, guest.email)
    old = _token(c, guest.email)
    ok(c.post(f"/api/teams/{t.id}/invitations/{first['id']}/resend", t.owner))
    new = _token(c, guest.email)
    assert new != old
    expect(c.post("/api/teams/invitations/accept", guest, json={"token": old}), 410, "INVITE_INVALID_OR_EXPIRED")
    assert ok(c.post("/api/teams/invitations/accept", guest, json={"token": new}))["teamId"] == t.id


def resend_renews_expiry(c: Console) -> None:
    c.clock(now="2031-05-01T10:00:00.000Z")
    t = c.team(roles=())
    first = _invite(c, t, "renew@x.test")
    assert first["expiresAt"].startswith("2031-05-02T10:00:0"), first
    c.clock(now="2031-05-01T16:00:00.000Z")
    again = ok(c.post(f"/api/teams/{t.id}/invitations/{first['id']}/resend", relogin(c, t.owner)))
    assert again["id"] != first["id"]
    assert again["expiresAt"].startswith("2031-05-02T16:00:0"), again


def accept_by_token(c: Console) -> None:
    t = c.team(roles=())
    guest = c.user(label="guest")
    _invite(c, t, guest.email, "admin")
    accepted = ok(c.post("/api/teams/invitations/accept", guest, json={"token": _token(c, guest.email)}))
    assert accepted == {"teamId": t.id, "role": "admin"}


def accept_needs_matching_email(c: Console) -> None:
    t = c.team(roles=())
    invited, other = c.user(label="invited"), c.user(label="other")
    invitation = _invite(c, t, invited.email)
    token = _token(c, invited.email)
    expect(c.post("/api/teams/invitations/accept", other, json={"token": token}), 403, "INVITE_EMAIL_MISMATCH")
    expect(
        c.post("/api/teams/invitations/accept", other, json={"invitationId": invitation["id"]}),
        403,
        "INVITE_EMAIL_MISMATCH",
    )


def anyone_can_be_invited(c: Console) -> None:
    t = c.team(roles=())
    _invite(c, t, "no-account-yet@x.test")
    _invite(c, t, c.user(label="free").email, "admin")


def mine_lists_invitations(c: Console) -> None:
    t = c.team(roles=())
    guest = c.user(label="guest")
    invitation = _invite(c, t, guest.email, "admin")
    (item,) = ok(c.get("/api/teams/invitations/mine", guest))
    assert item.get("invitationId") == invitation["id"] and item.get("teamId") == t.id, item
    assert item["role"] == "admin" and item["teamName"] == "Team" and item["expiresAt"] == invitation["expiresAt"]


# Fault name -> the check that must fail under it (and pass on a clean server).
CHECKS: dict[str, Check] = {
    "signup-auto-signin": signup_then_login,
    "login-wrong-password-400": signup_then_login,
    "login-unverified-allowed": signup_then_login,
    "login-token-as-access-token": signup_then_login,
    "admin-can-mutate-billing": billing_mutations_owner_only,
    "billing-mutation-generic-forbidden": billing_mutations_owner_only,
    "collaborator-can-mutate-billing": billing_mutations_owner_only,
    "admin-sees-team-payments": team_payments_owner_only,
    "collaborator-sees-payments": team_payments_owner_only,
    "owner-payments-refused-in-team": team_payments_owner_only,
    "collaborator-reads-subscription": team_billing_reads,
    "admin-denied-billing-reads": team_billing_reads,
    "team-billing-shows-viewer-subscription": team_billing_reads,
    "team-billing-reads-refused": team_billing_reads,
    "collaborator-creates-team-key": team_keys_managers_only,
    "admin-cannot-create-team-key": team_keys_managers_only,
    "owner-can-leave-team": owner_cannot_leave,
    "admin-removes-owner": owner_cannot_be_removed,
    "admin-deletes-team": only_owner_deletes_team,
    "collaborator-manages-team": collaborator_cannot_manage_team,
    "billing-plans-needs-auth": plans_are_public,
    "cancel-immediate": cancel_at_period_end,
    "cancel-at-thirty-days": cancel_at_period_end,
    "downgrade-immediate": downgrade_is_scheduled,
    "downgrade-ignores-teams": downgrade_blocked_by_exact_teams,
    "blocked-downgrade-wrong-team-ids": downgrade_blocked_by_exact_teams,
    "cancel-scheduled-change-keeps-plan": undo_clears_the_schedule,
    "console-team-membership-unchecked": foreign_team_header_is_404,
    "console-bad-team-header-ignored": foreign_team_header_is_404,
    "console-unknown-team-403": foreign_team_header_is_404,
    "removed-member-keeps-team-access": removed_member_loses_team,
    "deleted-team-still-opens": deleted_team_is_gone,
    "team-key-survives-team-delete": deleted_team_is_gone,
    "console-team-header-on-auth": auth_routes_ignore_team_header,
    "console-defaults-to-first-team": no_header_is_personal,
    "api-key-cap-per-workspace": key_pool_is_shared,
    "invite-never-expires": invitation_expires,
    "resend-keeps-old-token": resend_kills_old_link,
    "resend-keeps-expiry": resend_renews_expiry,
    "accept-token-unhashed": accept_by_token,
    "accept-ignores-email": accept_needs_matching_email,
    "invite-requires-account": anyone_can_be_invited,
    "invitations-mine-generic-ids": mine_lists_invitations,
}
