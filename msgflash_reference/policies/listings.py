"""How two public lists are cut (PAGE-14, PAGE-16, INST-01): `svc.policies.listings`.

* `instances`: the whole `GET /api/v1/instances` answer (a plain array of every instance, no query parameter
  read);
* `templates`: the `limit` of `GET /api/v1/templates` (default 20, max 100).

Faults: `faults/listings.py`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from msgflash_reference.policies.pagination import Pager

InstanceView = Callable[[sqlite3.Row], dict[str, Any]]


class InstanceListing:
    """GET /api/v1/instances: every live instance of the workspace, a plain array; it takes no parameters, so
    whatever the query string holds (limit, cursor, page) is ignored."""

    def answer(self, conn: sqlite3.Connection, pager: Pager, workspace_id: str, params: Mapping[str, str],
               view: InstanceView) -> Any:
        rows = conn.execute(
            "SELECT * FROM instances WHERE workspace_id = ? AND deleted_at IS NULL ORDER BY created_at, id",
            (workspace_id,),
        ).fetchall()
        return [view(r) for r in rows]


class TemplatePaging:
    """The `limit` of the templates list: 1..maximum, default when absent (the route passes 20 and 100)."""

    def limit(self, pager: Pager, raw: str | None, *, default: int, maximum: int) -> int:
        return pager.parse_limit(raw, default=default, maximum=maximum)


@dataclass(frozen=True)
class Listings:
    instances: InstanceListing = field(default_factory=InstanceListing)
    templates: TemplatePaging = field(default_factory=TemplatePaging)
