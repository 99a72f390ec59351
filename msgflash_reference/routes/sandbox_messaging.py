"""`/__sandbox/*` controls of the messaging area (only with `ServerConfig.sandbox`; outside the contract):

* `POST /__sandbox/instances/{instanceId}` `{status?, healthScore?}` — put an instance in a state the public
  API cannot reach: disconnected (sends then fail, lookups are refused) or a low health score (campaign
  `safety.decision: "warn"`, CMP-09).
* `POST /__sandbox/subscription-status` `{user, status}` — set an account's subscription status (`active`,
  `trialing`, `past_due`, `cancelled`, `expired`); the last three make outbound actions 403
  SUBSCRIPTION_INACTIVE (AUTH-08). `user` is a seeded identity name, an e-mail address or a user id.
* `POST /__sandbox/teams/{teamId}/instances` `{name?}` — a connected instance in a live team's workspace
  (the dashboard's "create instance" inside a team; no API route creates one): what console instance
  assignments need on a team the run created itself. No plan cap, like the seed. 200 `{data: <instance>}`;
  an unknown or deleted team is 404 NOT_FOUND.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from msgflash_reference.accounts import create_instance
from msgflash_reference.bodies import json_body
from msgflash_reference.clock import iso
from msgflash_reference.envelopes import ok
from msgflash_reference.errors import not_found, validation_error
from msgflash_reference.ids import parse_id
from msgflash_reference.requests.sandbox import InstanceStateBody, SubscriptionStatusBody, TeamInstanceBody
from msgflash_reference.routes.instances import instance_view, risk_level
from msgflash_reference.seed import SEED_META_KEY
from msgflash_reference.services import Svc
from msgflash_reference.subscriptions import current_subscription, set_plan

router = APIRouter()


def _user_id(conn: sqlite3.Connection, user: str) -> str:
    wanted = user.strip()
    seeded = conn.execute("SELECT value FROM meta WHERE key = ?", (SEED_META_KEY,)).fetchone()
    names = json.loads(seeded[0]).get("users", {}) if seeded else {}
    wanted = names.get(wanted, wanted)
    row = conn.execute("SELECT id FROM users WHERE id = ? OR email = ?", (wanted.lower(), wanted)).fetchone()
    if row is None:
        raise not_found("User")
    return row["id"]


@router.post("/__sandbox/instances/{instance_id:rid}")
def set_instance_state(
    instance_id: str, svc: Svc, body: Annotated[InstanceStateBody, Depends(json_body(InstanceStateBody))]
) -> JSONResponse:
    iid = parse_id(instance_id)
    if body.status is None and body.healthScore is None:
        raise validation_error([{"field": "body", "message": "give status and/or healthScore"}])
    with svc.db.transaction() as conn:
        row = conn.execute("SELECT * FROM instances WHERE id = ? AND deleted_at IS NULL", (iid,)).fetchone()
        if row is None:
            raise not_found("Instance")
        conn.execute(
            "UPDATE instances SET status = ?, health_score = ?, updated_at = ? WHERE id = ?",
            (
                body.status or row["status"],
                body.healthScore if body.healthScore is not None else row["health_score"],
                iso(svc.clock.now()),
                iid,
            ),
        )
        row = conn.execute("SELECT * FROM instances WHERE id = ?", (iid,)).fetchone()
    score = int(row["health_score"])
    return ok({**instance_view(row), "healthScore": score, "riskLevel": risk_level(score)})


@router.post("/__sandbox/subscription-status")
def set_subscription_status(
    svc: Svc, body: Annotated[SubscriptionStatusBody, Depends(json_body(SubscriptionStatusBody))]
) -> JSONResponse:
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        user_id = _user_id(conn, body.user)
        if conn.execute("SELECT 1 FROM subscriptions WHERE user_id = ?", (user_id,)).fetchone() is None:
            set_plan(conn, user_id, "free", now)
        conn.execute(
            "UPDATE subscriptions SET status = ?, updated_at = ? WHERE user_id = ?", (body.status, iso(now), user_id)
        )
        subscription = current_subscription(conn, svc.plans, user_id, now)
    return ok({"userId": user_id, "status": subscription.status, "plan": subscription.plan.ref()})


@router.post("/__sandbox/teams/{team_id:rid}/instances")
def create_team_instance(
    team_id: str, svc: Svc, body: Annotated[TeamInstanceBody, Depends(json_body(TeamInstanceBody))]
) -> JSONResponse:
    tid = parse_id(team_id, "teamId")
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        team = conn.execute("SELECT owner_user_id FROM teams WHERE id = ? AND deleted_at IS NULL", (tid,)).fetchone()
        if team is None:
            raise not_found("Team")
        instance_id = create_instance(
            conn,
            workspace_id=tid,
            owner_id=team["owner_user_id"],
            team_id=tid,
            name=body.name or "Sandbox team line",
            status="connected",
            wa_number=None,
            now=now,
        )
        row = conn.execute("SELECT * FROM instances WHERE id = ?", (instance_id,)).fetchone()
    return ok(instance_view(row))
