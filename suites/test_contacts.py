"""Contacts (CNT-01..09, facts §10, §11.7): required fields, replace-not-merge updates, partial updates, bulk
delete (bounds, the synchronous answer under 100 ids, the asynchronous job from 100), unknown ids.

Every contact is made through the factory (prefixed, deleted at the end). Bulk deletes name fresh random ids
besides the run's own contacts, so they never touch anything else.
"""

from __future__ import annotations

import pytest

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.clients import Actor
from fixtures.factories import DataFactory
from msgflash_compliance.profile import TargetProfile
from suites.areas.common import missing_fields, random_id, random_ids, require_writes, track_wrong_create
from suites.areas.shapes import BULK_JOB_ACCEPTED_FIELDS, CONTACT_FIELDS

CONTACTS = "/api/v1/contacts"
BULK_DELETE = "/api/v1/contacts/bulk-delete"
ASYNC_THRESHOLD = 100  # from this many ids on, bulk operations run as a job (facts §10)
BULK_MAX = 10_000


def _contact_path(contact_id: str) -> str:
    return f"{CONTACTS}/{contact_id}"


@pytest.mark.smoke
@pytest.mark.guarantee("CNT-01")
@pytest.mark.parametrize("missing", ["name", "phone"])
def test_a_contact_needs_a_name_and_a_phone(missing: str, owner: Actor, factory: DataFactory,
                                            profile: TargetProfile) -> None:
    require_writes(profile)
    body = {"name": factory.name("contact"), "phone": factory.phone()}
    del body[missing]
    response = owner.api.post(CONTACTS, json=body)
    track_wrong_create(response, owner.api, factory, "contact", CONTACTS + "/{id}")
    expect_error(response, 400, "VALIDATION_ERROR", guarantee="CNT-01")


@pytest.mark.guarantee("CNT-02")
def test_a_created_contact_is_returned_with_its_fields(owner: Actor, factory: DataFactory) -> None:
    contact = factory.contact(owner.api, tags=["vip", "lyon"], meta={"source": "compliance"})
    missing = missing_fields(contact, CONTACT_FIELDS)
    check(not missing, f"POST {CONTACTS}: the created contact lacks {missing}", guarantee="CNT-02")
    check(contact["tags"] == ["vip", "lyon"], f"POST {CONTACTS}: tags came back as {contact['tags']!r}",
          guarantee="CNT-02")
    fetched = expect_ok(owner.api.get(_contact_path(contact["id"])), guarantee="CNT-02")
    check(fetched.get("phone") == contact["phone"] and fetched.get("name") == contact["name"],
          "GET the created contact: name or phone differ from the create answer", guarantee="CNT-02")


@pytest.mark.guarantee("CNT-03")
def test_put_replaces_tags_and_meta(owner: Actor, factory: DataFactory) -> None:
    contact = factory.contact(owner.api, tags=["a", "b"], meta={"x": 1, "keep": "no"})
    path = _contact_path(contact["id"])
    expect_ok(owner.api.put(path, json={"tags": ["c"], "meta": {"y": 2}}), guarantee="CNT-03")
    stored = expect_ok(owner.api.get(path), guarantee="CNT-03")
    check(stored.get("tags") == ["c"],
          f"PUT {{tags: ['c']}} on a contact tagged ['a', 'b'] left tags {stored.get('tags')!r}; tags are "
          "replaced, not merged", guarantee="CNT-03")
    check(stored.get("meta") == {"y": 2},
          f"PUT {{meta: {{y: 2}}}} on a contact with meta {{x, keep}} left meta {stored.get('meta')!r}; meta is "
          "replaced, not merged", guarantee="CNT-03")


@pytest.mark.guarantee("CNT-04")
def test_put_with_only_a_name_keeps_the_rest(owner: Actor, factory: DataFactory) -> None:
    contact = factory.contact(owner.api, tags=["keep"], meta={"k": "v"})
    path = _contact_path(contact["id"])
    new_name = factory.name("renamed")
    expect_ok(owner.api.put(path, json={"name": new_name}), guarantee="CNT-04")
    stored = expect_ok(owner.api.get(path), guarantee="CNT-04")
    expected = {"name": new_name, "phone": contact["phone"], "tags": ["keep"], "meta": {"k": "v"}}
    changed = {k: stored.get(k) for k, v in expected.items() if stored.get(k) != v}
    check(not changed, f"PUT {{name}} alone: these fields are not as expected afterwards: {changed}",
          guarantee="CNT-04")


@pytest.mark.guarantee("CNT-05")
@pytest.mark.parametrize("count", [0, BULK_MAX + 1], ids=["no-ids", "10001-ids"])
def test_bulk_delete_takes_1_to_10000_ids(count: int, owner: Actor, profile: TargetProfile) -> None:
    require_writes(profile)
    response = owner.api.post(BULK_DELETE, json={"contactIds": random_ids(count)})
    expect_error(response, 400, "VALIDATION_ERROR", guarantee="CNT-05")


@pytest.mark.guarantee("CNT-06")
def test_bulk_delete_reports_what_it_did_not_find(owner: Actor, factory: DataFactory) -> None:
    contact = factory.contact(owner.api)
    unknown = random_id()
    data = expect_ok(owner.api.post(BULK_DELETE, json={"contactIds": [contact["id"], unknown]}),
                     guarantee="CNT-06")
    expected = {"requested": 2, "deleted": 1, "notFound": [unknown]}
    got = {k: data.get(k) for k in expected} if isinstance(data, dict) else data
    check(got == expected, f"POST {BULK_DELETE} of one contact and one unknown id answered {got}, expected "
          f"{expected}", guarantee="CNT-06")
    expect_error(owner.api.get(_contact_path(contact["id"])), 404, "NOT_FOUND", guarantee="CNT-06")


@pytest.mark.guarantee("CNT-08")
def test_99_ids_are_deleted_synchronously(owner: Actor, factory: DataFactory) -> None:
    contact = factory.contact(owner.api)
    ids = [contact["id"], *random_ids(ASYNC_THRESHOLD - 2)]
    data = expect_ok(owner.api.post(BULK_DELETE, json={"contactIds": ids}), 200, guarantee="CNT-08")
    check(isinstance(data, dict) and data.get("requested") == len(ids) and data.get("deleted") == 1,
          f"POST {BULK_DELETE} with {len(ids)} ids: expected the synchronous result (requested {len(ids)}, "
          f"deleted 1), got {_brief(data)}", guarantee="CNT-08")


@pytest.mark.guarantee("CNT-07")
def test_100_ids_run_as_a_job(owner: Actor, profile: TargetProfile) -> None:
    require_writes(profile)
    response = owner.api.post(BULK_DELETE, json={"contactIds": random_ids(ASYNC_THRESHOLD)})
    data = expect_ok(response, 202, guarantee="CNT-07")
    missing = missing_fields(data, BULK_JOB_ACCEPTED_FIELDS)
    check(not missing, f"POST {BULK_DELETE} (202): the answer lacks {missing}", guarantee="CNT-07")
    expected = {"mode": "async", "status": "pending", "operation": "bulk_delete_contacts",
                "requestedCount": ASYNC_THRESHOLD, "progress": 0}
    got = {k: data.get(k) for k in expected}
    check(got == expected, f"POST {BULK_DELETE} (202): expected {expected}, got {got}", guarantee="CNT-07")
    check(isinstance(data.get("jobId"), str) and bool(data["jobId"]), "the 202 answer has no jobId",
          guarantee="CNT-07")


@pytest.mark.guarantee("CNT-09")
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_an_unknown_contact_is_not_found(method: str, owner: Actor) -> None:
    body = {"name": "unused"} if method == "PUT" else None
    response = owner.api.request(method, _contact_path(random_id()), json=body)
    expect_error(response, 404, "NOT_FOUND", guarantee="CNT-09")


def _brief(data: object) -> str:
    if isinstance(data, dict):
        return str({k: (v if not isinstance(v, list) else f"[{len(v)} items]") for k, v in data.items()})
    return repr(data)[:200]

