"""Faults of contacts, groups, group members and bulk jobs (CNT, GRP, JOB): what a PUT changes, when an operation
on ids runs as a job and what its synchronous answer says, the create answers, a group's member count and a
job's view. Each swaps one part of `svc.policies.contacts`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from msgflash_reference.faults.fault import Fault, swap
from msgflash_reference.policies.contacts import (
    BulkRules,
    ContactAnswers,
    GroupCounts,
    GroupViews,
    JobRules,
    MemberAnswers,
    UpdateRule,
)

if TYPE_CHECKING:
    from msgflash_reference.contact_store import ContactUpdate


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


class _CountAsOfLastSave(GroupCounts):
    """A counter kept on the group row and refreshed only when the group itself is saved (create, PUT): members
    added since are not counted. Modelled as the members added no later than the group's updated_at."""

    def member_count(self) -> str:
        return ("(SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id "
                "AND m.added_at <= g.updated_at)")


class _AttemptsCountedAsAdded(MemberAnswers):
    """Counts every existing contact it tried to insert as added (INSERT OR IGNORE, rowcount not read)."""

    def added(self, counts: dict[str, int], requested: int) -> dict[str, int]:
        tried = counts["added"] + counts["alreadyInGroup"]
        return {**counts, "added": tried, "alreadyInGroup": 0, "total": requested}


class _IdOnlyCreate(ContactAnswers):
    """Answers the insert's id only, as an ORM's `insert().returning(id)` would."""

    def created(self, view: dict[str, Any]) -> dict[str, Any]:
        return {"id": view["id"]}


FAULTS: tuple[Fault, ...] = (
    Fault("contact-update-merges-tags", ("CNT-03",),
          "PUT /contacts/{id} adds the new tags to the old ones and merges meta instead of replacing them",
          swap("contacts", update=_MergingUpdate())),
    Fault("contact-update-resets-omitted", ("CNT-04",),
          "PUT /contacts/{id} is a full replacement: tags and meta left out of the body are cleared",
          swap("contacts", update=_FullReplacementUpdate())),
    Fault("bulk-async-from-101", ("CNT-07", "GRP-05", "GRP-07"),
          "bulk operations run as a job only above 100 ids (exactly 100 are still synchronous)",
          swap("contacts", bulk=BulkRules(async_threshold=101))),
    Fault("bulk-async-from-50", ("CNT-08",),
          "bulk operations run as a job from 50 ids (the worker's batch size), so 99 ids answer 202",
          swap("contacts", bulk=BulkRules(async_threshold=50))),
    Fault("bulk-ids-unbounded", ("CNT-05", "GRP-08"),
          "contact bulk operations accept more than 10 000 ids",
          swap("contacts", bulk=BulkRules(max_ids=None))),
    Fault("bulk-delete-not-found-count", ("CNT-06",),
          "a synchronous bulk delete reports notFound as a count instead of the list of unknown ids",
          swap("contacts", bulk=_NotFoundAsCount())),
    Fault("remove-members-counts-requested", ("GRP-06",),
          "removing members answers removed = ids sent and notInGroup 0, whether they were members or not",
          swap("contacts", bulk=_RequestedCountedAsRemoved())),
    Fault("group-create-without-count", ("GRP-01",),
          "the group create answer has no contactCount",
          swap("contacts", group_views=_CountlessCreatedGroup())),
    Fault("job-progress-off-by-one", ("JOB-03",),
          "job progress divides by requestedCount + 1: a done job shows progress 99",
          swap("contacts", jobs=_ProgressOffByOne())),
    Fault("job-done-without-completed-at", ("JOB-02",),
          "a job that finishes gets status done but no completedAt",
          swap("contacts", jobs=_NoCompletionStamp())),
    Fault("job-view-sparse", ("JOB-01",),
          "a job leaves out groupId, summary and the other fields it has no value for",
          swap("contacts", jobs=_SparseJobView())),
    Fault("job-cancel-not-stopping", ("JOB-04",),
          "the worker keeps running cancelled jobs (and sets them back to processing)",
          swap("contacts", jobs=_CancelledStillRun())),
    Fault("group-count-stale", ("GRP-09",),
          "a group's contactCount is refreshed only when the group is saved: members added later are not counted",
          swap("contacts", group_counts=_CountAsOfLastSave())),
    Fault("add-members-already-as-added", ("GRP-04",),
          "adding members counts contacts already in the group as added (alreadyInGroup always 0)",
          swap("contacts", member_answers=_AttemptsCountedAsAdded())),
    Fault("contact-create-id-only", ("CNT-02",),
          "creating a contact answers {id} only instead of the contact",
          swap("contacts", contact_answers=_IdOnlyCreate())),
)
