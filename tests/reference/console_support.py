"""Self-test helpers for the console side of the reference server: real servers on loopback, and a
`Console` that drives one over HTTP the way the portal would (sign up through the outbox, log in, build
teams by invitation), using the sandbox controls only for what a real target's users would do by hand.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from msgflash_reference.server_thread import RunningServer
from tests.reference.harness import ServerSet

_serial = itertools.count(1)


class ServerPool(ServerSet):
    """The core's `ServerSet` with the sandbox controls on (sign-up through the outbox, clock, plans)."""

    def start(self, *faults: str, seed: bool = True, sandbox: bool = True, **overrides: Any) -> RunningServer:
        return super().start(*faults, seed=seed, sandbox=sandbox, **overrides)


def server_pool() -> Iterator[ServerPool]:
    """Body of a module-scoped fixture: `pool = pytest.fixture(scope="module")(server_pool)`."""
    pool = ServerPool()
    try:
        yield pool
    finally:
        pool.close()


@dataclass(frozen=True)
class User:
    id: str
    email: str
    password: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


@dataclass
class Team:
    id: str
    owner: User
    members: dict[str, User] = field(default_factory=dict)  # role -> user, for the members who joined


class Console:
    """One server, driven over HTTP. `call(..., user=, team=)` sends the JWT and X-Team-Id."""

    def __init__(self, server: RunningServer) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.base_url, timeout=10)

    # -- raw calls ----------------------------------------------------------------------------------------
    def call(
        self,
        method: str,
        path: str,
        user: User | None = None,
        team: str | Team | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if user is not None:
            headers.update(user.auth)
        if team is not None:
            headers["x-team-id"] = team.id if isinstance(team, Team) else team
        return self.http.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, user: User | None = None, team: str | Team | None = None, **kw: Any) -> httpx.Response:
        return self.call("GET", path, user, team, **kw)

    def post(self, path: str, user: User | None = None, team: str | Team | None = None, **kw: Any) -> httpx.Response:
        return self.call("POST", path, user, team, **kw)

    def delete(self, path: str, user: User | None = None, team: str | Team | None = None, **kw: Any) -> httpx.Response:
        return self.call("DELETE", path, user, team, **kw)

    # -- sandbox ------------------------------------------------------------------------------------------
    def mails(self, email: str, kind: str | None = None) -> list[dict[str, Any]]:
        params = {"email": email, **({"kind": kind} if kind else {})}
        return ok(self.get("/__sandbox/outbox", params=params))

    def latest_mail(self, email: str, kind: str) -> dict[str, Any]:
        found = self.mails(email, kind)
        assert found, f"no {kind} mail for {email}"
        return found[0]

    def clock(self, **body: Any) -> dict[str, Any]:
        return ok(self.post("/__sandbox/clock", json=body))

    def set_plan(self, user: User, plan: str) -> None:
        ok(self.post("/__sandbox/plan", json={"user": user.id, "plan": plan}))

    # -- people -------------------------------------------------------------------------------------------
    def login(self, email: str, password: str) -> str:
        return ok(self.post("/api/auth/login", json={"email": email, "password": password}))["token"]

    def user(self, plan: str = "free", label: str = "user") -> User:
        """A new verified account (signup, the verification mail's token, login), on `plan`."""
        email = f"{label}-{next(_serial)}@console.test"
        password = f"pw-{next(_serial)}-secret"
        expect(self.post("/api/auth/signup", json={"email": email, "password": password}), 201)
        token = self.latest_mail(email, "verify_email")["token"]
        ok(self.post("/api/auth/verify-email", json={"token": token}))
        jwt = self.login(email, password)
        me = ok(self.get("/api/auth/me", headers={"authorization": f"Bearer {jwt}"}))
        user = User(me["id"], email, password, jwt)
        if plan != "free":
            self.set_plan(user, plan)
        return user

    def seeded(self, name: str) -> User:
        assert self.server.seed is not None
        identity = self.server.seed.identities[name]
        return User(identity.user_id, identity.email, identity.password, self.login(identity.email, identity.password))

    # -- teams --------------------------------------------------------------------------------------------
    def create_team(self, owner: User, *invitees: tuple[User | str, str], name: str = "Team") -> dict[str, Any]:
        invites = [{"email": u.email if isinstance(u, User) else u, "role": role} for u, role in invitees]
        return ok(self.post("/api/teams", owner, json={"name": name, "invites": invites}), 201)

    def accept(self, user: User, team_id: str) -> httpx.Response:
        mine = ok(self.get("/api/teams/invitations/mine", user))
        invitation = next(i for i in mine if i["teamId"] == team_id)
        return self.post("/api/teams/invitations/accept", user, json={"invitationId": invitation["invitationId"]})

    def team(self, owner_plan: str = "pro", roles: tuple[str, ...] = ("admin", "collaborator")) -> Team:
        """A team whose members (one per role) have joined. A team starts with at least one invitation:
        without roles, one to an address nobody uses stays pending (and holds a seat)."""
        owner = self.user(owner_plan, "owner")
        people = {role: self.user(label=role) for role in roles}
        invites: list[tuple[User | str, str]] = [(people[r], r) for r in roles]
        detail = self.create_team(owner, *(invites or [(f"pending-{next(_serial)}@console.test", "admin")]))
        for person in people.values():
            ok(self.accept(person, detail["id"]))
        return Team(detail["id"], owner, people)


# -- response helpers ---------------------------------------------------------------------------------------
def expect(response: httpx.Response, status: int, code: str | None = None) -> httpx.Response:
    request = response.request
    detail = f"{request.method} {request.url.path} -> {response.status_code} {response.text[:300]}"
    assert response.status_code == status, detail
    if code is not None:
        assert response.json()["error"]["code"] == code, detail
    return response


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The `data` of a success answer with this status."""
    return expect(response, status).json()["data"]


def error_code(response: httpx.Response) -> tuple[int, str | None]:
    try:
        return response.status_code, response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return response.status_code, None
