"""The scratch workspace: where generated console mutations run on a sandbox, away from the seeded identities.

Two scratch accounts (`scratch_accounts.sign_up`): the *owner*, put on the top plan of the line-up (the most
teams, seats and keys) with one scratch team that has a connected instance, and the *invitee*, who accepts
invitations and leaves teams. Before each operation's test, `prepare(op)` makes what a success of that
operation needs, from the owner's (or invitee's) own resources: a disposable team to delete, a pending
invitation to resend or revoke, one addressed to the invitee to accept, the invitee as a member to remove or
to leave, an assignment to undo, a key to revoke, the subscription state a billing mutation starts from.
`substitute` puts those values into the operation's first positive case and about half of the later ones
(the rest keep their random ids: a documented 404). After the test `release()` puts the scratch team back
(no members but the owner, no pending invitations, disposable teams deleted, the owner on the top plan).

`close()` deletes every team the scratch accounts own, takes the invitee out of the others, revokes every
live key, puts the owner back on the cheapest plan and returns what could not be removed. The two accounts stay (the API
cannot delete an account).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from fixtures.clients import Harness, HarnessClient
from fixtures.errors import HarnessError
from fixtures.factories import DataFactory
from msgflash_compliance.contract.openapi import Operation
from msgflash_compliance.contract.plans import Plan
from suites.areas.sandbox import SANDBOX_CREDENTIAL, control, put_on_plan
from suites.conformance.known_ids import choice_digest
from suites.conformance.plan import BILLING_MUTATIONS, Caller
from suites.conformance.scratch_accounts import ScratchAccount, data_of, sign_up

# Operations whose bodies carry e-mail addresses: every positive case is sent with scratch addresses.
INVITING = frozenset({"consoleCreateTeam", "consoleCreateInvitation"})


@dataclass(frozen=True)
class Prepared:
    """What one operation's positive cases get: path, query and body values (the whole body with
    `whole_body`: accept takes exactly one of token / invitationId)."""

    operation_id: str
    path: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    whole_body: bool = False


@dataclass
class ScratchWorkspace:
    harness: Harness = field(repr=False)
    factory: DataFactory = field(repr=False)
    owner: ScratchAccount
    invitee: ScratchAccount
    top_plan: str  # the owner's plan: the most teams and seats
    lower_plan: str  # the paid plan below it (a checkout's start, a downgrade's target)
    base_plan: str  # the cheapest plan: where the owner ends
    team_id: str = ""
    instance_id: str = ""
    prepared: Prepared | None = None
    _disposable_teams: list[str] = field(default_factory=list)
    _own: dict[str, HarnessClient] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, harness: Harness, factory: DataFactory, lineup: tuple[Plan, ...]) -> ScratchWorkspace:
        paid = [plan.code for plan in lineup if plan.limits.teams is not None]
        if len(paid) < 2:
            raise HarnessError("the plan line-up has fewer than two plans with teams: no scratch billing moves")
        workspace = cls(harness, factory, sign_up(harness, factory, "scratch"),
                        sign_up(harness, factory, "scratch-invitee"), top_plan=paid[-1], lower_plan=paid[-2],
                        base_plan=lineup[0].code)
        workspace._plan(workspace.top_plan)
        workspace.team_id = workspace._team()
        workspace._reset_team(workspace.team_id)
        instance = control(harness, "POST", f"/__sandbox/teams/{workspace.team_id}/instances", {})
        workspace.instance_id = instance["id"]
        # Deleted with the run's data (a deleted team keeps its instances otherwise).
        factory.track(harness.client(SANDBOX_CREDENTIAL), "instance", f"/__sandbox/instances/{instance['id']}",
                      instance["id"])
        return workspace

    # -- clients ---------------------------------------------------------------------------------------------

    def client(self, caller: Caller) -> HarnessClient:
        if caller == Caller.SCRATCH:
            return self.owner.client
        if caller == Caller.SCRATCH_INVITEE:
            return self.invitee.client
        raise HarnessError(f"the scratch workspace has no {caller.value} caller")

    def _as(self, account: ScratchAccount) -> HarnessClient:
        """The account's client for the workspace's own requests (outside budget and evidence)."""
        if account.label not in self._own:
            self._own[account.label] = account.housekeeping()
        return self._own[account.label]

    def address(self, seed: str) -> str:
        """A scratch e-mail address derived from `seed` (the same on Hypothesis' replay of a case)."""
        digest = hashlib.sha256(seed.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        return f"{self.factory.prefix}{self.factory.run_id}-inv-{digest}@example.com"

    # -- building blocks (owner's requests unless said) ------------------------------------------------------

    def _plan(self, code: str) -> None:
        put_on_plan(self.harness, self.owner.user_id, code)

    def _team(self) -> str:
        body = {"name": self.factory.name("scratch-team"),
                "invites": [{"email": self.address(self.factory.name("seat")), "role": "collaborator"}]}
        return data_of(self._as(self.owner).post("/api/teams", json=body), "POST /api/teams", (201,))["id"]

    def _invite(self, email: str) -> str:
        path = f"/api/teams/{self.team_id}/invitations"
        response = self._as(self.owner).post(path, json={"email": email, "role": "collaborator"})
        return data_of(response, f"POST {path}", (201,))["id"]

    def _join(self) -> None:
        """The invitee becomes a collaborator of the scratch team."""
        invitation = self._invite(self.invitee.email)
        data_of(self._as(self.invitee).post("/api/teams/invitations/accept", json={"invitationId": invitation}),
                "POST /api/teams/invitations/accept")

    def _key(self, path: str) -> str:
        response = self._as(self.owner).post(path, json={"name": self.factory.name("scratch-key")})
        return data_of(response, f"POST {path}", (201,))["id"]

    def _assign(self) -> None:
        path = f"/api/teams/{self.team_id}/instance-assignments"
        response = self._as(self.owner).post(path, json={"instanceId": self.instance_id,
                                                          "memberUserId": self.owner.user_id})
        if response.status_code != 204:
            raise HarnessError(f"scratch workspace: POST {path} answered {response.status_code}")

    def _reset_team(self, team_id: str) -> None:
        detail = data_of(self._as(self.owner).get(f"/api/teams/{team_id}"), "GET /api/teams/{teamId}")
        for invitation in detail.get("pendingInvitations") or []:
            self._as(self.owner).delete(f"/api/teams/{team_id}/invitations/{invitation['id']}")
        for member in detail.get("members") or []:
            if member.get("role") != "owner":
                self._as(self.owner).delete(f"/api/teams/{team_id}/members/{member['id']}")

    # -- per operation ---------------------------------------------------------------------------------------

    def prepare(self, op: Operation) -> Prepared:
        """Make what a success of `op` needs; its positive cases get these values (`substitute`)."""
        team = {"teamId": self.team_id}
        oid = op.operation_id
        if oid == "consoleDeleteTeam":
            self._disposable_teams.append(self._team())
            prepared = Prepared(oid, {"teamId": self._disposable_teams[-1]})
        elif oid in ("consoleResendInvitation", "consoleRevokeInvitation"):
            prepared = Prepared(oid, {**team, "invitationId": self._invite(self.address(self.factory.name(oid)))})
        elif oid == "consoleAcceptInvitation":
            prepared = Prepared(oid, body={"invitationId": self._invite(self.invitee.email)}, whole_body=True)
        elif oid in ("consoleLeaveTeam", "consoleRemoveMember"):
            self._join()
            prepared = Prepared(oid, {**team, "userId": self.invitee.user_id} if "userId" in op.path_params else team)
        elif oid == "consoleAssignInstance":
            prepared = Prepared(oid, team, body={"instanceId": self.instance_id, "memberUserId": self.owner.user_id})
        elif oid == "consoleUnassignInstance":
            self._assign()
            prepared = Prepared(oid, team, query={"instanceId": self.instance_id, "memberUserId": self.owner.user_id})
        elif oid == "consoleRevokeTeamApiKey":
            prepared = Prepared(oid, {**team, "keyId": self._key(f"/api/teams/{self.team_id}/api-keys")})
        elif oid == "consoleRevokeApiKey":
            prepared = Prepared(oid, {"id": self._key("/api/api-keys")})
        elif oid == "consoleCreateCheckout":
            self._plan(self.lower_plan)  # a checkout is an upgrade
            prepared = Prepared(oid, body={"planCode": self.top_plan})
        elif oid == "consoleDowngradeSubscription":
            self._plan(self.top_plan)  # nothing scheduled
            prepared = Prepared(oid, body={"plan": self.lower_plan})
        elif oid == "consoleCancelScheduledChange":
            self._plan(self.top_plan)
            data_of(self._as(self.owner).post("/api/billing/cancel"), "POST /api/billing/cancel")
            prepared = Prepared(oid)
        elif oid == "consoleCancelSubscription":
            self._plan(self.top_plan)
            prepared = Prepared(oid)
        else:  # create team / invitation / keys, rename: the scratch team as it is
            prepared = Prepared(oid, {k: v for k, v in team.items() if k in op.path_params})
        self.prepared = prepared
        return prepared

    def release(self) -> None:
        """Back to the baseline: disposable teams gone, the scratch team with its owner only, top plan."""
        oid = self.prepared.operation_id if self.prepared else ""
        self.prepared = None
        while self._disposable_teams:
            self._as(self.owner).delete(f"/api/teams/{self._disposable_teams.pop()}")
        self._reset_team(self.team_id)
        if oid in BILLING_MUTATIONS:
            self._plan(self.top_plan)

    # -- the KnownIds interface the Exerciser shapes cases with ----------------------------------------------

    def substitute(self, case: Any, op: Operation, caller: Caller, *, force: bool = False) -> dict[str, str]:
        """Scratch addresses in every positive case that invites someone; the prepared values in the first
        positive case (`force`) and about half of the later ones. Returns the path values put in."""
        if op.operation_id in INVITING and isinstance(case.body, dict):
            self._scratch_addresses(case.body, trim=force)
        prepared = self.prepared
        if prepared is None or prepared.operation_id != op.operation_id:
            return {}
        if not force and choice_digest(case.path_parameters, case.query, case.body) % 2:
            return {}
        for name, value in prepared.path.items():
            case.path_parameters[name] = value
        if prepared.query:
            case.query = {**(case.query or {}), **prepared.query}
        if prepared.whole_body:
            case.body = dict(prepared.body)
        elif prepared.body and isinstance(case.body, dict):
            case.body.update(prepared.body)
        return dict(prepared.path)

    def _scratch_addresses(self, body: dict[str, Any], *, trim: bool) -> None:
        if isinstance(body.get("email"), str):
            body["email"] = self.address(body["email"])
        invites = body.get("invites")
        if isinstance(invites, list):
            if trim:  # the first case must succeed: one invitation fits every team's seats
                del invites[1:]
            for index, invite in enumerate(invites):
                if isinstance(invite, dict) and isinstance(invite.get("email"), str):
                    invite["email"] = self.address(f"{index}:{invite['email']}")

    def substitute_body(self, case: Any, caller: Caller, *, force: bool = False) -> None:
        return None  # the prepared values already include body ids

    def console_values(self, op: Operation) -> tuple[dict[str, str], dict[str, str]]:
        return {}, {}

    # -- the end ---------------------------------------------------------------------------------------------

    def close(self) -> dict[str, list[str]]:
        """Delete the scratch accounts' teams, revoke their keys, owner on the cheapest plan; what is left."""
        self.release()
        for account in (self.owner, self.invitee):
            client = self._as(account)
            for team in self._list(client, "/api/teams"):
                if team.get("isOwner"):
                    for key in self._list(client, f"/api/teams/{team['id']}/api-keys"):
                        if key.get("revokedAt") is None:
                            client.delete(f"/api/teams/{team['id']}/api-keys/{key['id']}")
                    client.delete(f"/api/teams/{team['id']}")
                else:
                    client.post(f"/api/teams/{team['id']}/members/leave")
            for key in self._list(client, "/api/api-keys"):
                if key.get("revokedAt") is None:
                    client.delete(f"/api/api-keys/{key['id']}")
        self._plan(self.base_plan)
        left = self.left_behind()
        for client in self._own.values():
            client.close()
        self._own.clear()
        return left

    def left_behind(self) -> dict[str, list[str]]:
        """Teams the scratch accounts still belong to and keys still live."""
        teams, keys = [], []
        for account in (self.owner, self.invitee):
            client = self._as(account)
            teams += [f"{account.label}: team {t.get('id')}" for t in self._list(client, "/api/teams")]
            keys += [f"{account.label}: key {k.get('id')}" for k in self._list(client, "/api/api-keys")
                     if k.get("revokedAt") is None]
        return {"teams": teams, "keys": keys}

    @staticmethod
    def _list(client: HarnessClient, path: str) -> list[dict[str, Any]]:
        data = data_of(client.get(path), f"GET {path}")
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []
