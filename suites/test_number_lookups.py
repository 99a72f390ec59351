"""Number lookups (LKP-01..09, facts §10, §11.13, G9): the synchronous answer, the asynchronous one from 100
numbers, the body bounds, an unknown instance, progress, consistent counters, importing only numbers found on
WhatsApp, cancelling. LKP-05 (a provider failure) cannot be provoked from outside.

A lookup asks the provider about numbers through a connected instance: only with `[safety] allow_send`. The
numbers are random (+336…); contacts an import makes are found by phone and deleted at the end of the run.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.clients import Actor
from fixtures.factories import DataFactory
from msgflash_compliance.profile import TargetProfile
from suites.areas.common import (
    connected_instance,
    ended,
    missing_fields,
    poll,
    random_id,
    require_sandbox,
    require_send,
    require_writes,
)
from suites.areas.shapes import LOOKUP_ACCEPTED_FIELDS, LOOKUP_PROGRESS_FIELDS, LOOKUP_SYNC_FIELDS

pytestmark = pytest.mark.serial  # checked alone: counts the lookup counters

LOOKUPS = "/api/v1/number-lookups"
CONTACTS = "/api/v1/contacts"
ASYNC_THRESHOLD = 100
MAX_NUMBERS = 10_000
LONG_LOOKUP = 5_000  # on the reference ~6 s of provider batches: still running when cancelled right away
INVALID_NUMBER = "12"
AFTER_CANCEL_READS = 3
AFTER_CANCEL_SPAN_SECONDS = 0.6  # the reads after a cancel span this long (the reference's worker ticks every 50 ms)


def _numbers(factory: DataFactory, count: int) -> list[str]:
    """Random numbers, half of them ending in 0 (the reference's "not on WhatsApp")."""
    return [factory.phone()[:-1] + ("0" if n % 2 else str(1 + n % 9)) for n in range(count)]


@pytest.fixture(scope="module")
def instance_id(owner: Actor, profile: TargetProfile) -> str:
    require_send(profile, "a number lookup")
    return connected_instance(owner.api)["id"]


@pytest.fixture(scope="module")
def sync_lookup(owner: Actor, factory: DataFactory, instance_id: str) -> tuple[list[str], dict[str, Any]]:
    """Four random numbers and one invalid entry, looked up synchronously: (numbers sent, answer data)."""
    numbers = [*_numbers(factory, 4), INVALID_NUMBER]
    data = expect_ok(owner.api.post(LOOKUPS, json={"instanceId": instance_id, "numbers": numbers}), 200,
                     guarantee="LKP-01")
    return numbers, data


@pytest.mark.smoke
@pytest.mark.guarantee("LKP-01")
def test_a_small_lookup_answers_at_once(sync_lookup: tuple[list[str], dict[str, Any]]) -> None:
    numbers, data = sync_lookup
    missing = missing_fields(data, LOOKUP_SYNC_FIELDS)
    check(not missing, f"POST {LOOKUPS} (sync): the answer lacks {missing}", guarantee="LKP-01")
    got = {k: data.get(k) for k in ("mode", "status", "requested")}
    expected = {"mode": "sync", "status": "done", "requested": len(numbers)}
    check(got == expected, f"POST {LOOKUPS} with {len(numbers)} numbers: expected {expected}, got {got}",
          guarantee="LKP-01")
    missing = missing_fields(data.get("result"), ("onWhatsApp", "notOnWhatsApp", "invalid"))
    check(not missing, f"POST {LOOKUPS} (sync): result lacks {missing}", guarantee="LKP-01")


@pytest.mark.guarantee("LKP-07")
def test_the_counters_add_up(sync_lookup: tuple[list[str], dict[str, Any]]) -> None:
    numbers, data = sync_lookup
    counts = [data.get(k) for k in ("onWhatsAppCount", "notOnWhatsAppCount", "invalidCount")]
    check(all(isinstance(c, int) for c in counts) and sum(counts) == data.get("requested") == len(numbers),
          f"onWhatsApp + notOnWhatsApp + invalid counts {counts} do not add up to requested "
          f"{data.get('requested')!r}", guarantee="LKP-07")
    result = data.get("result") or {}
    lists = [len(result.get(k) or []) for k in ("onWhatsApp", "notOnWhatsApp", "invalid")]
    check(lists == counts, f"the result lists hold {lists} numbers, the counters say {counts}", guarantee="LKP-07")
    check(INVALID_NUMBER in (result.get("invalid") or []), f"{INVALID_NUMBER!r} is not among the invalid numbers",
          guarantee="LKP-07")


@pytest.mark.guarantee("LKP-02", "LKP-06")
def test_100_numbers_run_in_the_background(owner: Actor, factory: DataFactory, instance_id: str) -> None:
    numbers = _numbers(factory, ASYNC_THRESHOLD)
    data = expect_ok(owner.api.post(LOOKUPS, json={"instanceId": instance_id, "numbers": numbers}), 202,
                     guarantee="LKP-02")
    missing = missing_fields(data, LOOKUP_ACCEPTED_FIELDS)
    check(not missing, f"POST {LOOKUPS} with {ASYNC_THRESHOLD} numbers (202): the answer lacks {missing}",
          guarantee="LKP-02")
    got = {k: data.get(k) for k in ("mode", "status", "requested")}
    expected = {"mode": "async", "status": "pending", "requested": ASYNC_THRESHOLD}
    check(got == expected, f"POST {LOOKUPS} (202): expected {expected}, got {got}", guarantee="LKP-02")
    seen = poll(owner.api, f"{LOOKUPS}/{data['lookupId']}/progress", until=ended, guarantee="LKP-06")
    missing = missing_fields(seen[-1], LOOKUP_PROGRESS_FIELDS)
    check(not missing, f"GET {LOOKUPS}/{{id}}/progress: the answer lacks {missing}", guarantee="LKP-06")
    progress = [s.get("progress") for s in seen]
    check(all(isinstance(p, int) and 0 <= p <= 100 for p in progress) and progress == sorted(progress),
          f"lookup progress not a non-decreasing 0..100 sequence: {progress}", guarantee="LKP-06")
    check(seen[-1].get("status") == "done" and seen[-1].get("completedAt") is not None,
          f"the lookup ended {seen[-1].get('status')!r} (completedAt {seen[-1].get('completedAt')!r}), expected "
          "done", guarantee="LKP-06")


@pytest.mark.guarantee("LKP-03")
@pytest.mark.parametrize("case", ["no-instance", "no-numbers", "10001-numbers"])
def test_the_body_bounds(case: str, owner: Actor, factory: DataFactory, profile: TargetProfile) -> None:
    require_writes(profile)
    instance = connected_instance(owner.api)["id"] if profile.safety.allow_send else random_id()
    body: dict[str, Any] = {"instanceId": instance, "numbers": [factory.phone()]}
    if case == "no-instance":
        del body["instanceId"]
    else:
        body["numbers"] = [] if case == "no-numbers" else [factory.phone()] * (MAX_NUMBERS + 1)
    expect_error(owner.api.post(LOOKUPS, json=body), 400, "VALIDATION_ERROR", guarantee="LKP-03")


@pytest.mark.guarantee("LKP-04")
def test_a_random_instance_is_not_found(owner: Actor, factory: DataFactory) -> None:
    response = owner.api.post(LOOKUPS, json={"instanceId": random_id(), "numbers": [factory.phone()]})
    expect_error(response, 404, "NOT_FOUND", guarantee="LKP-04")


def _contacts_with_phone(owner: Actor, phone: str) -> list[dict[str, Any]]:
    data = expect_ok(owner.api.get(CONTACTS, params={"search": phone, "limit": 100}), guarantee="LKP-08")
    return [c for c in (data.get("contacts") or []) if isinstance(c, dict) and c.get("phone") == phone]


def _tagged_matches(owner: Actor, term: str, tag: str) -> list[dict[str, Any]]:
    """Contacts found by `term` (name or phone) that carry `tag`: what the import made of an entry."""
    data = expect_ok(owner.api.get(CONTACTS, params={"search": term, "limit": 100}), guarantee="LKP-08")
    return [c for c in (data.get("contacts") or []) if isinstance(c, dict) and tag in (c.get("tags") or [])]


def _named_by_the_answer(owner: Actor, answer: Any) -> list[dict[str, Any]]:
    """The contacts the import answer says it made (`contactIds`, the reference's answer; [] when absent)."""
    ids = answer.get("contactIds") if isinstance(answer, dict) else None
    made = []
    for contact_id in ids if isinstance(ids, list) else []:
        response = owner.api.get(f"{CONTACTS}/{contact_id}")
        if response.status_code == 200:
            made.append(expect_ok(response, guarantee="LKP-08"))
    return [c for c in made if isinstance(c, dict) and isinstance(c.get("id"), str)]


@pytest.mark.guarantee("LKP-08")
def test_only_numbers_on_whatsapp_are_imported(owner: Actor, factory: DataFactory,
                                               sync_lookup: tuple[list[str], dict[str, Any]]) -> None:
    """Every contact the import made is a number on WhatsApp (the property, over the whole lookup: the numbers
    not on WhatsApp and the invalid entries alike, and every contact the answer names); every number on
    WhatsApp is imported with the tag (the positive control)."""
    _, data = sync_lookup
    tag = factory.name("imported")
    answer = expect_ok(owner.api.post(f"{LOOKUPS}/{data['lookupId']}/import-contacts", json={"tag": tag}),
                       guarantee="LKP-08")
    result = data["result"]
    on_whatsapp = set(result["onWhatsApp"])
    found = {phone: _contacts_with_phone(owner, phone) for phone in [*result["onWhatsApp"], *result["notOnWhatsApp"]]}
    # A search for an invalid entry ("12") also finds the numbers on WhatsApp that contain it: only a tagged
    # contact whose phone is none of those was made from the invalid entry.
    from_invalid = {entry: [c for c in _tagged_matches(owner, entry, tag) if c.get("phone") not in on_whatsapp]
                    for entry in result.get("invalid") or []}
    named = _named_by_the_answer(owner, answer)
    for contact in [c for contacts in (*found.values(), *from_invalid.values()) for c in contacts] + named:
        factory.track(owner.api, "contact", f"{CONTACTS}/{contact['id']}", contact["id"])  # type: ignore[arg-type]
    imported_wrongly = [p for p in result["notOnWhatsApp"] if found[p]]
    imported_wrongly += [f"{entry!r} (invalid)" for entry, contacts in from_invalid.items() if contacts]
    imported_wrongly += [f"contact {c['id']} ({c.get('phone')!r})" for c in named if c.get("phone") not in on_whatsapp]
    check(not imported_wrongly, f"import-contacts made contacts of entries not on WhatsApp: {imported_wrongly}",
          guarantee="LKP-08")
    not_imported = [p for p in result["onWhatsApp"] if not any(tag in (c.get("tags") or []) for c in found[p])]
    check(not not_imported, f"import-contacts did not import (with the tag) these numbers on WhatsApp: "
          f"{not_imported}", guarantee="LKP-08")


@pytest.mark.guarantee("LKP-09")
def test_a_running_lookup_can_be_cancelled(owner: Actor, factory: DataFactory, instance_id: str,
                                           profile: TargetProfile) -> None:
    """Sandbox only: on the reference a 5 000-number lookup is surely still running when the cancel arrives."""
    require_sandbox(profile, "cancelling a lookup while it surely still runs")
    body = {"instanceId": instance_id, "numbers": _numbers(factory, LONG_LOOKUP)}
    data = expect_ok(owner.api.post(LOOKUPS, json=body), 202, guarantee="LKP-09")
    path = f"{LOOKUPS}/{data['lookupId']}"
    expect_ok(owner.api.post(f"{path}/cancel"), guarantee="LKP-09")
    # It ends cancelled and stays so: its progress read a few times over a span longer than a worker's tick,
    # whatever the pace (at 200 requests/s three reads in a row took 15 ms and missed a worker resuming it).
    reads = []
    for n in range(AFTER_CANCEL_READS):
        if n:
            time.sleep(AFTER_CANCEL_SPAN_SECONDS / (AFTER_CANCEL_READS - 1))
        reads.append(expect_ok(owner.api.get(f"{path}/progress"), guarantee="LKP-09"))
    states = [(r.get("status"), r.get("completedAt") is not None) for r in reads]
    check(all(state == ("cancelled", True) for state in states),
          f"after cancelling a running lookup its progress reads (status, completedAt set) {states}; expected "
          "cancelled with completedAt every time", guarantee="LKP-09")
