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

from typing import TYPE_CHECKING

from fastapi import Response

from msgflash_reference.envelopes import created, ok
from msgflash_reference.faults import Fault

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


DEFAULT_ASSIGNMENT_GATE = AssignmentGate()
DEFAULT_TEAM_ANSWERS = TeamAnswers()
POLICY_DEFAULTS: dict[str, object] = {
    "assignment_gate": DEFAULT_ASSIGNMENT_GATE,
    "team_answers": DEFAULT_TEAM_ANSWERS,
}


def assignment_gate(svc: Services) -> AssignmentGate:
    return svc.policies.extra.get("assignment_gate", DEFAULT_ASSIGNMENT_GATE)


def team_answers(svc: Services) -> TeamAnswers:
    return svc.policies.extra.get("team_answers", DEFAULT_TEAM_ANSWERS)


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
)
