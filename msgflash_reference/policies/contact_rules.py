"""Contacts, groups and bulk-job policies (facts §10, §11.7–§11.9) and the faults that swap them.

`faults.py` loads this module through EXTENSION_MODULES: the defaults land in `svc.policies.extra["contacts"]`
(a `ContactPolicies`, read with `contact_policies(svc)`), FAULTS join the registry. Each seam decides one thing
a real implementation can get wrong; a fault replaces exactly one of them:

* `update`: what a PUT changes (tags and meta replaced, omitted fields kept: CNT-03, CNT-04);
* `bulk`: when an operation on ids runs as a job, how many ids it takes, what a synchronous answer says
  (CNT-05..08, GRP-05..08);
* `group_views`: the create answer of a group (GRP-01);
* `jobs`: a job's view and progress, and which jobs the worker still runs (JOB-01..04).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from msgflash_reference.errors import invalid_field
from msgflash_reference.faults import Fault

if TYPE_CHECKING:
    from msgflash_reference.contact_store import ContactUpdate
    from msgflash_reference.policies import Policies
    from msgflash_reference.services import Services

ASYNC_THRESHOLD = 100  # ≥ 100 ids run as a job (facts §10)
MAX_IDS = 10_000  # contact bulk operations take 1 to 10 000 ids


# -- the seams ------------------------------------------------------------------------------------------
class UpdateRule:
    """PUT /contacts/{id}: only the fields given change; `tags` and `meta` replace the stored values."""

    def changes(self, body: ContactUpdate, stored: sqlite3.Row, clean_name: Callable[[str], str]) -> dict[str, Any]:
        given = body.model_fields_set
        changes: dict[str, Any] = {}
        if "name" in given and body.name is not None:
            changes["name"] = clean_name(body.name)
        if "phone" in given and body.phone is not None:
            changes["phone"] = body.phone
        if "tags" in given:
            changes["tags"] = json.dumps(body.tags or [])
        if "meta" in given:
            changes["meta"] = json.dumps(body.meta) if body.meta is not None else None
        return changes


@dataclass(frozen=True)
class BulkRules:
    async_threshold: int = ASYNC_THRESHOLD
    max_ids: int | None = MAX_IDS

    def is_async(self, count: int) -> bool:
        return count >= self.async_threshold

    def check_count(self, count: int) -> None:
        """The upper bound (the lower one, 1, is the body model's): 400 VALIDATION_ERROR beyond it."""
        if self.max_ids is not None and count > self.max_ids:
            raise invalid_field("contactIds", f"at most {self.max_ids} ids")

    def delete_result(self, requested: int, deleted: int, missing: list[str]) -> dict[str, Any]:
        return {"requested": requested, "deleted": deleted, "notFound": missing}

    def remove_result(self, counts: dict[str, int], requested: int) -> dict[str, int]:
        return counts


class GroupViews:
    def created(self, view: dict[str, Any]) -> dict[str, Any]:
        """The create answer: the group as GET shows it (contactCount 0)."""
        return view


class JobRules:
    open_statuses: tuple[str, ...] = ("pending", "processing")

    def progress(self, processed: int, requested: int) -> int:
        return 100 if requested == 0 else min(100, processed * 100 // requested)

    def completed_at(self, done: bool, now_iso: str) -> str | None:
        """What the worker stamps on a job after a batch: the completion time once the last batch is done."""
        return now_iso if done else None

    def view(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "operation": row["operation"],
            "status": row["status"],
            "requestedCount": row["requested_count"],
            "processedCount": row["processed_count"],
            "progress": self.progress(row["processed_count"], row["requested_count"]),
            "groupId": row["group_id"],
            "summary": json.loads(row["summary"]),
            "error": row["error"],
            "createdAt": row["created_at"],
            "updatedAt": row["updated_at"],
            "completedAt": row["completed_at"],
        }


@dataclass(frozen=True)
class ContactPolicies:
    update: UpdateRule = field(default_factory=UpdateRule)
    bulk: BulkRules = field(default_factory=BulkRules)
    group_views: GroupViews = field(default_factory=GroupViews)
    jobs: JobRules = field(default_factory=JobRules)


DEFAULT_CONTACT_POLICIES = ContactPolicies()
POLICY_DEFAULTS: dict[str, object] = {"contacts": DEFAULT_CONTACT_POLICIES}


def contact_policies(svc: Services) -> ContactPolicies:
    return svc.policies.extra.get("contacts", DEFAULT_CONTACT_POLICIES)


# -- faulty pieces ----------------------------------------------------------------------------------------
class _MergingUpdate(UpdateRule):
    """Treats PUT like PATCH on collections: new tags are added to the old ones, meta keys merged."""

    def changes(self, body: ContactUpdate, stored: sqlite3.Row, clean_name: Callable[[str], str]) -> dict[str, Any]:
        changes = super().changes(body, stored, clean_name)
        if "tags" in changes:
            old = json.loads(stored["tags"])
            changes["tags"] = json.dumps([*old, *(t for t in json.loads(changes["tags"]) if t not in old)])
        if changes.get("meta") is not None:
            old_meta = json.loads(stored["meta"]) if stored["meta"] else {}
            changes["meta"] = json.dumps({**old_meta, **json.loads(changes["meta"])})
        return changes


class _FullReplacementUpdate(UpdateRule):
    """Treats PUT as a full replacement: what the body leaves out is reset (tags emptied, meta dropped)."""

    def changes(self, body: ContactUpdate, stored: sqlite3.Row, clean_name: Callable[[str], str]) -> dict[str, Any]:
        changes = super().changes(body, stored, clean_name)
        changes.setdefault("tags", json.dumps([]))
        changes.setdefault("meta", None)
        return changes


@dataclass(frozen=True)
class _NotFoundAsCount(BulkRules):
    """Reports unknown ids as a count, like the add-members answer does (facts §14.17)."""

    def delete_result(self, requested: int, deleted: int, missing: list[str]) -> dict[str, Any]:
        return {"requested": requested, "deleted": deleted, "notFound": len(missing)}


@dataclass(frozen=True)
class _RequestedCountedAsRemoved(BulkRules):
    """Answers how many ids were asked to be removed, not how many were in the group."""

    def remove_result(self, counts: dict[str, int], requested: int) -> dict[str, int]:
        return {"removed": requested, "notInGroup": 0}


class _CountlessCreatedGroup(GroupViews):
    """The create answer is the inserted row: the member count is only computed by the read queries."""

    def created(self, view: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in view.items() if k != "contactCount"}


class _ProgressOffByOne(JobRules):
    """Divides by requestedCount + 1 (a guard against dividing by zero): a done job shows 99."""

    def progress(self, processed: int, requested: int) -> int:
        return min(100, processed * 100 // (requested + 1))


class _NoCompletionStamp(JobRules):
    """The worker's last batch sets status done but forgets completedAt."""

    def completed_at(self, done: bool, now_iso: str) -> str | None:
        return None


class _SparseJobView(JobRules):
    """Leaves out what a delete job does not use (groupId, summary) and what is still empty."""

    def view(self, row: sqlite3.Row) -> dict[str, Any]:
        return {k: v for k, v in super().view(row).items() if v is not None and k != "summary"}


class _CancelledStillRun(JobRules):
    """The worker picks every job that is not done or failed: a cancelled job goes on (and says processing)."""

    open_statuses = ("pending", "processing", "cancelled")


def _contacts(**changes: Any) -> Callable[[Policies], Policies]:
    def apply(policies: Policies) -> Policies:
        current = policies.extra.get("contacts", DEFAULT_CONTACT_POLICIES)
        return policies.with_extra("contacts", replace(current, **changes))

    return apply


FAULTS: tuple[Fault, ...] = (
    Fault("contact-update-merges-tags", ("CNT-03",),
          "PUT /contacts/{id} adds the new tags to the old ones and merges meta instead of replacing them",
          _contacts(update=_MergingUpdate())),
    Fault("contact-update-resets-omitted", ("CNT-04",),
          "PUT /contacts/{id} is a full replacement: tags and meta left out of the body are cleared",
          _contacts(update=_FullReplacementUpdate())),
    Fault("bulk-async-from-101", ("CNT-07", "GRP-05", "GRP-07"),
          "bulk operations run as a job only above 100 ids (exactly 100 are still synchronous)",
          _contacts(bulk=BulkRules(async_threshold=101))),
    Fault("bulk-async-from-50", ("CNT-08",),
          "bulk operations run as a job from 50 ids (the worker's batch size), so 99 ids answer 202",
          _contacts(bulk=BulkRules(async_threshold=50))),
    Fault("bulk-ids-unbounded", ("CNT-05", "GRP-08"),
          "contact bulk operations accept more than 10 000 ids",
          _contacts(bulk=BulkRules(max_ids=None))),
    Fault("bulk-delete-not-found-count", ("CNT-06",),
          "a synchronous bulk delete reports notFound as a count instead of the list of unknown ids",
          _contacts(bulk=_NotFoundAsCount())),
    Fault("remove-members-counts-requested", ("GRP-06",),
          "removing members answers removed = ids sent and notInGroup 0, whether they were members or not",
          _contacts(bulk=_RequestedCountedAsRemoved())),
    Fault("group-create-without-count", ("GRP-01",),
          "the group create answer has no contactCount",
          _contacts(group_views=_CountlessCreatedGroup())),
    Fault("job-progress-off-by-one", ("JOB-03",),
          "job progress divides by requestedCount + 1: a done job shows progress 99",
          _contacts(jobs=_ProgressOffByOne())),
    Fault("job-done-without-completed-at", ("JOB-02",),
          "a job that finishes gets status done but no completedAt",
          _contacts(jobs=_NoCompletionStamp())),
    Fault("job-view-sparse", ("JOB-01",),
          "a job leaves out groupId, summary and the other fields it has no value for",
          _contacts(jobs=_SparseJobView())),
    Fault("job-cancel-not-stopping", ("JOB-04",),
          "the worker keeps running cancelled jobs (and sets them back to processing)",
          _contacts(jobs=_CancelledStillRun())),
)
