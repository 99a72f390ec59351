"""Contacts, groups, group members and bulk-job policies (facts §10, §11.7–§11.9): `svc.policies.contacts`.

Each seam decides one thing a real implementation can get wrong; a fault (`faults/contacts.py`) replaces
exactly one of them:

* `update`: what a PUT changes (tags and meta replaced, omitted fields kept: CNT-03, CNT-04);
* `bulk`: when an operation on ids runs as a job, how many ids it takes, what a synchronous answer says
  (CNT-05..08, GRP-05..08);
* `group_views`: the create answer of a group (GRP-01);
* `jobs`: a job's view and progress, and which jobs the worker still runs (JOB-01..04);
* `contact_answers`: the answer of a contact create (CNT-02);
* `group_counts`: the SQL column that counts a group's members (GRP-09);
* `member_answers`: the answer of a synchronous add-members call (GRP-04; removals answer through `bulk`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from msgflash_reference.errors import invalid_field

if TYPE_CHECKING:
    from msgflash_reference.contact_store import ContactUpdate

ASYNC_THRESHOLD = 100  # ≥ 100 ids run as a job (facts §10)
MAX_IDS = 10_000  # contact bulk operations take 1 to 10 000 ids

# Live count of a group's members; `g` is the contact_groups row of the query.
LIVE_MEMBER_COUNT = "(SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id)"


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


class GroupCounts:
    def columns(self) -> str:
        """The select list of a group read: the row and its member count as `contact_count`."""
        return f"g.*, {self.member_count()} AS contact_count"

    def member_count(self) -> str:
        return LIVE_MEMBER_COUNT


class MemberAnswers:
    def added(self, counts: dict[str, int], requested: int) -> dict[str, int]:
        """{added, alreadyInGroup, notFound, total} of a synchronous add."""
        return {**counts, "total": requested}


class ContactAnswers:
    def created(self, view: dict[str, Any]) -> dict[str, Any]:
        """The create answer: the contact as GET shows it."""
        return view


@dataclass(frozen=True)
class ContactPolicies:
    update: UpdateRule = field(default_factory=UpdateRule)
    bulk: BulkRules = field(default_factory=BulkRules)
    group_views: GroupViews = field(default_factory=GroupViews)
    jobs: JobRules = field(default_factory=JobRules)
    contact_answers: ContactAnswers = field(default_factory=ContactAnswers)
    group_counts: GroupCounts = field(default_factory=GroupCounts)
    member_answers: MemberAnswers = field(default_factory=MemberAnswers)
