"""`/__sandbox/instances`: the dashboard's "create instance" and its delete, as sandbox controls (only with
`ServerConfig.sandbox`; outside the contract: no documented API route creates an instance).

* `POST /__sandbox/instances` `{user, name?}` — a new instance in the personal workspace of `user` (a seeded
  identity name, an e-mail address or a user id), `disconnected` until its QR code would be scanned. It goes
  through the same plan cap as any instance creation (`plan_rules.enforce(conn, "instances", ...)` on the
  account's current plan): 403 MAX_INSTANCES_REACHED once the account has `maxInstances` live instances
  (Free 1, Starter 2, Pro 5, Plus 20). 200 `{data: <instance as GET /api/v1/instances/{id} shows it>}`.
* `DELETE /__sandbox/instances/{instanceId}` — removes an instance this control created (soft delete, as the
  dashboard does: it leaves the lists and the cap count); 200 `{data: {id, deleted: true}}`. Any other id,
  or one already removed, is 404 NOT_FOUND: seeded instances cannot be removed this way.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from msgflash_reference.accounts import create_instance
from msgflash_reference.bodies import json_body
from msgflash_reference.clock import iso
from msgflash_reference.envelopes import ok
from msgflash_reference.errors import not_found
from msgflash_reference.ids import parse_id
from msgflash_reference.plan_rules import CapScope
from msgflash_reference.requests.sandbox import InstanceCreateBody
from msgflash_reference.routes.instances import instance_view
from msgflash_reference.routes.sandbox import _user_id
from msgflash_reference.services import Svc
from msgflash_reference.subscriptions import current_plan

router = APIRouter()

# `meta` of the instances this control creates: what its delete recognises
SANDBOX_META = {"createdBy": "sandbox"}
DEFAULT_NAME = "Sandbox line"


@router.post("/__sandbox/instances")
def create_sandbox_instance(
    svc: Svc, body: Annotated[InstanceCreateBody, Depends(json_body(InstanceCreateBody))]
) -> JSONResponse:
    now = svc.clock.now()
    with svc.db.transaction() as conn:
        user_id = _user_id(conn, body.user)
        plan = current_plan(conn, svc.plans, user_id, now)
        scope = CapScope(owner_id=user_id, workspace_id=user_id, now_iso=iso(now))
        svc.policies.plan_rules.enforce(conn, "instances", plan, scope)
        instance_id = create_instance(
            conn,
            workspace_id=user_id,
            owner_id=user_id,
            team_id=None,
            name=(body.name or DEFAULT_NAME).strip() or DEFAULT_NAME,
            status="disconnected",
            wa_number=None,
            now=now,
            meta=SANDBOX_META,
        )
        row = conn.execute("SELECT * FROM instances WHERE id = ?", (instance_id,)).fetchone()
    return ok(instance_view(row))


@router.delete("/__sandbox/instances/{instance_id:rid}")
def delete_sandbox_instance(instance_id: str, svc: Svc) -> JSONResponse:
    iid = parse_id(instance_id)
    stamp = iso(svc.clock.now())
    with svc.db.transaction() as conn:
        row = conn.execute("SELECT meta FROM instances WHERE id = ? AND deleted_at IS NULL", (iid,)).fetchone()
        if row is None or not row["meta"] or json.loads(row["meta"]) != SANDBOX_META:
            raise not_found("Instance")
        conn.execute("UPDATE instances SET deleted_at = ?, updated_at = ? WHERE id = ?", (stamp, stamp, iid))
    return ok({"id": iid, "deleted": True})
