"""Faults of how the instances and templates lists are cut (PAGE-14, PAGE-16, INST-01, TPL-09): each swaps one
part of `svc.policies.listings`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from msgflash_reference.faults.fault import Fault, swap
from msgflash_reference.listing import Filters, keyset_page
from msgflash_reference.policies.listings import InstanceListing, InstanceView, TemplatePaging
from msgflash_reference.policies.pagination import CREATED_DESC, Pager

INSTANCES_PAGE_DEFAULT = 50
INSTANCES_PAGE_MAX = 100


class _CursorPagedInstances(InstanceListing):
    """Goes through the generic cursor listing like contacts: `{instances, nextCursor, hasMore}`, 50 a page."""

    def answer(self, conn: sqlite3.Connection, pager: Pager, workspace_id: str, params: Mapping[str, str],
               view: InstanceView) -> Any:
        limit = pager.parse_limit(params.get("limit"), default=INSTANCES_PAGE_DEFAULT, maximum=INSTANCES_PAGE_MAX)
        cursor = params.get("cursor")
        page = keyset_page(
            conn, pager, source="instances", columns="*",
            filters=Filters().add("workspace_id = ?", workspace_id).add("deleted_at IS NULL"),
            sort=CREATED_DESC, limit=limit, after=pager.decode(cursor, CREATED_DESC) if cursor else None,
        )
        return {"instances": [view(r) for r in page.rows], "nextCursor": page.next_cursor, "hasMore": page.has_more}


class _LimitHonouringInstances(InstanceListing):
    """Still a plain array, but the shared list dependency reads `limit` (default 50): `?limit=1` cuts the
    list to one instance."""

    def answer(self, conn: sqlite3.Connection, pager: Pager, workspace_id: str, params: Mapping[str, str],
               view: InstanceView) -> Any:
        limit = pager.parse_limit(params.get("limit"), default=INSTANCES_PAGE_DEFAULT, maximum=INSTANCES_PAGE_MAX)
        return super().answer(conn, pager, workspace_id, params, view)[:limit]


@dataclass(frozen=True)
class _FixedTemplatePaging(TemplatePaging):
    """The templates list reuses another list's constants (a default page size, or no upper bound)."""

    default: int | None = None
    maximum: int | None = None

    def limit(self, pager: Pager, raw: str | None, *, default: int, maximum: int) -> int:
        return super().limit(pager, raw, default=self.default or default, maximum=self.maximum or maximum)


FAULTS: tuple[Fault, ...] = (
    Fault("instances-list-paginated", ("PAGE-16", "INST-01", "ENV-04"),
          "GET /api/v1/instances goes through the cursor pager: {instances, nextCursor, hasMore}, 50 a page",
          swap("listings", instances=_CursorPagedInstances())),
    Fault("instances-list-honours-limit", ("PAGE-16",),
          "GET /api/v1/instances reads a limit parameter (default 50): limit=1 answers one instance",
          swap("listings", instances=_LimitHonouringInstances())),
    Fault("templates-default-limit-50", ("PAGE-14", "TPL-09"),
          "the templates list defaults to 50 a page instead of 20",
          swap("listings", templates=_FixedTemplatePaging(default=50))),
    Fault("templates-limit-max-unenforced", ("PAGE-14",),
          "the templates list serves any limit: limit=101 answers a page of up to 101 templates",
          swap("listings", templates=_FixedTemplatePaging(maximum=10**6))),
)
