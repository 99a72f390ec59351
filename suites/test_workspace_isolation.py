"""Workspace isolation on every resource kind with an id, every verb (TEAM-10, ERR-02; decisions #8).

Three workspaces: the owner's personal one (owner key), the team's (team key + its X-Team-Id) and the
outsider's. Each holds one item of every kind (`suites/isolation/kinds.py`: planted by the run, or found where
no public route creates one), and every other workspace asks for it with every by-id operation of the spec:
each answer is 404 NOT_FOUND in the envelope (never 403, never the item), and after a write the item, read
back from its own workspace, is unchanged. In the property form, no id a workspace lists or owns appears in
any page of another workspace's list (whoever created it), nor in its search for the item's name; the console's
contact list (`GET /api/contacts`, with X-Team-Id for the team) likewise. Owner ↔ team is one account's two
workspaces (TEAM-10); anything ↔ outsider is another account (ERR-02).

Test ids read `<kind>-<verb>-<home>-><viewer>`: the home workspace's item, asked for by the viewer. Each
check's Allure description holds its kind's matrix of verbs × pairs. Everything planted is deleted when the
module ends (campaigns, which nothing deletes, are paused).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fixtures.assertions import check, expect_error
from fixtures.checks import json_body
from fixtures.clients import Actor, Harness
from fixtures.errors import HarnessError, NotCovered, not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.profile import TargetProfile
from suites.isolation.kinds import KIND_BY_NAME, KINDS, PAIRS, Kind, Verb, guarantee_of, pair_label
from suites.isolation.matrix import kind_matrix
from suites.isolation.workspaces import CONSOLE_CONTACTS, Walk, Workspaces

CONTACTS = KIND_BY_NAME["contacts"]
SMOKE = {("contacts", "read", "team", "owner"), ("contacts", "read", "owner", "outsider"),
         ("contacts", "list", "team", "owner"), ("contacts", "list", "owner", "outsider")}


def _param(kind: Kind, verb: str, home: str, viewer: str, *values: Any) -> Any:
    marks = [pytest.mark.guarantee(guarantee_of(home, viewer))]
    if (kind.name, verb, home, viewer) in SMOKE:
        marks.append(pytest.mark.smoke)
    return pytest.param(kind, *values, home, viewer, id=f"{kind.name}-{verb}-{pair_label(home, viewer)}",
                        marks=marks)


def _order(kind_verb: tuple[int, Kind, Verb]) -> tuple[bool, int]:
    """Deletes of an item last, and of contacts (other kinds' members and recipients) last of all: where a
    target wrongly serves one, the item is gone for every check after it."""
    index, _, verb = kind_verb
    return verb.deletes_item, -index if verb.deletes_item else index


BY_ID = [_param(kind, verb.name, home, viewer, verb)
         for _, kind, verb in sorted(((i, k, v) for i, k in enumerate(KINDS) for v in k.verbs), key=_order)
         for home, viewer in PAIRS]
LISTED = [_param(kind, "list", home, viewer) for kind in KINDS if kind.listing for home, viewer in PAIRS]
CONSOLE = [_param(CONTACTS, "console-list", home, viewer) for home, viewer in PAIRS]


@pytest.fixture(scope="module")
def spaces(harness: Harness, identities: dict[str, Actor], factory: DataFactory, profile: TargetProfile,
           settings: Any) -> Iterator[Workspaces]:
    with factory.scoped():  # the module's items are gone when it ends (later caps find room)
        made = Workspaces(harness, identities, factory, profile, settings)
        try:
            yield made
        finally:
            made.finish()


def _describe(kind: Kind, verb: str, home: str, viewer: str) -> None:
    import allure

    allure.dynamic.description(kind_matrix(kind, (verb, home, viewer)))


def _track_wrong_import(response: httpx.Response, viewer: httpx.Client, factory: DataFactory) -> None:
    """A wrongly served import-contacts made contacts in the viewer's workspace: have the run delete them."""
    data = (json_body(response) or {}).get("data") if response.status_code == 200 else None
    made = data.get("contactIds") if isinstance(data, dict) else None
    for contact_id in made if isinstance(made, list) else []:
        if isinstance(contact_id, str):
            factory.track(viewer, "contact", f"/api/v1/contacts/{contact_id}", contact_id)  # type: ignore[arg-type]


def _home_ids(spaces: Workspaces, kind: Kind, home: str) -> tuple[set[str], Any]:
    """Every id known to be the home workspace's: its item (when it has one) and what it lists."""
    try:
        item = spaces.item(home, kind.name)  # first: the walk must see it
    except (NotCovered, HarnessError):
        item = None
    own_walk = spaces.walk(home, kind)
    ids = set(own_walk.ids)
    if item is not None:
        ids.add(item.id)
        if own_walk.complete and item.id not in own_walk.ids:
            raise HarnessError(f"the {home} workspace does not list its own {kind.name} item {item.id}; "
                               "absence from another list would prove nothing")
    if not ids:
        not_covered(f"the {home} workspace has no {kind.name} to look for elsewhere")
    return ids, item


def _leaks(home_ids: set[str], viewer_walk: Walk, home: str, viewer: str, where: str, guarantee: str) -> None:
    leaked = sorted(home_ids & viewer_walk.ids)
    check(not leaked, f"the {viewer} workspace's {where} shows {len(leaked)} item(s) of the {home} workspace: "
          f"{leaked[:5]}", guarantee=guarantee)


@pytest.mark.parametrize(("kind", "home", "viewer"), LISTED)
def test_another_workspace_items_are_never_listed(kind: Kind, home: str, viewer: str, spaces: Workspaces) -> None:
    _describe(kind, "list", home, viewer)
    guarantee = guarantee_of(home, viewer)
    assert kind.listing is not None
    home_ids, item = _home_ids(spaces, kind, home)
    _leaks(home_ids, spaces.walk(viewer, kind), home, viewer, f"list GET {kind.listing.path}", guarantee)
    if kind.listing.search and item is not None:
        if item.id not in spaces.search(home, kind, item.name):
            raise HarnessError(f"the {home} workspace cannot find its own {kind.name} item by search; "
                               "absence elsewhere would prove nothing")
        check(item.id not in spaces.search(viewer, kind, item.name),
              f"the {viewer} workspace's search finds the {home} workspace's {kind.name} item {item.id}",
              guarantee=guarantee)


@pytest.mark.parametrize(("kind", "home", "viewer"), CONSOLE)
def test_console_lists_only_its_workspace_contacts(kind: Kind, home: str, viewer: str, spaces: Workspaces) -> None:
    _describe(kind, "console-list", home, viewer)
    guarantee = guarantee_of(home, viewer)
    home_ids, item = _home_ids(spaces, kind, home)
    where = f"console list GET {CONSOLE_CONTACTS.path}" + (" with X-Team-Id" if viewer == "team" else "")
    _leaks(home_ids, spaces.console_walk(viewer), home, viewer, where, guarantee)
    if item is None:
        return
    own = spaces.item(viewer, kind.name)
    if own.id not in spaces.console_walk(viewer, search=own.name).ids:
        raise HarnessError(f"the {viewer} workspace's console search cannot find its own contact; absence there "
                           "would prove nothing")
    check(item.id not in spaces.console_walk(viewer, search=item.name).ids,
          f"the {viewer} workspace's {where} search finds the {home} workspace's contact {item.id}",
          guarantee=guarantee)


@pytest.mark.parametrize(("kind", "verb", "home", "viewer"), BY_ID)
def test_another_workspace_item_is_not_found(kind: Kind, verb: Verb, home: str, viewer: str, spaces: Workspaces,
                                             factory: DataFactory, profile: TargetProfile) -> None:
    _describe(kind, verb.name, home, viewer)
    guarantee = guarantee_of(home, viewer)
    if verb.method != "GET" and profile.safety.read_only:
        not_covered("the profile is read_only: only GETs are sent, even where the answer must be a refusal")
    item = spaces.item(home, kind.name)
    other = spaces.client(viewer)
    response = other.request(verb.method, verb.path(item.id), json=verb.body(factory.name, item))
    _track_wrong_import(response, other, factory)
    expect_error(response, 404, "NOT_FOUND", guarantee=guarantee)
    if verb.writes:
        now = spaces.read_back(home, kind, item.id)
        state = "gone" if now is None else f"changed ({', '.join(_changed_fields(item.view, now))})"
        check(now == item.view, f"the {home} workspace's {kind.name} item {item.id} is {state} after the "
              f"{viewer} workspace's refused {verb.method} {verb.operation.path}", guarantee=guarantee)


def _changed_fields(before: Any, after: Any) -> list[str]:
    if not isinstance(before, dict) or not isinstance(after, dict):
        return ["the whole body"]
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
