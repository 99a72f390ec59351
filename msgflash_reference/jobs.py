"""Asynchronous contact bulk jobs (facts §10, §11.9): stored in `bulk_jobs`, run by one worker thread.

The worker takes one batch at a time from the open job touched least recently (round robin), applies it in one
write transaction and records progress, so `progress` really grows and a cancel between batches stops the job.
Open jobs survive a restart and resume.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from typing import TYPE_CHECKING, Any

from msgflash_reference.bulk_ops import add_members, delete_contacts, remove_members
from msgflash_reference.clock import iso
from msgflash_reference.ids import new_id

if TYPE_CHECKING:
    from msgflash_reference.services import Services

ASYNC_THRESHOLD = 100  # ≥ 100 ids run as a job
OPEN_STATUSES = ("pending", "processing")
TERMINAL_STATUSES = ("done", "failed", "cancelled")
EMPTY_SUMMARY: dict[str, dict[str, int]] = {
    "bulk_delete_contacts": {"deleted": 0, "notFound": 0},
    "add_to_group": {"added": 0, "alreadyInGroup": 0, "notFound": 0},
    "remove_from_group": {"removed": 0, "notInGroup": 0},
}


def create_job(
    conn: sqlite3.Connection,
    *,
    workspace_id: str,
    owner_id: str,
    operation: str,
    contact_ids: list[str],
    group_id: str | None,
    now_iso: str,
) -> str:
    job_id = new_id()
    conn.execute(
        """INSERT INTO bulk_jobs (id, workspace_id, owner_id, operation, status, requested_count, group_id,
             contact_ids, summary, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)""",
        (
            job_id,
            workspace_id,
            owner_id,
            operation,
            len(contact_ids),
            group_id,
            json.dumps(contact_ids),
            json.dumps(EMPTY_SUMMARY[operation]),
            now_iso,
            now_iso,
        ),
    )
    return job_id


def accepted_view(job_id: str, operation: str, requested: int, group_id: str | None) -> dict[str, Any]:
    """The 202 body of an operation turned into a job."""
    body: dict[str, Any] = {
        "mode": "async",
        "jobId": job_id,
        "status": "pending",
        "operation": operation,
        "requestedCount": requested,
        "progress": 0,
    }
    if group_id is not None:
        body["groupId"] = group_id
    body["message"] = f"Bulk operation queued. Check status via GET /api/contacts/bulk-jobs/{job_id}"
    return body


def progress_of(processed: int, requested: int) -> int:
    return 100 if requested == 0 else min(100, processed * 100 // requested)


def job_view(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "operation": row["operation"],
        "status": row["status"],
        "requestedCount": row["requested_count"],
        "processedCount": row["processed_count"],
        "progress": progress_of(row["processed_count"], row["requested_count"]),
        "groupId": row["group_id"],
        "summary": json.loads(row["summary"]),
        "error": row["error"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "completedAt": row["completed_at"],
    }


class JobWorker:
    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="msgflash-bulk-jobs", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        delay = self.svc.config.job_batch_delay_seconds
        while not self._stop.is_set():
            try:
                worked = self.run_one_batch()
            except Exception:  # a bad job must not kill the worker; it is marked failed below
                worked = True
            if worked:
                self._stop.wait(delay)
            else:
                self._wake.wait(0.5)
                self._wake.clear()

    def run_one_batch(self) -> bool:
        """Advance the least recently touched open job by one batch; False when none is open."""
        open_statuses = self.svc.policies.contacts.jobs.open_statuses
        marks = ", ".join("?" for _ in open_statuses)
        with self.svc.db.transaction() as conn:
            row = conn.execute(
                f"SELECT * FROM bulk_jobs WHERE status IN ({marks}) ORDER BY updated_at, id LIMIT 1", open_statuses
            ).fetchone()
            if row is None:
                return False
            try:
                self._advance(conn, row)
            except Exception as err:
                now = iso(self.svc.clock.now())
                conn.execute(
                    "UPDATE bulk_jobs SET status = 'failed', error = ?, updated_at = ?, completed_at = ? WHERE id = ?",
                    (f"internal error: {type(err).__name__}", now, now, row["id"]),
                )
            return True

    def _advance(self, conn: sqlite3.Connection, job: sqlite3.Row) -> None:
        now = iso(self.svc.clock.now())
        ids: list[str] = json.loads(job["contact_ids"])
        start = job["processed_count"]
        batch = ids[start : start + self.svc.config.job_batch_size]
        summary: dict[str, Any] = json.loads(job["summary"])
        operation = job["operation"]
        if operation != "bulk_delete_contacts":
            group = conn.execute(
                "SELECT id FROM contact_groups WHERE id = ? AND workspace_id = ?",
                (job["group_id"], job["workspace_id"]),
            ).fetchone()
            if group is None:
                conn.execute(
                    "UPDATE bulk_jobs SET status = 'failed', error = 'Group not found', updated_at = ?, "
                    "completed_at = ? WHERE id = ?",
                    (now, now, job["id"]),
                )
                return
        if operation == "bulk_delete_contacts":
            deleted, missing = delete_contacts(conn, job["workspace_id"], batch)
            counts = {"deleted": deleted, "notFound": len(missing) + (len(batch) - deleted - len(missing))}
        elif operation == "add_to_group":
            counts = add_members(conn, job["workspace_id"], job["group_id"], batch, now)
        else:
            counts = remove_members(conn, job["group_id"], batch)
        for name, value in counts.items():
            summary[name] = summary.get(name, 0) + value
        processed = start + len(batch)
        done = processed >= len(ids)
        conn.execute(
            "UPDATE bulk_jobs SET status = ?, processed_count = ?, summary = ?, updated_at = ?, "
            "completed_at = ? "
            "WHERE id = ?",
            (
                "done" if done else "processing",
                processed,
                json.dumps(summary),
                now,
                self.svc.policies.contacts.jobs.completed_at(done, now),
                job["id"],
            ),
        )
