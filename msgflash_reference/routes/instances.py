"""Instances, read-only on the public API (facts §11.11, G10): list (plain array), get, state, health."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from msgflash_reference.auth import WorkspaceKey
from msgflash_reference.envelopes import ok
from msgflash_reference.ids import parse_id
from msgflash_reference.services import Svc

router = APIRouter()

PROVIDER_STATES = {"connected": "open", "connecting": "connecting", "disconnected": "close"}


def instance_view(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "waNumber": row["wa_number"],
        "status": row["status"],
        "webhook": row["webhook"],
        "meta": json.loads(row["meta"]) if row["meta"] else None,
        "deletedAt": row["deleted_at"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def risk_level(score: int) -> str:
    return "low" if score >= 70 else "medium" if score >= 40 else "high"


@router.get("/api/v1/instances")
def list_instances(ctx: WorkspaceKey, svc: Svc, request: Request) -> JSONResponse:
    views = svc.policies.views.instances
    with svc.db.read() as conn:
        data = svc.policies.listings.instances.answer(conn, svc.policies.pager, ctx.workspace_id, request.query_params,
                                              lambda row: views.listed(instance_view(row)))
    return ok(data)


@router.get("/api/v1/instances/{instance_id:rid}")
def get_instance(ctx: WorkspaceKey, svc: Svc, instance_id: str) -> JSONResponse:
    iid = parse_id(instance_id)
    with svc.db.read() as conn:
        row = svc.policies.ownership.load(conn, "instances", iid, ctx.workspace_id, "Instance")
        return ok(svc.policies.views.instances.read(instance_view(row)))


@router.get("/api/v1/instances/{instance_id:rid}/state")
def get_instance_state(ctx: WorkspaceKey, svc: Svc, instance_id: str) -> JSONResponse:
    iid = parse_id(instance_id)
    with svc.db.read() as conn:
        row = svc.policies.ownership.load(conn, "instances", iid, ctx.workspace_id, "Instance")
    state = {"instanceId": row["id"], "status": row["status"], "providerState": PROVIDER_STATES[row["status"]]}
    return ok(svc.policies.views.instances.state(state))


@router.get("/api/v1/instances/{instance_id:rid}/health")
def get_instance_health(ctx: WorkspaceKey, svc: Svc, instance_id: str) -> JSONResponse:
    iid = parse_id(instance_id)
    with svc.db.read() as conn:
        row = svc.policies.ownership.load(conn, "instances", iid, ctx.workspace_id, "Instance")
    score = max(0, min(100, int(row["health_score"])))
    return ok({"instanceId": row["id"], "status": row["status"], "healthScore": score, "riskLevel": risk_level(score)})
