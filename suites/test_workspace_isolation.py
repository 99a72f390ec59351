"""Workspace isolation: what one workspace creates, the others cannot see (TEAM-10, ERR-02).

Three workspaces each plant a prefixed contact and group: the owner's personal workspace (owner key), the
team workspace (team key + its X-Team-Id) and the outsider's personal workspace. From every other workspace,
each planted item is 404 NOT_FOUND by id (never 403, never the item: decisions #8), absent from a search that
finds it in its own workspace (the control that makes absence mean something), and a DELETE of it is 404 and
leaves it in place. Owner ↔ team is one account's two workspaces (TEAM-10); anything ↔ outsider is another
account (ERR-02).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.clients import Actor, Harness
from fixtures.errors import ContractViolation, HarnessError, not_covered
from fixtures.factories import DataFactory

WORKSPACES = ("owner", "team", "outsider")
KINDS = {  # kind -> (item path, list path, items key in data)
    "contact": ("/api/v1/contacts/{id}", "/api/v1/contacts", "contacts"),
    "group": ("/api/v1/contacts/groups/{id}", "/api/v1/contacts/groups", "groups"),
}


def _guarantee(creator: str, viewer: str) -> str:
    return "TEAM-10" if {creator, viewer} == {"owner", "team"} else "ERR-02"


SMOKE_PAIRS = {("team", "owner"), ("owner", "outsider")}
PAIRS = [
    pytest.param(creator, viewer, id=f"{viewer}-looks-into-{creator}",
                 marks=[pytest.mark.guarantee(_guarantee(creator, viewer)),
                        *([pytest.mark.smoke] if (creator, viewer) in SMOKE_PAIRS else [])])
    for creator in WORKSPACES for viewer in WORKSPACES if creator != viewer
]


@pytest.fixture(scope="module")
def workspace_client(identities: dict[str, Actor], harness: Harness) -> Callable[[str], httpx.Client]:
    def client(workspace: str) -> httpx.Client:
        if workspace == "team":
            team = harness.profile.team
            if team is None or team.api_key is None:
                not_covered("the profile has no [team] with an api_key")
            return harness.team_client()
        actor = identities.get(workspace)
        if actor is None:
            not_covered(f"the profile has no [identities.{workspace}]")
        return actor.api

    return client


@pytest.fixture(scope="module")
def planted(workspace_client: Callable[[str], httpx.Client], factory: DataFactory
            ) -> Callable[[str], dict[str, dict[str, Any]]]:
    """Per workspace, on first use: a prefixed contact and group made there (deleted at the end)."""
    made: dict[str, dict[str, dict[str, Any]]] = {}

    def plant(workspace: str) -> dict[str, dict[str, Any]]:
        if workspace not in made:
            client = workspace_client(workspace)
            try:
                made[workspace] = {"contact": factory.contact(client), "group": factory.group(client)}
            except ContractViolation as err:  # setting up is not what this check is about
                raise HarnessError(f"cannot plant test data in the {workspace} workspace: {err}") from None
        return made[workspace]

    return plant


def _found_by_search(client: httpx.Client, kind: str, item: dict[str, Any], guarantee: str) -> bool:
    _, list_path, items_key = KINDS[kind]
    response = client.get(list_path, params={"search": item["name"], "limit": 100})
    data = expect_ok(response, guarantee=guarantee)
    items = data.get(items_key) if isinstance(data, dict) else None
    check(isinstance(items, list), f"GET {list_path}: data.{items_key} is not a list", guarantee=guarantee)
    return any(isinstance(i, dict) and i.get("id") == item["id"] for i in items)


@pytest.mark.parametrize(("creator", "viewer"), PAIRS)
def test_a_workspace_cannot_see_another_workspace_data(
    creator: str, viewer: str, planted: Callable[[str], dict[str, dict[str, Any]]],
    workspace_client: Callable[[str], httpx.Client],
) -> None:
    guarantee = _guarantee(creator, viewer)
    items = planted(creator)
    home, other = workspace_client(creator), workspace_client(viewer)
    for kind, item in items.items():
        item_path = KINDS[kind][0].format(id=item["id"])
        expect_error(other.get(item_path), 404, "NOT_FOUND", guarantee=guarantee)
        if not _found_by_search(home, kind, item, guarantee):
            raise HarnessError(f"the {creator} workspace cannot find its own {kind} by search; "
                               "absence elsewhere would prove nothing")
        check(not _found_by_search(other, kind, item, guarantee),
              f"the {viewer} workspace lists the {creator} workspace's {kind} {item['id']}",
              guarantee=guarantee)
        expect_error(other.delete(item_path), 404, "NOT_FOUND", guarantee=guarantee)
        expect_ok(home.get(item_path), guarantee=guarantee)  # still there after the foreign DELETE
