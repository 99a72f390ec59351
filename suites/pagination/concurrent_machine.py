"""A walk of the contacts list interleaved with writes to the same workspace, as a Hypothesis state machine.

Each example gets its own search token (`<prefix><run>-pc<N>`), creates a handful of contacts, then mixes
`get_first_page`, `get_next_page`, `post_contact`, `delete_contact` and `put_contact_name` (a rename moves
a contact under name_asc). After every step:

* no unchanged item is returned twice in one walk (a contact renamed during the walk may come back once
  more per rename, under its new name: that is what a keyset cursor does, and the docs promise no
  snapshot);
* the walk never goes backwards: the listed sort keys move in the sort's direction, ties in one id order;
* when the walk ends, every contact that existed unchanged for the whole walk was returned.

`teardown()` deletes everything the example made (tracked ids and a search for its token). The machine
counts the harness's requests and stops the run (broken, not failed) before it spends its budget.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from fixtures.clients import Harness
from fixtures.errors import HarnessError
from fixtures.factories import DataFactory
from fixtures.hypothesis_runs import noting
from suites.pagination.findings import Findings
from suites.pagination.hygiene import Cleanup
from suites.pagination.listings import CONTACTS, CREATED_DESC, NAME_ASC, sort_ids
from suites.pagination.pools import WORDS, phone
from suites.pagination.properties import check_order
from suites.pagination.walker import read_page
from suites.pagination.workspaces import Workspace

NAME_SLOTS = 5  # few distinct name prefixes: renames and creates land on ties
MAX_CONTACTS = 16
MIN_CONTACTS = 2
INITIAL_CONTACTS = 6
WALK_IDS = CONTACTS.walk_ids


@dataclass
class WalkState:
    sort: str | None
    limit: int
    untouched: set[str]  # existed when the walk began and nobody wrote to them since
    cursor: str | None = None
    pages: int = 0
    listed: list[dict[str, Any]] = field(default_factory=list)  # items as each page showed them
    renamed: Counter[str] = field(default_factory=Counter)  # renames during the walk: each may list it again
    ended: bool = False


class WalkUnderWrites(RuleBasedStateMachine):
    """Configure with `configure(...)` before running (the pytest test does)."""

    harness: ClassVar[Harness]
    workspace: ClassVar[Workspace]
    factory: ClassVar[DataFactory]
    base_token: ClassVar[str]
    budget: ClassVar[int]  # requests the whole run may send
    spent_before: ClassVar[int]
    examples: ClassVar[itertools.count]

    contacts = Bundle("contacts")

    @classmethod
    def configure(cls, harness: Harness, workspace: Workspace, factory: DataFactory, base_token: str,
                  budget: int) -> None:
        cls.harness, cls.workspace, cls.factory = harness, workspace, factory
        cls.base_token, cls.budget = base_token, budget
        cls.spent_before = harness.budget.sent
        cls.examples = itertools.count(1)

    @classmethod
    def spent(cls) -> int:
        return cls.harness.budget.sent - cls.spent_before

    def __init__(self) -> None:
        super().__init__()
        self.token = f"{self.base_token}{next(self.examples)}x"  # the x: token 1 is no prefix of token 10
        self.model: dict[str, dict[str, Any]] = {}  # id -> the contact as last written
        self.walk: WalkState | None = None
        self.rng = random.Random(self.token)
        self.cleanup = Cleanup(self.factory)

    # -- requests ------------------------------------------------------------------------------------------

    def _guard(self) -> None:
        if self.spent() >= self.budget:
            raise HarnessError(f"the concurrent-write walk spent its budget of {self.budget} requests; lower "
                               "stateful_examples/steps or raise MSGFLASH_PAGINATION_STATEFUL_REQUESTS")

    def _name(self, slot: int, word: str) -> str:
        return f"{self.token}-{slot} {word}"

    def _create(self, name: str) -> str:
        self._guard()
        answer = self.workspace.api.post("/api/v1/contacts", json={"name": name, "phone": phone(self.rng)})
        if answer.status_code != 201:
            raise HarnessError(f"POST /api/v1/contacts answered {answer.status_code} during the concurrent walk")
        made = answer.json()["data"]
        self.cleanup.contact(self.workspace, made["id"])
        self.model[made["id"]] = made
        return made["id"]

    def _touch(self, contact_id: str) -> None:
        if self.walk is not None and not self.walk.ended:
            self.walk.untouched.discard(contact_id)

    # -- rules ---------------------------------------------------------------------------------------------

    @initialize(target=contacts, slots=st.lists(st.integers(0, NAME_SLOTS - 1), min_size=INITIAL_CONTACTS,
                                                max_size=INITIAL_CONTACTS))
    def post_initial_contacts(self, slots: list[int]) -> Any:
        return multiple(*(self._create(self._name(slot, self.rng.choice(WORDS))) for slot in slots))

    @precondition(lambda self: self.walk is None or self.walk.ended)
    @rule(sort=st.sampled_from([None, CREATED_DESC, NAME_ASC]), limit=st.integers(1, 5))
    def get_first_page(self, sort: str | None, limit: int) -> None:
        self.walk = WalkState(sort, limit, set(self.model))
        self._fetch()

    @precondition(lambda self: self.walk is not None and not self.walk.ended)
    @rule()
    def get_next_page(self) -> None:
        self._fetch()

    @precondition(lambda self: len(self.model) < MAX_CONTACTS)
    @rule(target=contacts, slot=st.integers(0, NAME_SLOTS - 1), word=st.sampled_from(WORDS))
    def post_contact(self, slot: int, word: str) -> str:
        return self._create(self._name(slot, word))

    @precondition(lambda self: len(self.model) > MIN_CONTACTS)
    @rule(contact=consumes(contacts))
    def delete_contact(self, contact: str) -> None:
        self._guard()
        self._touch(contact)
        answer = self.workspace.api.delete(f"/api/v1/contacts/{contact}")
        if answer.status_code != 200:
            raise HarnessError(f"DELETE /api/v1/contacts/{contact} answered {answer.status_code}")
        self.model.pop(contact, None)
        self.cleanup.forget_contact(self.workspace, contact)

    @rule(contact=contacts, slot=st.integers(0, NAME_SLOTS - 1), word=st.sampled_from(WORDS))
    def put_contact_name(self, contact: str, slot: int, word: str) -> None:
        self._guard()
        self._touch(contact)
        if self.walk is not None and not self.walk.ended:
            self.walk.renamed[contact] += 1
        answer = self.workspace.api.put(f"/api/v1/contacts/{contact}", json={"name": self._name(slot, word)})
        if answer.status_code != 200:
            raise HarnessError(f"PUT /api/v1/contacts/{contact} answered {answer.status_code}")
        self.model[contact] = answer.json()["data"]

    @noting  # the walk's violations are raised here and in the invariant
    def _fetch(self) -> None:
        walk = self.walk
        assert walk is not None
        self._guard()
        params: dict[str, Any] = {"search": self.token, "limit": walk.limit}
        if walk.sort is not None:
            params["sort"] = walk.sort
        if walk.cursor is not None:
            params["cursor"] = walk.cursor
        findings = self._findings()
        walk.pages += 1
        page = read_page(self.workspace.api.get(CONTACTS.path, params=params), CONTACTS, walk.pages, findings,
                         WALK_IDS)
        findings.raise_if_any()
        assert page is not None
        walk.listed.extend(page.items)
        walk.cursor = page.next_cursor
        walk.ended = not page.has_more or not page.next_cursor
        if walk.ended:
            missing = sorted(walk.untouched - {item["id"] for item in walk.listed})
            if missing:
                findings.add(WALK_IDS + sort_ids(CONTACTS, walk.sort),
                             f"the walk ended without {len(missing)} contact(s) that existed unchanged all along: "
                             f"{', '.join(missing[:3])}")
            findings.raise_if_any()

    def _findings(self) -> Findings:
        walk = self.walk
        assert walk is not None
        return Findings(f"GET {CONTACTS.path} search={self.token!r} sort={walk.sort} limit={walk.limit} with "
                        f"writes between pages (page {walk.pages + 1})")

    # -- after every step ----------------------------------------------------------------------------------

    @invariant()
    @noting
    def walk_is_consistent_so_far(self) -> None:
        walk = self.walk
        if walk is None or not walk.listed:
            return
        findings = self._findings()
        counts = Counter(item["id"] for item in walk.listed)
        twice = [i for i, n in counts.items() if n > 1 + walk.renamed[i]]
        if twice:
            findings.add(WALK_IDS + sort_ids(CONTACTS, walk.sort),
                         f"returned twice in one walk though unchanged: {', '.join(twice[:3])}")
        strays = [item["id"] for item in walk.listed if self.token not in str(item.get("name", ""))]
        if strays:
            findings.add(WALK_IDS, f"listed contacts that do not match search={self.token!r}: {strays[:3]}")
        check_order(walk.listed, walk.sort, findings, sort_ids(CONTACTS, walk.sort) + WALK_IDS, {})
        findings.raise_if_any()

    def teardown(self) -> None:
        """The prefix cleanup of this example: its tracked contacts and whatever its token still finds."""
        self.cleanup.sweep_term(self.workspace, self.token)
        self.cleanup.run()
