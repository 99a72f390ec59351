"""Walks under concurrent writes (PAGE-04, PAGE-05, PAGE-06).

The docs promise keyset cursors (facts §9: the cursor holds the sort tuple `createdAt|id` or `name|id`),
so writes elsewhere in the list cannot shift a walk: a contact nobody touched during the walk is returned
exactly once, and the walk never goes backwards. Two checks:

* `test_writes_behind_the_cursor_do_not_shift_the_walk`: the two writes an offset cursor gets wrong, done
  deterministically (a delete behind the cursor, a create behind it);
* `test_walks_survive_interleaved_writes`: a Hypothesis state machine (`suites/pagination/concurrent_machine.py`)
  interleaves page fetches with creates, deletes and renames, within a request budget (600 by default).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from hypothesis import Phase
from hypothesis.stateful import run_state_machine_as_test

from fixtures.clients import Actor, Harness
from fixtures.factories import DataFactory
from fixtures.hypothesis_runs import target_settings
from suites.pagination.concurrent_machine import INITIAL_CONTACTS, WalkUnderWrites
from suites.pagination.findings import Findings
from suites.pagination.hygiene import Cleanup
from suites.pagination.listings import CONTACTS, NAME_ASC, sort_ids
from suites.pagination.pools import WORDS, phone
from suites.pagination.properties import check_exactly_once, check_order
from suites.pagination.sizes import Sizes, sizes_for
from suites.pagination.walker import Walk, pages
from suites.pagination.workspaces import Workspace, personal_workspace, writable

pytestmark = pytest.mark.serial  # checked alone: walks whole listings while writing

DETERMINISTIC_POOL = 9
PAGE_SIZE = 3
TEARDOWN_REQUESTS = 2  # the prefix cleanup of one example: a search and a bulk delete


@pytest.fixture(scope="module")
def sizes(request: pytest.FixtureRequest) -> Sizes:
    return sizes_for(request.config)


@pytest.fixture(scope="module")
def home(owner: Actor, harness: Harness) -> Workspace:
    writable(harness)
    return personal_workspace(owner)


@pytest.fixture(scope="module")
def cleanup(factory: DataFactory) -> Iterator[Cleanup]:
    done = Cleanup(factory)
    yield done
    done.run()


def _walk_with_a_write(home: Workspace, cleanup: Cleanup, token: str, sort: str | None, write: str,
                       rng: random.Random) -> None:
    """Walk `token`'s contacts by pages of 3; after the first page, `write` (delete one contact the first
    page returned, or create a new newest contact), then walk on: every contact untouched must come once."""
    findings = Findings(f"GET {CONTACTS.path} search={token!r} sort={sort} limit={PAGE_SIZE}, {write} after "
                        "page 1")
    order = sort_ids(CONTACTS, sort)
    ids = (*CONTACTS.walk_ids, *order)
    before = _current_ids(home, token)
    done = Walk(CONTACTS, {"search": token, "sort": sort}, PAGE_SIZE)
    untouched = set(before)
    for page in pages(home.api, CONTACTS, {"search": token, "sort": sort}, limit=PAGE_SIZE, findings=findings,
                      walk_ids=ids):
        done.pages.append(page)
        if page.number == 1 and page.items:
            if write == "delete behind the cursor":
                victim = page.items[0]["id"]
                untouched.discard(victim)
                if home.api.delete(f"{CONTACTS.path}/{victim}").status_code == 200:
                    cleanup.forget_contact(home, victim)
            else:
                made = home.api.post(CONTACTS.path, json={"name": f"{token}-0 {rng.choice(WORDS)}",
                                                          "phone": phone(rng)})
                if made.status_code == 201:
                    cleanup.contact(home, made.json()["data"]["id"])
        if not page.has_more or not page.next_cursor:
            done.ended = True
        if page.number > len(before) + 2:
            findings.add(ids, f"the walk did not end after {page.number} pages")
            break
    check_exactly_once(done, sorted(untouched), findings, ids, strict=False)
    check_order(done.items, sort, findings, order, {})
    findings.raise_if_any()


def _current_ids(home: Workspace, token: str) -> list[str]:
    answer = home.api.get(CONTACTS.path, params={"search": token, "limit": 100})
    return [c["id"] for c in answer.json()["data"]["contacts"]] if answer.status_code == 200 else []


@pytest.mark.parametrize(("sort", "write"), [
    pytest.param(None, "delete behind the cursor", id="createdAt-delete",
                 marks=[pytest.mark.guarantee("PAGE-04", "PAGE-05"), pytest.mark.smoke]),
    pytest.param(None, "create behind the cursor", id="createdAt-create",
                 marks=pytest.mark.guarantee("PAGE-04", "PAGE-05")),
    pytest.param(NAME_ASC, "delete behind the cursor", id="name-delete",
                 marks=pytest.mark.guarantee("PAGE-04", "PAGE-06")),
])
def test_writes_behind_the_cursor_do_not_shift_the_walk(sort: str | None, write: str, home: Workspace,
                                                       cleanup: Cleanup, factory: DataFactory) -> None:
    token = f"{factory.prefix}{factory.run_id}-pd{'n' if sort == NAME_ASC else 'c'}{write[0]}"
    rng = random.Random(token)
    cleanup.sweep_term(home, token)
    for n in range(DETERMINISTIC_POOL):
        made = home.api.post(CONTACTS.path, json={"name": f"{token}-{n % 4} {rng.choice(WORDS)}",
                                                  "phone": phone(rng)})
        if made.status_code == 201:
            cleanup.contact(home, made.json()["data"]["id"])
    _walk_with_a_write(home, cleanup, token, sort, write, rng)


@pytest.mark.guarantee("PAGE-04", "PAGE-05", "PAGE-06")
def test_walks_survive_interleaved_writes(home: Workspace, harness: Harness, factory: DataFactory, sizes: Sizes,
                                          record_property) -> None:
    per_example = sizes.stateful_requests // sizes.stateful_examples
    steps = max(5, min(sizes.stateful_steps, per_example - INITIAL_CONTACTS - TEARDOWN_REQUESTS))
    WalkUnderWrites.configure(harness, home, factory, f"{factory.prefix}{factory.run_id}-pc",
                              budget=sizes.stateful_requests)
    try:
        run_state_machine_as_test(WalkUnderWrites, settings=target_settings(
            max_examples=sizes.stateful_examples, stateful_step_count=steps, phases=[Phase.generate]))
    finally:
        record_property("stateful_requests", WalkUnderWrites.spent())



