"""The data sets the walks page through, made once per module and removed at its end.

Contacts: tie groups of 1–4 contacts sharing one name `<token>-<NN> <word>` (ties under name_asc; the words
are Unicode, and distinct names differ first at the ASCII digits, so every collation orders them alike),
plus bursts `<token>-t<R><P> <word>` created at the same instant (ties on createdAt). Search terms pick
subsets of different sizes: everything (`<token>-`), one decade of tie groups (`<token>-0`), one tie group,
the bursts (`<token>-t`).
Groups: `<token>-<NN> <word>`, every third one with a description holding a term no name has.
Members: one group of the run, filled from the contact pool in a few calls (each call shares one addedAt).
Jobs: bulk deletes of 100 unknown ids (each an async job that touches nothing), enough for the workspace to
hold more than the default page.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fixtures.assertions import expect_ok
from fixtures.checks import error_code_of, json_body
from fixtures.clients import Harness
from fixtures.errors import HarnessError
from suites.pagination.burst import burst_post
from suites.pagination.hygiene import BULK_DELETE_PATH, Cleanup
from suites.pagination.workspaces import Workspace

WORDS = ("Zoë", "Ñandú", "Łódź", "東京", "Ölçü", "Ærøskøbing", "Çağrı", "José María", "Ἀθῆναι", "naïve café",
         "Ğüzel", "Ωmega", "party 🎉", "Straße", "İstanbul", "ÅSA")
TIE_SIZES = (1, 1, 2, 2, 3, 4)
JOB_IDS_PER_JOB = 100  # the async threshold (facts §10)
MEMBERS_PER_CALL_MAX = 99  # stays synchronous


def phone(rng: random.Random) -> str:
    return "+336" + "".join(rng.choice("0123456789") for _ in range(8))


@dataclass(frozen=True)
class Subset:
    label: str
    term: str  # the `search` value
    ids: tuple[str, ...]


@dataclass
class ContactPool:
    token: str
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> the created contact
    subsets: dict[str, Subset] = field(default_factory=dict)
    directions: dict[str | None, int] = field(default_factory=dict)  # tie-break direction seen per sort
    created_at_ties: int = 0  # contacts sharing a createdAt with another

    def key_of(self, sort: str | None) -> Callable[[str], Any]:
        """An id's sort key under `sort`, as created (to tell a lost tie from any other gap)."""
        field_name = "name" if sort == "name_asc" else "createdAt"
        return lambda contact_id: self.contacts[contact_id].get(field_name)


def _create(workspace: Workspace, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = workspace.api.post(path, json=body)
    if answer.status_code != 201:
        raise HarnessError(f"cannot create pagination test data: POST {path} answered {answer.status_code} "
                           f"{error_code_of(answer) or ''}")
    return expect_ok(answer, 201)


def make_contact_pool(harness: Harness, workspace: Workspace, cleanup: Cleanup, token: str, *, size: int,
                      bursts: int, burst_size: int, rng: random.Random) -> ContactPool:
    pool = ContactPool(token)
    cleanup.sweep_term(workspace, token)
    group = 0
    while len(pool.contacts) < size:
        name = f"{token}-{group:02d} {rng.choice(WORDS)}"
        for _ in range(min(rng.choice(TIE_SIZES), size - len(pool.contacts))):
            made = _create(workspace, "/api/v1/contacts", {"name": name, "phone": phone(rng)})
            cleanup.contact(workspace, made["id"])
            pool.contacts[made["id"]] = made
        group += 1
    burst_ids: list[str] = []
    for round_ in range(bursts):
        bodies = [{"name": f"{token}-t{round_}{n // 2} {rng.choice(WORDS)}", "phone": phone(rng)}
                  for n in range(burst_size)]
        for answer in burst_post(harness, workspace, "/api/v1/contacts", bodies):
            body = json_body(answer) if answer is not None and answer.status_code == 201 else None
            made = body.get("data") if isinstance(body, dict) else None
            if isinstance(made, dict) and isinstance(made.get("id"), str):
                cleanup.contact(workspace, made["id"])
                pool.contacts[made["id"]] = made
                burst_ids.append(made["id"])
    stamps = Counter(c.get("createdAt") for c in pool.contacts.values())
    pool.created_at_ties = sum(n for n in stamps.values() if n > 1)
    _contact_subsets(pool, group, burst_ids)
    return pool


def _contact_subsets(pool: ContactPool, groups: int, burst_ids: list[str]) -> None:
    token, ids = pool.token, list(pool.contacts)

    def named(prefix: str) -> tuple[str, ...]:
        return tuple(i for i in ids if pool.contacts[i]["name"].startswith(prefix))

    subsets = [Subset("all", f"{token}-", tuple(ids))]
    subsets += [Subset(f"decade-{d}", f"{token}-{d}", named(f"{token}-{d}")) for d in range((groups + 9) // 10)]
    names = Counter(pool.contacts[i]["name"] for i in ids if i not in burst_ids)
    biggest = max(names, key=lambda n: (names[n], n)) if names else None
    if biggest is not None:
        tie_term = biggest.split(" ", 1)[0]
        subsets.append(Subset("tie-group", tie_term, named(tie_term + " ")))
    if burst_ids:
        subsets.append(Subset("burst", f"{token}-t", tuple(burst_ids)))
    pool.subsets = {s.label: s for s in subsets if s.ids}


@dataclass
class GroupPool:
    token: str
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    subsets: dict[str, Subset] = field(default_factory=dict)
    capped: bool = False  # the plan's group cap stopped the creation early


def make_group_pool(workspace: Workspace, cleanup: Cleanup, token: str, describe_term: str, *, size: int,
                    rng: random.Random) -> GroupPool:
    pool = GroupPool(token)
    for n in range(size):
        body: dict[str, Any] = {"name": f"{token}-{n:02d} {rng.choice(WORDS)}"}
        if n % 3 == 0:
            body["description"] = f"about {describe_term} {rng.choice(WORDS)}"
        answer = workspace.api.post("/api/v1/contacts/groups", json=body)
        if answer.status_code == 403 and error_code_of(answer) == "MAX_CONTACT_GROUPS_REACHED":
            pool.capped = True
            break
        made = expect_ok(answer, 201) if answer.status_code == 201 else None
        if not isinstance(made, dict) or not isinstance(made.get("id"), str):
            raise HarnessError(f"cannot create pagination test groups: POST answered {answer.status_code}")
        cleanup.group(workspace, made["id"])
        pool.groups[made["id"]] = {**made, "description": body.get("description")}
    ids = list(pool.groups)
    subsets = [Subset("all", f"{token}-", tuple(ids)),
               Subset("described", describe_term,
                      tuple(i for i in ids if describe_term in (pool.groups[i]["description"] or "")))]
    subsets += [Subset(f"decade-{d}", f"{token}-{d}",
                       tuple(i for i in ids if pool.groups[i]["name"].startswith(f"{token}-{d}")))
                for d in range((len(ids) + 9) // 10)]
    pool.subsets = {s.label: s for s in subsets if s.ids}
    return pool


@dataclass(frozen=True)
class MemberGroup:
    group_id: str
    members: tuple[str, ...]  # in the order they were added (call by call)
    calls: int


def fill_group(workspace: Workspace, group_id: str, contact_ids: list[str], *, calls: int,
               rng: random.Random) -> MemberGroup:
    chosen = list(contact_ids)
    rng.shuffle(chosen)
    cuts = sorted(rng.sample(range(1, len(chosen)), calls - 1)) if len(chosen) > calls else []
    batches = [chosen[a:b] for a, b in zip([0, *cuts], [*cuts, len(chosen)], strict=True)]
    path = f"/api/v1/contacts/groups/{group_id}/members"
    for batch in batches:
        for start in range(0, len(batch), MEMBERS_PER_CALL_MAX):
            answer = workspace.api.post(path, json={"contactIds": batch[start:start + MEMBERS_PER_CALL_MAX]})
            if answer.status_code != 200:
                raise HarnessError(f"cannot add members for the pagination walks: POST {path} answered "
                                   f"{answer.status_code} {error_code_of(answer) or ''}")
    return MemberGroup(group_id, tuple(chosen), len(batches))


def count_jobs(workspace: Workspace) -> int:
    """How many bulk jobs the workspace already holds (up to one page of 100)."""
    data = expect_ok(workspace.api.get("/api/v1/contacts/bulk-jobs", params={"limit": 100}))
    jobs = data.get("jobs") if isinstance(data, dict) else None
    return len(jobs) if isinstance(jobs, list) else 0


def make_jobs(workspace: Workspace, count: int) -> list[str]:
    """`count` async bulk jobs (each a bulk delete of 100 unknown ids); their ids, oldest first."""
    made = []
    for _ in range(count):
        ids = [str(uuid.uuid4()) for _ in range(JOB_IDS_PER_JOB)]
        answer = workspace.api.post(BULK_DELETE_PATH, json={"contactIds": ids})
        data = expect_ok(answer, (200, 202)) if answer.status_code in (200, 202) else None
        job_id = data.get("jobId") if isinstance(data, dict) else None
        if answer.status_code != 202 or not isinstance(job_id, str):
            raise HarnessError(f"cannot create a bulk job for the pagination walks: POST {BULK_DELETE_PATH} with "
                               f"{JOB_IDS_PER_JOB} ids answered {answer.status_code} without data.jobId")
        made.append(job_id)
    return made
