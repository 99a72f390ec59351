"""Faults that drop the workspace condition from one kind's by-id lookup (TEAM-10, ERR-02; decisions #8).

The realistic bug: a refactor to a shared "get by id" helper loses `AND workspace_id = ?` for one table, so
every by-id route of that kind (read, change, delete, its sub-routes) serves another workspace's item to any
valid key — the owner's personal key reaches the team's item and the other way round (TEAM-10), any account
reaches another account's (ERR-02). Lists stay scoped. Each fault swaps the ownership policy for one whose
`scope` is empty for its table only; loaded by `faults.py` through EXTENSION_MODULES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from msgflash_reference.faults import Fault
from msgflash_reference.policies import Policies
from msgflash_reference.policies.ownership import Ownership

# kind (as the fault names it, the path segment of its routes) -> (table, the by-id routes it reaches)
SCOPED_KINDS: dict[str, tuple[str, str]] = {
    "contacts": ("contacts", "GET/PUT/DELETE /contacts/{id}"),
    "groups": ("contact_groups", "GET/PUT/DELETE /contacts/groups/{id} and its /members"),
    "templates": ("templates", "GET/PUT/DELETE /templates/{id} and /preview"),
    "messages": ("messages", "GET /messages/{id}"),
    "campaigns": ("campaigns", "GET /campaigns/{id}, /pause and /resume"),
    "webhooks": ("webhooks", "DELETE /webhooks/{id}"),
    "bulk-jobs": ("bulk_jobs", "GET /contacts/bulk-jobs/{id}, /progress and /cancel"),
    "number-lookups": ("number_lookups", "GET /number-lookups/{id}, /progress, /cancel and /import-contacts"),
    "instances": ("instances", "GET /instances/{id}, /state and /health"),
}


class _UnscopedTable(Ownership):
    """Looks rows of one table up by id alone: any workspace's row is found."""

    def __init__(self, table: str) -> None:
        self.table = table

    def scope(self, table: str, workspace_id: str) -> tuple[str, tuple[str, ...]]:
        return ("", ()) if table == self.table else super().scope(table, workspace_id)


def _unscoped(table: str) -> Callable[[Policies], Policies]:
    return lambda p: replace(p, ownership=_UnscopedTable(table))


FAULTS: tuple[Fault, ...] = tuple(
    Fault(f"{kind}-cross-workspace-by-id", ("TEAM-10", "ERR-02"),
          f"{routes}: another workspace's item is served (the by-id lookup lost its workspace condition)",
          _unscoped(table))
    for kind, (table, routes) in SCOPED_KINDS.items()
)
