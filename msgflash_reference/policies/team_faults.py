"""Seams and faults for the SHOULD guarantees of team roles: who needs an instance assignment to send
(ROLE-11/12) and the empty answers of leave and (un)assign (ROLE-14/18).

Loaded by `faults.py` through EXTENSION_MODULES: the defaults land in `svc.policies.extra` under
`assignment_gate` (read by `outbound.load_usable_instance`) and `team_answers` (read by
`routes/console_teams.py`).

* `collaborator-assignment-unchecked`: the send path checks that the instance is the team's, not that it
  was assigned to the collaborator (ROLE-11);
* `admin-needs-assignment`: the assignment check applies to every non-owner, so admins are refused team
  instances nobody assigned to them (ROLE-12);
* `leave-answers-200-body`: leaving a team answers 200 with a `{data: {teamId, left}}` body (ROLE-14);
* `assign-answers-201-body`: assigning an instance answers 201 with the new assignment (ROLE-18).
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi import Response
from fastapi.responses import JSONResponse

from msgflash_reference.envelopes import created, ok
from msgflash_reference.errors import ApiError, invalid_field
from msgflash_reference.faults import Fault
from msgflash_reference.plan_rules import DEFAULT_CAPS

if TYPE_CHECKING:
    from msgflash_reference.policies import Policies
    from msgflash_reference.services import Services


# -- the seams (correct defaults) ------------------------------------------------------------------------------
class AssignmentGate:
    """Which team roles may send only through instances assigned to them ([S]: collaborators only)."""

    def needs_assignment(self, role: str | None) -> bool:
        return role == "collaborator"


class TeamAnswers:
    """The success answers of the team member and assignment routes: 204, no body."""

    def left(self, team_id: str) -> Response:
        return Response(status_code=204)

    def assigned(self, instance_id: str, user_id: str) -> Response:
        return Response(status_code=204)

    def revoked(self, invitation: dict[str, object]) -> Response:
        return Response(status_code=204)


class TeamCreationRules:
    """POST /api/teams: the invitation list must name someone, nobody twice and not the caller (400
    BAD_REQUEST); the answer is the full team (members and pending invitations)."""

    def check_invites(self, emails: list[str], own_email: str) -> None:
        if not emails:
            raise ApiError("BAD_REQUEST", "At least one invitation is required")
        if len(set(emails)) != len(emails):
            raise ApiError("BAD_REQUEST", "Duplicate invite emails")
        if own_email.strip().lower() in emails:
            raise ApiError("BAD_REQUEST", "Cannot invite yourself")

    def answer(self, conn: sqlite3.Connection, team_id: str, now: datetime) -> JSONResponse:
        from msgflash_reference.team_store import team_detail  # team_store reads the seams below

        return created(team_detail(conn, team_id, now))


class InviteChecks:
    """Who may not be invited again: an active member (409 INVITE_DUPLICATE_MEMBER) or an e-mail with a live
    pending invitation (409 CONFLICT); and which roles an invitation may carry (the owner is implicit, TEAM-28:
    400 VALIDATION_ERROR worded like the body schema's refusal)."""

    invitable_roles: tuple[str, ...] = ("admin", "collaborator")

    def check_role(self, role: str, field: str) -> None:
        if role not in self.invitable_roles:
            raise invalid_field(field, "Input should be 'admin' or 'collaborator'")

    def check(self, is_member: bool, has_live_pending: bool) -> None:
        if is_member:
            raise ApiError("INVITE_DUPLICATE_MEMBER", "This person is already a member of the team")
        if has_live_pending:
            raise ApiError("CONFLICT", "A pending invitation for this e-mail already exists")


class AcceptRules:
    """POST /api/teams/invitations/accept: exactly one of token and invitationId; 409 for a member accepting
    again; 200 `{teamId, role}` on joining."""

    def shape_ok(self, token: str | None, invitation_id: str | None) -> bool:
        return (token is None) != (invitation_id is None)

    def already_member(self, team_id: str, role: str) -> JSONResponse:
        raise ApiError("INVITE_DUPLICATE_MEMBER", "You are already a member of this team")

    def joined(self, team_id: str, role: str) -> JSONResponse:
        return ok({"teamId": team_id, "role": role})


class KeyListView:
    """The console key lists' items (GET /api/api-keys, GET /api/teams/:id/api-keys): the stored row's view,
    never the secret (AUTH-13). `issued` hears of every secret the create routes return, `provisioned` of the
    keys issued outside them (the seed's keys: those an account had before the run); the default keeps
    nothing."""

    def issued(self, key_id: str, secret: str) -> None:
        return None

    def provisioned(self, key_id: str, secret: str) -> None:
        return None

    def listed(self, view: dict[str, Any]) -> dict[str, Any]:
        return view

    def usage_listed(self, view: dict[str, Any]) -> dict[str, Any]:
        """A row of GET /api/api-keys/usage: the list's view plus the counters."""
        return self.listed(view)


DEFAULT_ASSIGNMENT_GATE = AssignmentGate()
DEFAULT_KEY_LIST_VIEW = KeyListView()
DEFAULT_INVITE_CHECKS = InviteChecks()
DEFAULT_ACCEPT_RULES = AcceptRules()
DEFAULT_TEAM_CREATION = TeamCreationRules()
DEFAULT_TEAM_ANSWERS = TeamAnswers()
POLICY_DEFAULTS: dict[str, object] = {
    "assignment_gate": DEFAULT_ASSIGNMENT_GATE,
    "team_answers": DEFAULT_TEAM_ANSWERS,
    "team_creation": DEFAULT_TEAM_CREATION,
    "invite_checks": DEFAULT_INVITE_CHECKS,
    "accept_rules": DEFAULT_ACCEPT_RULES,
    "key_list_view": DEFAULT_KEY_LIST_VIEW,
}


def assignment_gate(svc: Services) -> AssignmentGate:
    return svc.policies.extra.get("assignment_gate", DEFAULT_ASSIGNMENT_GATE)


def team_answers(svc: Services) -> TeamAnswers:
    return svc.policies.extra.get("team_answers", DEFAULT_TEAM_ANSWERS)


def team_creation(svc: Services) -> TeamCreationRules:
    return svc.policies.extra.get("team_creation", DEFAULT_TEAM_CREATION)


def invite_checks(svc: Services) -> InviteChecks:
    return svc.policies.extra.get("invite_checks", DEFAULT_INVITE_CHECKS)


def accept_rules(svc: Services) -> AcceptRules:
    return svc.policies.extra.get("accept_rules", DEFAULT_ACCEPT_RULES)


def key_list_view(svc: Services) -> KeyListView:
    return svc.policies.extra.get("key_list_view", DEFAULT_KEY_LIST_VIEW)


# -- faulty pieces --------------------------------------------------------------------------------------------
class _AssignmentUnchecked(AssignmentGate):
    """"The instance belongs to the team, so any member may use it": assignments only drive the console UI."""

    def needs_assignment(self, role: str | None) -> bool:
        return False


class _NonOwnersNeedAssignment(AssignmentGate):
    """Checks "not the owner" instead of "a collaborator": admins need an assignment too."""

    def needs_assignment(self, role: str | None) -> bool:
        return role is not None and role != "owner"


class _LeaveWithBody(TeamAnswers):
    """Leaving answers like the other team mutations that return the team: 200 with a confirmation body."""

    def left(self, team_id: str) -> Response:
        return ok({"teamId": team_id, "left": True})


class _AssignCreated(TeamAnswers):
    """Assigning is treated as creating a resource: 201 with the assignment."""

    def assigned(self, instance_id: str, user_id: str) -> Response:
        return created({"instanceId": instance_id, "memberUserId": user_id})


class _EmptyInviteListAllowed(TeamCreationRules):
    """"Invitations are optional, you can invite later": a team with only its owner is created."""

    def check_invites(self, emails: list[str], own_email: str) -> None:
        if emails:
            super().check_invites(emails, own_email)


class _InviteListUnchecked(TeamCreationRules):
    """Checks that the list is not empty, then trusts it: duplicates and the caller's own address go through."""

    def check_invites(self, emails: list[str], own_email: str) -> None:
        if not emails:
            raise ApiError("BAD_REQUEST", "At least one invitation is required")


class _CreateAnswersBareTeam(TeamCreationRules):
    """Answers with the inserted row only, like the list item: no members, no pending invitations."""

    def answer(self, conn: sqlite3.Connection, team_id: str, now: datetime) -> JSONResponse:
        row = conn.execute("SELECT id, name, owner_user_id, created_at FROM teams WHERE id = ?", (team_id,)).fetchone()
        return created({"id": row["id"], "name": row["name"], "ownerUserId": row["owner_user_id"],
                        "createdAt": row["created_at"]})


class _RevokeAnswersInvitation(TeamAnswers):
    """Revoking answers 200 with the invitation in its new state, like resend does."""

    def revoked(self, invitation: dict[str, object]) -> Response:
        return ok({**invitation, "status": "revoked"})


class _MembersInvitable(InviteChecks):
    """Only pending invitations are looked at: a current member gets a fresh invitation."""

    def check(self, is_member: bool, has_live_pending: bool) -> None:
        super().check(False, has_live_pending)


class _OwnerInvitable(InviteChecks):
    """Checks the role against the team's role list, owner included: an invitation can make a second owner."""

    invitable_roles = ("owner", "admin", "collaborator")


class _ReinviteIssuesAnother(InviteChecks):
    """"Inviting again resends": a second pending invitation is issued next to the live one."""

    def check(self, is_member: bool, has_live_pending: bool) -> None:
        super().check(is_member, False)


class _TokenWinsOverId(AcceptRules):
    """Only "neither" is refused: with both, the token is used and invitationId silently ignored."""

    def shape_ok(self, token: str | None, invitation_id: str | None) -> bool:
        return token is not None or invitation_id is not None


class _AcceptAgainIdempotent(AcceptRules):
    """A member accepting again is answered like the first accept ("nothing to do")."""

    def already_member(self, team_id: str, role: str) -> JSONResponse:
        return self.joined(team_id, role)


class _AcceptCreatedMembership(AcceptRules):
    """Joining creates a membership, so it answers 201 with it."""

    def joined(self, team_id: str, role: str) -> JSONResponse:
        return created({"teamId": team_id, "role": role})


class _ListShowsFreshSecrets(KeyListView):
    """Keeps the secrets issued since the server started (for "copy again" in the UI) and lists them as `key`."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}

    def issued(self, key_id: str, secret: str) -> None:
        self.secrets[key_id] = secret

    def listed(self, view: dict[str, Any]) -> dict[str, Any]:
        secret = self.secrets.get(view["id"])
        return view if secret is None else {**view, "key": secret}


class _ListShowsUnseenSecrets(KeyListView):
    """"Shown only once", counted per key: a secret stays revealable until a create answer has shown it, so the
    keys made outside the create routes (at signup, by provisioning: the seed) list their secret as `key`. The
    key the caller just created was shown, so its row is clean."""

    def __init__(self) -> None:
        self.unseen: dict[str, str] = {}

    def provisioned(self, key_id: str, secret: str) -> None:
        self.unseen[key_id] = secret

    def listed(self, view: dict[str, Any]) -> dict[str, Any]:
        secret = self.unseen.get(view["id"])
        return view if secret is None else {**view, "key": secret}


class _UsageShowsUnseenSecrets(_ListShowsUnseenSecrets):
    """The usage report joins its own copy of the key rows (the lists were fixed, this one was not): the keys
    never shown by a create answer come with their secret as `key` there."""

    def listed(self, view: dict[str, Any]) -> dict[str, Any]:
        return view

    def usage_listed(self, view: dict[str, Any]) -> dict[str, Any]:
        return super().listed(view)


def _teams_plan_gate_as_cap(policies: Policies) -> Policies:
    """The teams cap lost its "not on this plan" code: a plan with 0 teams is just "at the limit"."""
    cap = replace(DEFAULT_CAPS["teams"], unavailable_code=None)
    return replace(policies, plan_rules=policies.plan_rules.with_cap(cap))


def _with(name: str, policy: object):
    def apply(policies: Policies) -> Policies:
        return policies.with_extra(name, policy)

    return apply


FAULTS: tuple[Fault, ...] = (
    Fault(
        "collaborator-assignment-unchecked",
        ("ROLE-11",),
        "a collaborator can send through any team instance, assigned to them or not",
        _with("assignment_gate", _AssignmentUnchecked()),
    ),
    Fault(
        "admin-needs-assignment",
        ("ROLE-12",),
        "admins are refused 403 INSTANCE_NOT_ASSIGNED on team instances nobody assigned to them",
        _with("assignment_gate", _NonOwnersNeedAssignment()),
    ),
    Fault(
        "leave-answers-200-body",
        ("ROLE-14",),
        "POST /api/teams/{teamId}/members/leave answers 200 with a body instead of 204",
        _with("team_answers", _LeaveWithBody()),
    ),
    Fault(
        "assign-answers-201-body",
        ("ROLE-18",),
        "POST /api/teams/{teamId}/instance-assignments answers 201 with the assignment instead of 204",
        _with("team_answers", _AssignCreated()),
    ),
    Fault(
        "team-plan-gate-as-cap",
        ("TEAM-20",),
        "Free/Starter creating a team get 403 TEAM_LIMIT_REACHED instead of TEAM_FEATURE_UNAVAILABLE",
        _teams_plan_gate_as_cap,
    ),
    Fault(
        "team-create-without-invites",
        ("TEAM-25",),
        "POST /api/teams with an empty invites list creates the team instead of 400",
        _with("team_creation", _EmptyInviteListAllowed()),
    ),
    Fault(
        "team-invites-unchecked",
        ("TEAM-26",),
        "POST /api/teams accepts the same e-mail twice and the caller's own e-mail",
        _with("team_creation", _InviteListUnchecked()),
    ),
    Fault(
        "team-create-bare-answer",
        ("TEAM-27",),
        "POST /api/teams answers 201 with the bare team row: no members, no pendingInvitations",
        _with("team_creation", _CreateAnswersBareTeam()),
    ),
    Fault(
        "revoke-answers-200-body",
        ("INV-12",),
        "DELETE /api/teams/{teamId}/invitations/{id} answers 200 with the revoked invitation instead of 204",
        _with("team_answers", _RevokeAnswersInvitation()),
    ),
    Fault(
        "member-invitable",
        ("INV-10",),
        "inviting a current member issues a new invitation instead of 409 INVITE_DUPLICATE_MEMBER",
        _with("invite_checks", _MembersInvitable()),
    ),
    Fault(
        "owner-invitable",
        ("TEAM-28",),
        "an invitation with role owner is issued instead of refused",
        _with("invite_checks", _OwnerInvitable()),
    ),
    Fault(
        "reinvite-issues-another",
        ("INV-11",),
        "inviting an e-mail with a live pending invitation issues a second one instead of 409 CONFLICT",
        _with("invite_checks", _ReinviteIssuesAnother()),
    ),
    Fault(
        "accept-token-wins-over-id",
        ("INV-07",),
        "accept with both token and invitationId uses the token instead of refusing the request",
        _with("accept_rules", _TokenWinsOverId()),
    ),
    Fault(
        "accept-again-idempotent",
        ("INV-06",),
        "a member accepting an invitation again gets 200 instead of 409 INVITE_DUPLICATE_MEMBER",
        _with("accept_rules", _AcceptAgainIdempotent()),
    ),
    Fault(
        "accept-answers-201",
        ("INV-01",),
        "accepting an invitation answers 201 instead of 200",
        _with("accept_rules", _AcceptCreatedMembership()),
    ),
    Fault(
        "key-list-shows-fresh-secrets",
        ("AUTH-13",),
        "GET /api/api-keys lists the full secret as `key` for keys created since the server started",
        lambda p: p.with_extra("key_list_view", _ListShowsFreshSecrets()),  # one secret cache per server
    ),
    Fault(
        "key-list-shows-unseen-secrets",
        ("AUTH-13",),
        "the console key lists show the full secret as `key` for keys never shown by a create answer (the "
        "seeded ones: the profile's keys), not for the keys created through the console",
        lambda p: p.with_extra("key_list_view", _ListShowsUnseenSecrets()),
    ),
    Fault(
        "key-usage-shows-unseen-secrets",
        ("AUTH-13",),
        "GET /api/api-keys/usage shows the full secret as `key` for the keys never shown by a create answer (the "
        "seeded ones); the key lists are clean",
        lambda p: p.with_extra("key_list_view", _UsageShowsUnseenSecrets()),
    ),
)
