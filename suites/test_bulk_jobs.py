"""Contact bulk jobs (JOB-01..07, facts §10, §11.9): a job's fields, its progress until it ends, a done job,
cancelling a running one, cancelling a done one (undocumented), unknown ids, the id format.

Jobs are bulk deletes of fresh random ids: they run through the real machinery and delete nothing.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.checks import error_code_of
from fixtures.clients import Actor
from msgflash_compliance.profile import TargetProfile
from suites.areas.common import ended, missing_fields, poll, random_id, random_ids, require_sandbox, require_writes
from suites.areas.shapes import BULK_JOB_FIELDS

BULK_DELETE = "/api/v1/contacts/bulk-delete"
JOBS = "/api/v1/contacts/bulk-jobs"
JOB_SIZE = 100  # the smallest bulk delete that runs as a job
LONG_JOB_SIZE = 10_000  # the largest: still running when cancelled right away (on the reference, ~20 s)
# After a cancel the job is watched this long (reads paced by the harness, at most MAX_AFTER_CANCEL_READS): long
# enough for several worker batches even on a loaded machine, whatever the harness's pace.
AFTER_CANCEL_SECONDS = 1.5
MAX_AFTER_CANCEL_READS = 30
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def _start_job(owner: Actor, size: int, guarantee: str) -> str:
    data = expect_ok(owner.api.post(BULK_DELETE, json={"contactIds": random_ids(size)}), 202, guarantee=guarantee)
    job_id = data.get("jobId") if isinstance(data, dict) else None
    check(isinstance(job_id, str) and bool(job_id), f"POST {BULK_DELETE} (202): no jobId", guarantee=guarantee)
    return str(job_id)


@pytest.fixture(scope="module")
def finished_job(owner: Actor, profile: TargetProfile) -> tuple[str, list[dict[str, Any]]]:
    """A job of 100 ids followed on its progress route to its end: (job id, every progress answer)."""
    require_writes(profile)
    job_id = _start_job(owner, JOB_SIZE, "JOB-02")
    return job_id, poll(owner.api, f"{JOBS}/{job_id}/progress", until=ended, guarantee="JOB-02")


@pytest.mark.smoke
@pytest.mark.guarantee("JOB-01")
def test_a_job_has_its_documented_fields(owner: Actor, profile: TargetProfile) -> None:
    require_writes(profile)
    job_id = _start_job(owner, JOB_SIZE, "JOB-01")
    job = expect_ok(owner.api.get(f"{JOBS}/{job_id}"), guarantee="JOB-01")
    missing = missing_fields(job, BULK_JOB_FIELDS)
    check(not missing, f"GET {JOBS}/{{jobId}}: the job lacks {missing}", guarantee="JOB-01")
    check(job["id"] == job_id and job["operation"] == "bulk_delete_contacts" and job["requestedCount"] == JOB_SIZE,
          f"GET {JOBS}/{{jobId}}: id, operation or requestedCount differ from the job created "
          f"({job['operation']!r}, {job['requestedCount']!r})", guarantee="JOB-01")


@pytest.mark.guarantee("JOB-02")
def test_progress_grows_to_an_end(finished_job: tuple[str, list[dict[str, Any]]]) -> None:
    _, seen = finished_job
    progress = [snapshot.get("progress") for snapshot in seen]
    check(all(isinstance(p, int) and 0 <= p <= 100 for p in progress),
          f"job progress values outside 0..100 or not integers: {progress}", guarantee="JOB-02")
    check(progress == sorted(progress), f"job progress went down: {progress}", guarantee="JOB-02")
    last = seen[-1]
    check(last.get("completedAt") is not None, f"the job ended {last.get('status')!r} without completedAt",
          guarantee="JOB-02")


@pytest.mark.guarantee("JOB-03")
def test_a_done_job_is_complete(owner: Actor, finished_job: tuple[str, list[dict[str, Any]]]) -> None:
    job_id, _ = finished_job
    job = expect_ok(owner.api.get(f"{JOBS}/{job_id}"), guarantee="JOB-03")
    got = {k: job.get(k) for k in ("status", "progress", "processedCount")}
    expected = {"status": "done", "progress": 100, "processedCount": job.get("requestedCount")}
    check(got == expected, f"a bulk delete of {JOB_SIZE} unknown ids ended {got}, expected {expected}",
          guarantee="JOB-03")


@pytest.mark.guarantee("JOB-04")
def test_a_running_job_can_be_cancelled(owner: Actor, profile: TargetProfile) -> None:
    """Sandbox only: the reference works 50 ids per 0.1 s, so a 10 000-id job is surely still open when the
    cancel arrives; a real target may finish first."""
    require_sandbox(profile, "cancelling a job while it surely still runs")
    job_id = _start_job(owner, LONG_JOB_SIZE, "JOB-04")
    job = expect_ok(owner.api.post(f"{JOBS}/{job_id}/cancel"), guarantee="JOB-04")
    check(job.get("status") == "cancelled" and job.get("completedAt") is not None,
          f"POST {JOBS}/{{jobId}}/cancel on a running job answered status {job.get('status')!r}, completedAt "
          f"{job.get('completedAt')!r}; expected cancelled with completedAt", guarantee="JOB-04")
    check(isinstance(job.get("summary"), dict), "the cancelled job has no summary object", guarantee="JOB-04")
    # A cancelled job stays cancelled and stops: watch it for a while (reads paced by the harness, no sleeping).
    reads: list[dict[str, Any]] = []
    until = time.monotonic() + AFTER_CANCEL_SECONDS
    while time.monotonic() < until and len(reads) < MAX_AFTER_CANCEL_READS:
        reads.append(expect_ok(owner.api.get(f"{JOBS}/{job_id}"), guarantee="JOB-04"))
    states = [(r.get("status"), r.get("processedCount")) for r in reads]
    check(all(s == ("cancelled", job.get("processedCount")) for s in states),
          f"after the cancel (status cancelled, {job.get('processedCount')} processed) the job reads {states}; it "
          "must stay cancelled and stop", guarantee="JOB-04")


@pytest.mark.guarantee("JOB-05")
def test_cancelling_a_done_job_is_refused(owner: Actor, finished_job: tuple[str, list[dict[str, Any]]]) -> None:
    """INFO: only pending/processing jobs are cancellable; the refusal is undocumented (the reference: 400)."""
    job_id, _ = finished_job
    response = owner.api.post(f"{JOBS}/{job_id}/cancel")
    expect_error(response, range(400, 500), error_code_of(response), guarantee="JOB-05")


@pytest.mark.guarantee("JOB-06")
@pytest.mark.parametrize("suffix", ["", "/progress"])
def test_an_unknown_job_is_not_found(suffix: str, owner: Actor) -> None:
    expect_error(owner.api.get(f"{JOBS}/{random_id()}{suffix}"), 404, "NOT_FOUND", guarantee="JOB-06")


@pytest.mark.guarantee("JOB-07")
def test_job_ids_are_uuids(finished_job: tuple[str, list[dict[str, Any]]]) -> None:
    """INFO: typed UUID in the docs, `job_abc123` in their examples."""
    job_id, _ = finished_job
    check(bool(UUID_RE.match(job_id)), f"job id {job_id!r} is not a UUID", guarantee="JOB-07")
