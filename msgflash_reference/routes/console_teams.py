"""Console teams (facts §12, §5 team caps): teams, members, instance assignments, legacy team keys.

`/api/teams/*` take the team from the path and ignore X-Team-Id. A caller who is not an active member of a
live team gets 404 TEAM_NOT_FOUND; what each role may do is the role matrix (`policies/roles.py`).
Invitation routes live in `console_invitations.py` and are included here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from msgflash_reference.accounts import create_team
from msgflash_reference.auth import ConsoleSession
from msgflash_reference.bodies import json_body
from msgflash_reference.clock import iso
from msgflash_reference.console_access import team_membership
from msgflash_reference.envelopes import created, ok
from msgflash_reference.errors import invalid_field, not_found
from msgflash_reference.ids import parse_id
from msgflash_reference.plan_rules import CapScope
from msgflash_reference.policies.roles import Action
from msgflash_reference.requests.console_teams import AssignmentBody, TeamCreate, TeamRename
from msgflash_reference.routes import console_invitations
from msgflash_reference.routes.console_keys import (
    KeyCreate,
    issue_named_key,
    key_row_view,
    revoke_workspace_key,
    workspace_keys,
)
from msgflash_reference.services import Svc
from msgflash_reference.subscriptions import current_plan
from msgflash_reference.team_store import invite, normalise_email, remove_member
from msgflash_reference.team_views import assignments, team_detail, team_summaries

router = APIRouter()
router.include_router(console_invitations.router)


def _team_name(raw: str) -> str:
    name = raw.strip()
    if not name:
        raise invalid_field("name", "must not be blank")
    return name


def _no_content() -> Response:
    return Response(status_code=204)


# -- teams ---------------------------------------------------------------------------------------------------
@router.get("/api/teams")
def list_teams(user: ConsoleSession, svc: Svc) -> JSONResponse:
    with svc.db.read() as conn:
        return ok(team_summaries(conn, user.id))


@router.post("/api/teams")
def create_team_route(
    request: Request,
    user: ConsoleSession,
    svc: Svc,
    body: Annotated[TeamCreate, Depends(json_body(TeamCreate))],
) -> JSONResponse:
    """Pro/Plus only (403 TEAM_FEATURE_UNAVAILABLE), owned-team cap (403 TEAM_LIMIT_REACHED), at least one
    invitation, no duplicate, not yourself (400 BAD_REQUEST), seats incl. pending (403
    TEAM_SEAT_LIMIT_REACHED)."""
    name = _team_name(body.name)
    emails = [normalise_email(item.email, f"invites.{n}.email") for n, item in enumerate(body.invites)]
    for n, item in enumerate(body.invites):
        svc.policies.invite_checks.check_role(item.role, f"invites.{n}.role")
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        plan = current_plan(conn, svc.plans, user.id, now)
        svc.policies.plan_rules.enforce(conn, "teams", plan, CapScope(owner_id=user.id, now_iso=iso(now)))
        svc.policies.team_creation.check_invites(emails, user.email)
        team_id = create_team(conn, owner_id=user.id, name=name, now=now)
        for email, item in zip(emails, body.invites, strict=True):
            invite(
                svc,
                conn,
                team_id=team_id,
                team_name=name,
                owner_id=user.id,
                email=email,
                role=item.role,
                invited_by=user.id,
                now=now,
                link_base=str(request.base_url),
            )
        return svc.policies.team_creation.answer(conn, team_id, now)


@router.get("/api/teams/{team_id:rid}")
def get_team(team_id: str, user: ConsoleSession, svc: Svc) -> JSONResponse:
    member = team_membership(svc, user, team_id)
    member.require(svc, Action.TEAM_VIEW)
    with svc.db.read() as conn:
        return ok(team_detail(conn, member.team_id, svc.clock.now()))


@router.patch("/api/teams/{team_id:rid}")
def rename_team(
    team_id: str, user: ConsoleSession, svc: Svc, body: Annotated[TeamRename, Depends(json_body(TeamRename))]
) -> JSONResponse:
    member = team_membership(svc, user, team_id)
    member.require(svc, Action.TEAM_RENAME)
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        conn.execute(
            "UPDATE teams SET name = ?, updated_at = ? WHERE id = ?",
            (_team_name(body.name), iso(now), member.team_id),
        )
        return ok(team_detail(conn, member.team_id, now))


@router.delete("/api/teams/{team_id:rid}")
def delete_team(team_id: str, user: ConsoleSession, svc: Svc) -> Response:
    """Soft delete: the team then answers TEAM_NOT_FOUND and its keys stop authenticating (TEAM-19)."""
    member = team_membership(svc, user, team_id)
    member.require(svc, Action.TEAM_DELETE)
    with svc.db.transaction() as conn:
        svc.policies.team_lifecycle.on_delete(conn, member.team_id, svc.clock.now())
    return _no_content()


# -- members -------------------------------------------------------------------------------------------------
@router.post("/api/teams/{team_id:rid}/members/leave")
def leave_team(team_id: str, user: ConsoleSession, svc: Svc) -> Response:
    member = team_membership(svc, user, team_id)
    member.require(svc, Action.TEAM_LEAVE)
    with svc.db.transaction() as conn:
        remove_member(conn, member.team_id, user.id, svc.clock.now())
    return svc.policies.team_answers.left(member.team_id)


@router.delete("/api/teams/{team_id:rid}/members/{user_id:rid}")
def remove_team_member(team_id: str, user_id: str, user: ConsoleSession, svc: Svc) -> Response:
    member = team_membership(svc, user, team_id)
    member.require(svc, Action.MEMBER_REMOVE)
    target = parse_id(user_id, "userId")
    with svc.db.transaction() as conn:
        row = conn.execute(
            "SELECT role FROM team_members WHERE team_id = ? AND user_id = ? AND removed_at IS NULL",
            (member.team_id, target),
        ).fetchone()
        if row is None:
            raise not_found("Member")
        if row["role"] == "owner":
            svc.policies.roles.require(Action.OWNER_REMOVE, member.role)
        remove_member(conn, member.team_id, target, svc.clock.now())
    return _no_content()


# -- instance assignments ------------------------------------------------------------------------------------
@router.get("/api/teams/{team_id:rid}/instance-assignments")
def list_assignments(team_id: str, user: ConsoleSession, svc: Svc) -> JSONResponse:
    member = team_membership(svc, user, team_id)
    member.require(svc, Action.ASSIGNMENTS_VIEW)
    with svc.db.read() as conn:
        return ok(assignments(conn, member.team_id))


@router.post("/api/teams/{team_id:rid}/instance-assignments")
def assign_instance(
    team_id: str,
    user: ConsoleSession,
    svc: Svc,
    body: Annotated[AssignmentBody, Depends(json_body(AssignmentBody))],
) -> Response:
    member = team_membership(svc, user, team_id)
    member.require(svc, Action.ASSIGNMENTS_MANAGE)
    instance_id = parse_id(body.instanceId, "instanceId")
    target = parse_id(body.memberUserId, "memberUserId")
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        if (
            conn.execute(
                "SELECT 1 FROM instances WHERE id = ? AND workspace_id = ? AND deleted_at IS NULL",
                (instance_id, member.team_id),
            ).fetchone()
            is None
        ):
            raise not_found("Instance")
        if (
            conn.execute(
                "SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ? AND removed_at IS NULL",
                (member.team_id, target),
            ).fetchone()
            is None
        ):
            raise not_found("Member")
        conn.execute(
            """INSERT OR IGNORE INTO instance_assignments (team_id, instance_id, user_id, assigned_by_user_id,
                 created_at) VALUES (?, ?, ?, ?, ?)""",
            (member.team_id, instance_id, target, user.id, iso(now)),
        )
    return svc.policies.team_answers.assigned(instance_id, target)


@router.delete("/api/teams/{team_id:rid}/instance-assignments")
def unassign_instance(
    team_id: str,
    user: ConsoleSession,
    svc: Svc,
    instanceId: str | None = None,
    memberUserId: str | None = None,
) -> Response:
    member = team_membership(svc, user, team_id)
    member.require(svc, Action.ASSIGNMENTS_MANAGE)
    if instanceId is None or memberUserId is None:
        raise invalid_field("instanceId" if instanceId is None else "memberUserId", "is required")
    instance_id, target = parse_id(instanceId, "instanceId"), parse_id(memberUserId, "memberUserId")
    with svc.db.transaction() as conn:
        gone = conn.execute(
            "DELETE FROM instance_assignments WHERE team_id = ? AND instance_id = ? AND user_id = ?",
            (member.team_id, instance_id, target),
        ).rowcount
    if not gone:
        raise not_found("Assignment")
    return _no_content()


# -- legacy team API keys ------------------------------------------------------------------------------------
@router.get("/api/teams/{team_id:rid}/api-keys")
def list_team_keys(team_id: str, user: ConsoleSession, svc: Svc) -> JSONResponse:
    member = team_membership(svc, user, team_id)
    member.require(svc, Action.API_KEYS_MANAGE)
    with svc.db.read() as conn:
        rows = workspace_keys(conn, team_id=member.team_id, user_id=user.id)
    return ok([svc.policies.key_list_view.listed(key_row_view(r)) for r in rows])


@router.post("/api/teams/{team_id:rid}/api-keys")
def create_team_key(
    team_id: str, user: ConsoleSession, svc: Svc, body: Annotated[KeyCreate, Depends(json_body(KeyCreate))]
) -> JSONResponse:
    member = team_membership(svc, user, team_id)
    member.require(svc, Action.API_KEYS_MANAGE)
    return created(issue_named_key(svc, body, owner_id=member.owner_id, actor_id=user.id, team_id=member.team_id))


@router.delete("/api/teams/{team_id:rid}/api-keys/{key_id:rid}")
def delete_team_key(team_id: str, key_id: str, user: ConsoleSession, svc: Svc) -> Response:
    member = team_membership(svc, user, team_id)
    member.require(svc, Action.API_KEYS_MANAGE)
    key = parse_id(key_id, "keyId")
    with svc.db.transaction() as conn:
        revoke_workspace_key(conn, key_id=key, team_id=member.team_id, user_id=user.id, now=svc.clock.now())
    return _no_content()
