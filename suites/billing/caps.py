"""Making things up to a plan cap and taking them away again: API keys (console, personal or team) and
contact groups (public API). Everything made is tracked by the data factory (deleted when the run ends
whatever happens) and deleted by the check itself as soon as it is done, so a filled pool never outlives
its check (later checks of the run create keys and groups of the same accounts)."""

from __future__ import annotations

from typing import Any

import httpx

from fixtures.checks import json_body
from fixtures.clients import Actor
from fixtures.errors import HarnessError
from fixtures.factories import DataFactory
from suites.billing.shapes import obj
from suites.key_scoping.controls import expect_control

PERSONAL_KEYS_PATH = "/api/api-keys"
GROUPS_PATH = "/api/v1/contacts/groups"
USAGE_PATH = "/api/v1/billing/usage"
LIST_PAGES_MAX = 20


def team_keys_path(team_id: str) -> str:
    return f"/api/teams/{team_id}/api-keys"


def key_pool(actor: Actor) -> int:
    """The account's keys in use, personal and team together (`usage.activeApiKeysCount`)."""
    usage = obj(obj(expect_control(actor.api.get(USAGE_PATH), f"{actor.name}'s usage")).get("usage"))
    count = usage.get("activeApiKeysCount")
    if not isinstance(count, int):
        raise HarnessError(f"GET {USAGE_PATH}: usage.activeApiKeysCount is not an integer ({count!r})")
    return count


class Made:
    """What one check created, deleted again in `undo()` (newest first)."""

    def __init__(self, factory: DataFactory) -> None:
        self.factory = factory
        self._made: list[tuple[httpx.Client, str]] = []

    def post(self, client: httpx.Client, path: str, kind: str, body: dict[str, Any] | None = None) -> httpx.Response:
        """POST a new `kind` named for this run; a 201 (rightly or wrongly) is remembered for deletion."""
        response = client.post(path, json=body or {"name": self.factory.name(kind)})
        data = obj(obj(json_body(response)).get("data")) if response.status_code == 201 else {}
        if isinstance(data.get("id"), str):
            delete_path = f"{path}/{data['id']}"
            self._made.append((client, delete_path))
            self.factory.track(client, kind, delete_path, data["id"])  # type: ignore[arg-type]
            if isinstance(data.get("secret"), str):
                self.factory.harness.secrets.add(f"created.{kind}", data["secret"])
        return response

    def undo(self) -> None:
        while self._made:
            client, path = self._made.pop()
            client.delete(path)


def group_count(client: httpx.Client) -> int:
    """Every contact group of the workspace (all pages)."""
    count, params = 0, {"limit": 100}
    for _ in range(LIST_PAGES_MAX):
        data = obj(expect_control(client.get(GROUPS_PATH, params=params), "list the contact groups"))
        count += len(data.get("groups") or [])
        if not data.get("hasMore") or not data.get("nextCursor"):
            return count
        params["cursor"] = data["nextCursor"]
    raise HarnessError(f"GET {GROUPS_PATH}: more than {LIST_PAGES_MAX} pages of groups; cannot count them")
