"""Contact bulk jobs (facts §11.9): list (cursor = the last job's id, typed UUID in the docs), get, progress,
cancel. The jobs themselves run in jobs.JobWorker."""

from __future__ import annotations

import sqlite3

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from msgflash_reference.auth import WorkspaceKey
from msgflash_reference.clock import iso
from msgflash_reference.envelopes import ok
from msgflash_reference.errors import ApiError, invalid_field
from msgflash_reference.ids import is_uuid, parse_id
from msgflash_reference.jobs import OPEN_STATUSES
from msgflash_reference.listing import Filters, keyset_page
from msgflash_reference.policies.pagination import CREATED_DESC
from msgflash_reference.services import Services, Svc

router = APIRouter()

JOBS_DEFAULT_LIMIT = 20
JOBS_MAX_LIMIT = 100


def _cursor_position(conn: sqlite3.Connection, workspace_id: str, cursor: str) -> tuple[str, str]:
    """The (createdAt, id) of the job a cursor names; 400 when it is not a job of this workspace."""
    if not is_uuid(cursor):
        raise invalid_field("cursor", "must be the nextCursor of a previous page")
    row = conn.execute(
        "SELECT created_at, id FROM bulk_jobs WHERE id = ? AND workspace_id = ?", (cursor.lower(), workspace_id)
    ).fetchone()
    if row is None:
        raise invalid_field("cursor", "must be the nextCursor of a previous page")
    return row["created_at"], row["id"]


@router.get("/api/v1/contacts/bulk-jobs")
def list_jobs(ctx: WorkspaceKey, svc: Svc, limit: str | None = None, cursor: str | None = None) -> JSONResponse:
    pager = svc.policies.pager
    size = pager.parse_limit(limit, default=JOBS_DEFAULT_LIMIT, maximum=JOBS_MAX_LIMIT)
    with svc.db.read() as conn:
        after = _cursor_position(conn, ctx.workspace_id, cursor) if cursor is not None else None
        page = keyset_page(
            conn,
            pager,
            source="bulk_jobs",
            columns="*",
            filters=Filters().add("workspace_id = ?", ctx.workspace_id),
            sort=CREATED_DESC,
            limit=size,
            after=after,
            cursor_of=lambda row: row["id"],
        )
    view = svc.policies.contacts.jobs.view
    return ok({"jobs": [view(r) for r in page.rows], "nextCursor": page.next_cursor, "hasMore": page.has_more})


def _get(svc: Services, workspace_id: str, job_id: str) -> JSONResponse:
    jid = parse_id(job_id, "jobId")
    with svc.db.read() as conn:
        row = svc.policies.ownership.load(conn, "bulk_jobs", jid, workspace_id, "Job")
        return ok(svc.policies.contacts.jobs.view(row))


@router.get("/api/v1/contacts/bulk-jobs/{job_id:rid}")
def get_job(ctx: WorkspaceKey, svc: Svc, job_id: str) -> JSONResponse:
    return _get(svc, ctx.workspace_id, job_id)


@router.get("/api/v1/contacts/bulk-jobs/{job_id:rid}/progress")
def get_job_progress(ctx: WorkspaceKey, svc: Svc, job_id: str) -> JSONResponse:
    """The job with its progress and partial summary (the same object as GET job)."""
    return _get(svc, ctx.workspace_id, job_id)


@router.post("/api/v1/contacts/bulk-jobs/{job_id:rid}/cancel")
def cancel_job(ctx: WorkspaceKey, svc: Svc, job_id: str) -> JSONResponse:
    """Only pending/processing jobs; others answer 400 BAD_REQUEST (undocumented, JOB-05)."""
    jid = parse_id(job_id, "jobId")
    now = iso(svc.clock.now())
    with svc.db.transaction() as conn:
        row = svc.policies.ownership.load(conn, "bulk_jobs", jid, ctx.workspace_id, "Job")
        if row["status"] not in OPEN_STATUSES:
            raise ApiError("BAD_REQUEST", f"Only pending or processing jobs can be cancelled (job is {row['status']})")
        conn.execute(
            "UPDATE bulk_jobs SET status = 'cancelled', updated_at = ?, completed_at = ? WHERE id = ?", (now, now, jid)
        )
        row = conn.execute("SELECT * FROM bulk_jobs WHERE id = ?", (jid,)).fetchone()
    return ok(svc.policies.contacts.jobs.view(row))
