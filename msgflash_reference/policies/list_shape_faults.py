"""How three public answers are cut and what a delete of an unknown id does, as seams with the documented
behaviour by default, and the faults that swap them (issue 3: AUTH-07, ERR-05, PAGE-14, PAGE-16).

`faults.py` loads this module through EXTENSION_MODULES; the defaults land in `svc.policies.extra`:

* `"listings"` (a `Listings`, read with `listings(svc)`): `instances`, the whole `GET /api/v1/instances`
  answer (a plain array of every instance, no query parameter read: PAGE-16, INST-01); `templates`, the
  `limit` of `GET /api/v1/templates` (default 20, max 100: PAGE-14);
* `"webhook_deletion"` (a `WebhookDeletion`, read with `webhook_deletion(svc)`): which endpoint a
  `DELETE /api/v1/webhooks/{id}` removes; an id the workspace has no live endpoint under is 404 (ERR-05).

The AUTH-07 fault swaps one cell of the console role matrix (`policies/roles.py`), like the role faults there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from msgflash_reference.faults import Fault
from msgflash_reference.listing import Filters, keyset_page
from msgflash_reference.policies.ownership import Ownership
from msgflash_reference.policies.pagination import CREATED_DESC, Pager
from msgflash_reference.policies.roles import Action

if TYPE_CHECKING:
    from msgflash_reference.policies import Policies
    from msgflash_reference.policies.messaging import WebhookRemoval
    from msgflash_reference.services import Services

InstanceView = Callable[[sqlite3.Row], dict[str, Any]]


# -- the seams ------------------------------------------------------------------------------------------
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


class WebhookDeletion:
    """DELETE /api/v1/webhooks/{id}: the workspace's live endpoint with that id, or 404 NOT_FOUND."""

    def delete(self, conn: sqlite3.Connection, ownership: Ownership, removal: WebhookRemoval, webhook_id: str,
               workspace_id: str, now_iso: str) -> None:
        row = ownership.load(conn, "webhooks", webhook_id, workspace_id, "Webhook")
        removal.remove(conn, row["id"], now_iso)


DEFAULT_LISTINGS = Listings()
DEFAULT_WEBHOOK_DELETION = WebhookDeletion()
POLICY_DEFAULTS: dict[str, object] = {"listings": DEFAULT_LISTINGS, "webhook_deletion": DEFAULT_WEBHOOK_DELETION}


def listings(svc: Services) -> Listings:
    return svc.policies.extra.get("listings", DEFAULT_LISTINGS)


def webhook_deletion(svc: Services) -> WebhookDeletion:
    return svc.policies.extra.get("webhook_deletion", DEFAULT_WEBHOOK_DELETION)


# -- faulty pieces ----------------------------------------------------------------------------------------
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


class _IdempotentWebhookDeletion(WebhookDeletion):
    """Treats DELETE as idempotent: an id it finds no live endpoint under counts as already deleted (200)."""

    def delete(self, conn: sqlite3.Connection, ownership: Ownership, removal: WebhookRemoval, webhook_id: str,
               workspace_id: str, now_iso: str) -> None:
        row = conn.execute(
            "SELECT id FROM webhooks WHERE id = ? AND workspace_id = ? AND deleted_at IS NULL",
            (webhook_id, workspace_id),
        ).fetchone()
        if row is not None:
            removal.remove(conn, row["id"], now_iso)


def _listings(**changes: Any) -> Callable[[Policies], Policies]:
    def apply(policies: Policies) -> Policies:
        return policies.with_extra("listings", replace(policies.extra.get("listings", DEFAULT_LISTINGS), **changes))

    return apply


def _billing_read_hidden(policies: Policies) -> Policies:
    """The role check hides what it refuses: a collaborator's subscription read is 404 NOT_FOUND."""
    matrix = policies.extra["roles"].with_rule(Action.BILLING_READ, code="NOT_FOUND",
                                               message="Subscription not found")
    return policies.with_extra("roles", matrix)


FAULTS: tuple[Fault, ...] = (
    Fault("instances-list-paginated", ("PAGE-16", "INST-01", "ENV-04"),
          "GET /api/v1/instances goes through the cursor pager: {instances, nextCursor, hasMore}, 50 a page",
          _listings(instances=_CursorPagedInstances())),
    Fault("instances-list-honours-limit", ("PAGE-16",),
          "GET /api/v1/instances reads a limit parameter (default 50): limit=1 answers one instance",
          _listings(instances=_LimitHonouringInstances())),
    Fault("templates-default-limit-50", ("PAGE-14", "TPL-09"),
          "the templates list defaults to 50 a page instead of 20",
          _listings(templates=_FixedTemplatePaging(default=50))),
    Fault("templates-limit-max-unenforced", ("PAGE-14",),
          "the templates list serves any limit: limit=101 answers a page of up to 101 templates",
          _listings(templates=_FixedTemplatePaging(maximum=10**6))),
    Fault("webhook-delete-unknown-succeeds", ("ERR-05", "WH-07", "ERR-02"),
          "DELETE /api/v1/webhooks/{id} is idempotent: an unknown, deleted or foreign id answers 200 deleted",
          lambda p: p.with_extra("webhook_deletion", _IdempotentWebhookDeletion())),
    Fault("collaborator-subscription-404", ("AUTH-07", "ROLE-07"),
          "the role check hides the team's subscription from a collaborator: 404 NOT_FOUND instead of 403",
          _billing_read_hidden),
)
