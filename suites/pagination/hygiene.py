"""Removing what the pagination suites created, in few requests: contacts by bulk delete (at most 99 ids a
call, so it stays synchronous), groups one by one, and a sweep by search term for anything a lost answer
left untracked. Idempotent, with an `atexit` fallback; problems go to the factory's `cleanup_problems`,
which the run's report prints. Bulk jobs cannot be deleted (the API has no route for it): each run adds a
few, made of unknown ids, that touch nothing.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterable

from fixtures.factories import DataFactory
from suites.pagination.workspaces import Workspace

BULK_DELETE_PATH = "/api/v1/contacts/bulk-delete"
SYNC_BULK_MAX = 99  # 100 ids or more make an async job (facts §10)
SWEEP_PAGES = 5


class Cleanup:
    def __init__(self, factory: DataFactory) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._contacts: dict[str, tuple[Workspace, set[str]]] = {}
        self._groups: dict[str, tuple[Workspace, set[str]]] = {}
        self._terms: list[tuple[Workspace, str]] = []
        atexit.register(self.run)

    def contact(self, workspace: Workspace, contact_id: str) -> None:
        with self._lock:
            self._contacts.setdefault(workspace.name, (workspace, set()))[1].add(contact_id)

    def group(self, workspace: Workspace, group_id: str) -> None:
        with self._lock:
            self._groups.setdefault(workspace.name, (workspace, set()))[1].add(group_id)

    def forget_contact(self, workspace: Workspace, contact_id: str) -> None:
        """A test deleted it itself."""
        with self._lock:
            self._contacts.get(workspace.name, (workspace, set()))[1].discard(contact_id)

    def sweep_term(self, workspace: Workspace, term: str) -> None:
        """At cleanup, also delete every contact a search for `term` finds (the run's prefix is in it)."""
        with self._lock:
            self._terms.append((workspace, term))

    def run(self) -> None:
        with self._lock:
            contacts, self._contacts = self._contacts, {}
            groups, self._groups = self._groups, {}
            terms, self._terms = self._terms, []
        for workspace, term in terms:
            found = self._search(workspace, term)
            contacts.setdefault(workspace.name, (workspace, set()))[1].update(found)
        for workspace, ids in contacts.values():
            self.delete_contacts(workspace, ids)
        for workspace, ids in groups.values():
            client = workspace.make(housekeeping=True)
            try:
                for group_id in ids:
                    answer = client.delete(f"/api/v1/contacts/groups/{group_id}")
                    if answer.status_code >= 400 and answer.status_code != 404:
                        self._problem(f"group {group_id}: DELETE answered {answer.status_code}")
            except Exception as err:  # cleanup goes on whatever one request does
                self._problem(f"groups of {workspace.name}: {err.__class__.__name__}")
            finally:
                client.close()

    def delete_contacts(self, workspace: Workspace, ids: Iterable[str]) -> None:
        wanted = sorted(ids)
        client = workspace.make(housekeeping=True)
        try:
            for start in range(0, len(wanted), SYNC_BULK_MAX):
                chunk = wanted[start:start + SYNC_BULK_MAX]
                answer = client.post(BULK_DELETE_PATH, json={"contactIds": chunk})
                if answer.status_code != 200:
                    self._problem(f"{len(chunk)} contacts of {workspace.name}: bulk delete answered "
                                  f"{answer.status_code}")
        except Exception as err:
            self._problem(f"contacts of {workspace.name}: {err.__class__.__name__}")
        finally:
            client.close()

    def _search(self, workspace: Workspace, term: str) -> set[str]:
        found: set[str] = set()
        client = workspace.make(housekeeping=True)
        params: dict[str, object] = {"search": term, "limit": 100}
        try:
            for _ in range(SWEEP_PAGES):
                answer = client.get("/api/v1/contacts", params=params)
                data = answer.json().get("data") if answer.status_code == 200 else None
                if not isinstance(data, dict):
                    break
                found.update(c["id"] for c in data.get("contacts") or []
                             if isinstance(c, dict) and term in str(c.get("name", "")))
                if not data.get("hasMore") or not data.get("nextCursor"):
                    break
                params["cursor"] = data["nextCursor"]
        except Exception as err:
            self._problem(f"sweep of {term!r}: {err.__class__.__name__}")
        finally:
            client.close()
        return found

    def _problem(self, text: str) -> None:
        self._factory.cleanup_problems.append(f"pagination: {text}")
