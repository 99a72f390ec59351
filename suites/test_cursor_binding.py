"""Cursors used where they were not issued (PAGE-08, PAGE-04, PAGE-10, PAGE-12, PAGE-13, TEAM-10, ERR-02,
ENV-02).

A cursor is opaque (facts §9) and only meant for the next page of the request that returned it. Reused
elsewhere, the server may refuse it (a 4xx with the error envelope: the reference's 400 VALIDATION_ERROR)
or answer a page consistent with the request as it stands; it must never answer a 5xx, duplicates or gaps
presented as valid (decisions #6, #7), or another workspace's items (TEAM-10, ERR-02):

* under the other sort (decisions #7, PAGE-08);
* with another `search` or filter (contacts, groups, messages `status` and `instanceId`);
* with another workspace's key (owner ↔ team: one account's two workspaces; owner → outsider: another
  account), after the issuing workspace used it itself;
* tampered, truncated, re-encoded around another item's id, or garbage (Hypothesis chooses).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import strategies as st

from fixtures.assertions import expect_ok
from fixtures.clients import Actor, Harness
from fixtures.errors import HarnessError, not_covered
from fixtures.factories import DataFactory
from suites.pagination.consistency import (
    CONTINUE_PAGES,
    check_consistent_page,
    check_no_foreign_items,
    refused_or_page,
)
from suites.pagination.findings import Findings
from suites.pagination.hygiene import Cleanup
from suites.pagination.listings import CONTACTS, CREATED_DESC, GROUPS, JOBS, MAX_LIMIT, MESSAGES, NAME_ASC, Listing
from suites.pagination.pools import WORDS, count_jobs, make_jobs, phone
from suites.pagination.running import run_property
from suites.pagination.sizes import Sizes, sizes_for
from suites.pagination.strategies import smallest_limit, tampered_cursors
from suites.pagination.walker import Walk, walk
from suites.pagination.workspaces import Workspace, personal_workspace, team_workspace, writable

# Creation order of the owner's contacts, by the name each gets: the three newest are not a run of the name
# order, so a page "of names" that really seeks by createdAt shows (see sort-switch checks).
OWNER_NAMES = ("p-0", "q-2", "p-4", "q-6", "p-7", "q-5", "p-3", "q-1")
FIRST_PAGE = 3
TOKEN_LETTERS = {"owner": "o", "team": "t", "outsider": "x", "admin": "a", "collaborator": "c"}


@dataclass
class Planted:
    """A workspace with the run's contacts (and groups) under one search token."""

    workspace: Workspace
    token: str
    contacts: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


# -- fixtures -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sizes(request: pytest.FixtureRequest) -> Sizes:
    return sizes_for(request.config)


@pytest.fixture(scope="module")
def cleanup(factory: DataFactory) -> Iterator[Cleanup]:
    done = Cleanup(factory)
    yield done
    done.run()


def _plant(workspace: Workspace, cleanup: Cleanup, token: str, names: tuple[str, ...], groups: int) -> Planted:
    rng = random.Random(token)
    planted = Planted(workspace, token)
    cleanup.sweep_term(workspace, token)
    for name in names:
        answer = workspace.api.post(CONTACTS.path, json={"name": f"{token}{name} {rng.choice(WORDS)}",
                                                          "phone": phone(rng)})
        if answer.status_code != 201:
            raise HarnessError(f"cannot plant contacts in the {workspace.name} workspace: {answer.status_code}")
        planted.contacts.append(answer.json()["data"]["id"])
        cleanup.contact(workspace, planted.contacts[-1])
    for n in range(groups):
        answer = workspace.api.post(GROUPS.path, json={"name": f"{token}{'pq'[n % 2]}-{n}",
                                                       "description": f"binding {n}"})
        if answer.status_code == 201:
            planted.groups.append(answer.json()["data"]["id"])
            cleanup.group(workspace, planted.groups[-1])
    return planted


@pytest.fixture(scope="module")
def planted(harness: Harness, identities: dict[str, Actor], factory: DataFactory,
            cleanup: Cleanup) -> Callable[[str], Planted]:
    """Per workspace, on first use: contacts (and for the owner, groups) under a token of the run."""
    writable(harness)
    made: dict[str, Planted] = {}

    def plant(name: str) -> Planted:
        if name not in made:
            if name == "team":
                workspace = team_workspace(harness)
            elif name in identities:
                workspace = personal_workspace(identities[name])
            else:
                not_covered(f"the profile has no [identities.{name}]")
            token = f"{factory.prefix}{factory.run_id}-pb{TOKEN_LETTERS[name]}"
            names = OWNER_NAMES if name == "owner" else OWNER_NAMES[:3]
            made[name] = _plant(workspace, cleanup, token, names, groups=4 if name == "owner" else 0)
        return made[name]

    return plant


def _reference(workspace: Workspace, listing: Listing, params: dict[str, Any]) -> list[str]:
    return _reference_walk(workspace, listing, params).ids


def _reference_walk(workspace: Workspace, listing: Listing, params: dict[str, Any]) -> Walk:
    findings = Findings(f"GET {listing.path} {params} (reference walk)")
    done = walk(workspace.api, listing, params, limit=MAX_LIMIT, max_pages=20, findings=findings,
                walk_ids=listing.walk_ids or ("PAGE-04",))
    if findings:
        raise HarnessError(f"the reference walk failed, nothing to compare with: {findings.messages()[:2]}")
    return done


def _first_cursor(workspace: Workspace, listing: Listing, params: dict[str, Any], limit: int) -> str:
    answer = workspace.api.get(listing.path, params={**params, "limit": limit})
    data = expect_ok(answer)
    cursor = data.get("nextCursor") if isinstance(data, dict) else None
    if not isinstance(cursor, str) or not cursor:
        raise HarnessError(f"GET {listing.path} {params} limit={limit} gave no nextCursor to reuse")
    return cursor


def _reuse(workspace: Workspace, listing: Listing, cursor: str, params: dict[str, Any], limit: int,
           ids: tuple[str, ...], context: str) -> None:
    """Present `cursor` with `params`: refused with the envelope, or a consistent page."""
    findings = Findings(context)
    answer = workspace.api.get(listing.path, params={**params, "limit": limit, "cursor": cursor})
    page = refused_or_page(answer, listing, findings, ids, ids)
    if page is not None:
        check_consistent_page(workspace.api, listing, page, params, limit, _reference(workspace, listing, params),
                              findings, ids)
    findings.raise_if_any()


# -- another sort (decisions #7) ------------------------------------------------------------------------------


@pytest.mark.guarantee("PAGE-08")
@pytest.mark.parametrize(("issued", "reused"), [(CREATED_DESC, NAME_ASC), (NAME_ASC, CREATED_DESC)],
                         ids=["createdAt-cursor-under-name", "name-cursor-under-createdAt"])
def test_cursor_reused_under_the_other_sort(issued: str, reused: str, planted: Callable[[str], Planted]) -> None:
    owner = planted("owner")
    cursor = _first_cursor(owner.workspace, CONTACTS, {"search": owner.token, "sort": issued}, FIRST_PAGE)
    _reuse(owner.workspace, CONTACTS, cursor, {"search": owner.token, "sort": reused}, FIRST_PAGE, ("PAGE-08",),
           f"a sort={issued} cursor reused with sort={reused} (GET {CONTACTS.path} search={owner.token!r})")


# -- another search or filter ---------------------------------------------------------------------------------


@pytest.mark.guarantee("PAGE-04", "PAGE-05")
def test_contact_cursor_reused_with_another_search(planted: Callable[[str], Planted]) -> None:
    owner = planted("owner")
    cursor = _first_cursor(owner.workspace, CONTACTS, {"search": owner.token}, FIRST_PAGE)
    _reuse(owner.workspace, CONTACTS, cursor, {"search": f"{owner.token}q"}, FIRST_PAGE, ("PAGE-04", "PAGE-05"),
           f"a search={owner.token!r} cursor reused with search={owner.token + 'q'!r}")


@pytest.mark.guarantee("PAGE-10")
def test_group_cursor_reused_with_another_search(planted: Callable[[str], Planted]) -> None:
    owner = planted("owner")
    if len(owner.groups) < 3:
        not_covered("needs 3 groups of the run (plan cap)")
    cursor = _first_cursor(owner.workspace, GROUPS, {"search": owner.token}, 1)
    _reuse(owner.workspace, GROUPS, cursor, {"search": f"{owner.token}q"}, 1, ("PAGE-10",),
           f"a groups search={owner.token!r} cursor reused with search={owner.token + 'q'!r}")


@pytest.mark.parametrize("field_name", [
    pytest.param("status", marks=pytest.mark.guarantee("PAGE-12")),
    pytest.param("instanceId", marks=pytest.mark.guarantee("PAGE-13")),
])
def test_message_cursor_reused_with_another_filter(field_name: str, identities: dict[str, Actor]) -> None:
    if "owner" not in identities:
        not_covered("the profile has no [identities.owner]")
    home = personal_workspace(identities["owner"])
    # every message walked, not the newest page: on a target used before, the newest hundred may all share one
    # instance (a soak's fifth run found the seeded second instance's messages only on page 3)
    values = _message_values(_reference_walk(home, MESSAGES, {}).items, field_name)
    ids = ("PAGE-12",) if field_name == "status" else ("PAGE-13",)
    pairs = [(a, b) for a in values for b in values if a != b and values[a] > 1]
    if not pairs:
        not_covered(f"needs messages with two {field_name} values, one of them on two messages")
    # The reused value with the fewest messages, and pages large enough that following the cursor stays within
    # CONTINUE_PAGES: messages are never deleted, so with limit=1 a target used before (a soak's fourteenth run:
    # hundreds delivered) cost a request per message, past the walk's bound.
    issued, reused = min(pairs, key=lambda pair: values[pair[1]])
    limit = max(1, min(values[issued] - 1, smallest_limit(values[reused], CONTINUE_PAGES - 2)))
    cursor = _first_cursor(home, MESSAGES, {field_name: issued}, limit)
    _reuse(home, MESSAGES, cursor, {field_name: reused}, limit, ids,
           f"a messages {field_name}={issued} cursor (limit={limit}) reused with {field_name}={reused}")


def _message_values(messages: list[dict[str, Any]], field_name: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in messages:
        value = message.get(field_name)
        if isinstance(value, str):
            counts[value] = counts.get(value, 0) + 1
    return counts


# -- another workspace's key ----------------------------------------------------------------------------------

CROSSINGS = [  # (issuing workspace, presenting workspace, list)
    ("owner", "team", "contacts"), ("team", "owner", "contacts"), ("owner", "outsider", "contacts"),
    ("owner", "team", "groups"), ("owner", "outsider", "messages"), ("owner", "team", "jobs"),
]


def _crossing(issuer: str, viewer: str, kind: str) -> Any:
    guarantee = "TEAM-10" if {issuer, viewer} == {"owner", "team"} else "ERR-02"
    smoke = [pytest.mark.smoke] if kind == "contacts" and issuer == "owner" else []
    return pytest.param(issuer, viewer, kind, id=f"{kind}-{issuer}-cursor-by-{viewer}",
                        marks=[pytest.mark.guarantee(guarantee), *smoke])


@pytest.mark.parametrize(("issuer", "viewer", "kind"), [_crossing(*c) for c in CROSSINGS])
def test_cursor_from_another_workspace_never_shows_its_items(issuer: str, viewer: str, kind: str,
                                                             planted: Callable[[str], Planted],
                                                             sizes: Sizes) -> None:
    guarantee = ("TEAM-10",) if {issuer, viewer} == {"owner", "team"} else ("ERR-02",)
    source, other = planted(issuer), planted(viewer)
    listing, params, limit, theirs = _issued(source, kind)
    cursor = _first_cursor(source.workspace, listing, params, limit)
    # The issuer follows its own cursor first (a cache, if any, now holds that page), then the other presents it.
    expect_ok(source.workspace.api.get(listing.path, params={**params, "limit": limit, "cursor": cursor}))
    findings = Findings(f"the {issuer} workspace's {kind} cursor presented by the {viewer} workspace "
                        f"(GET {listing.path} {params} limit={limit})")
    answer = other.workspace.api.get(listing.path, params={**params, "limit": limit, "cursor": cursor})
    page = refused_or_page(answer, listing, findings, guarantee, guarantee)
    if page is not None:
        check_no_foreign_items(page, theirs, findings, guarantee, f"the {issuer} workspace")
    findings.raise_if_any()


def _issued(source: Planted, kind: str) -> tuple[Listing, dict[str, Any], int, set[str]]:
    """The list, parameters and page size a cursor is taken from, and every id of it the issuer holds."""
    home = source.workspace
    if kind == "contacts":
        return CONTACTS, {"search": source.token}, 2, set(source.contacts)
    if kind == "groups":
        if len(source.groups) < 3:
            not_covered("needs 3 groups of the run (plan cap)")
        return GROUPS, {"search": source.token}, 1, set(source.groups)
    if kind == "messages":
        known = _reference(home, MESSAGES, {})
        if len(known) < 2:
            not_covered(f"the {home.name} workspace holds fewer than 2 messages")
        return MESSAGES, {}, 1, set(known)
    if count_jobs(home) < 2:
        make_jobs(home, 2)
    return JOBS, {}, 1, set(_reference(home, JOBS, {}))


# -- tampered, truncated, garbage -----------------------------------------------------------------------------

TAMPER_CASES = {  # label -> (list, params, page size)
    "contacts-createdAt": (CONTACTS, {"sort": CREATED_DESC}, 2),
    "contacts-name": (CONTACTS, {"sort": NAME_ASC}, 2),
    "groups": (GROUPS, {}, 1),
    "messages": (MESSAGES, {}, 1),
    "jobs": (JOBS, {}, 1),
}


@pytest.mark.guarantee("PAGE-04", "ENV-02", "ERR-02")
def test_tampered_cursors_are_refused_or_harmless(planted: Callable[[str], Planted], sizes: Sizes) -> None:
    """A tampered cursor gets a 4xx with the envelope or a page of the caller's own items; never a 5xx and
    never another account's items (the tampering may name the outsider's contact ids)."""
    owner, outsider = planted("owner"), planted("outsider")
    home = owner.workspace
    if count_jobs(home) < 2:
        make_jobs(home, 2)
    real: dict[str, str] = {}
    for label, (listing, params, limit) in TAMPER_CASES.items():
        scoped = {**params, "search": owner.token} if listing.searchable else params
        try:
            real[label] = _first_cursor(home, listing, scoped, limit)
        except HarnessError:
            continue  # too few items for a second page: that list is not tampered with
    if not real:
        not_covered("no list of the owner workspace has a second page")
    foreign = set(outsider.contacts)
    cases = st.sampled_from(sorted(real)).flatmap(lambda label: st.tuples(
        st.just(label), tampered_cursors(real[label], sorted(foreign))))

    def present(case: tuple[str, str]) -> None:
        label, cursor = case
        listing, params, limit = TAMPER_CASES[label]
        scoped = {**params, "search": owner.token} if listing.searchable else params
        findings = Findings(f"GET {listing.path} {scoped} limit={limit} cursor={cursor[:60]!r}")
        answer = home.api.get(listing.path, params={**scoped, "limit": limit, "cursor": cursor})
        page = refused_or_page(answer, listing, findings, ("PAGE-04",), ("ENV-02",))
        if page is not None:
            check_no_foreign_items(page, foreign, findings, ("ERR-02", "PAGE-04"), "the outsider")
            if listing.searchable:
                strays = [i for i in page.items if owner.token not in str(i.get("name", ""))]
                if strays:
                    findings.add(("PAGE-04",), f"the page holds {len(strays)} item(s) outside search="
                                 f"{owner.token!r}")
            if len(set(page.ids)) != len(page.ids):
                findings.add(("PAGE-04",), "the page lists an item twice")
        findings.raise_if_any()

    explicit = [{"case": (label, cursor[: len(cursor) // 2])} for label, cursor in sorted(real.items())]
    run_property(present, examples=max(4, sizes.examples + 4), explicit=explicit, case=cases)



