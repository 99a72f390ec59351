"""Contact groups and their members (GRP-01..10, facts §10, §11.8, G6): creating a group, the group cap, adding
and removing members (synchronous under 100 ids, a job from 100, 1 to 10 000 ids), `contactCount`, unknown
groups.

Groups and contacts are made through the factory; member operations name the run's own contacts or fresh
random ids only.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.clients import Actor
from fixtures.errors import not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.contract.plans import plan
from msgflash_compliance.profile import TargetProfile
from suites.areas.common import missing_fields, random_id, random_ids, require_writes, track_wrong_create
from suites.areas.shapes import (
    ADD_MEMBERS_FIELDS,
    BULK_JOB_ACCEPTED_FIELDS,
    GROUP_CREATED_FIELDS,
    REMOVE_MEMBERS_FIELDS,
)
from suites.key_scoping.sandbox_controls import plan_code

pytestmark = pytest.mark.serial  # checked alone: fills the outsider's group cap

GROUPS = "/api/v1/contacts/groups"
ASYNC_THRESHOLD = 100
BULK_MAX = 10_000


def _members(group_id: str) -> str:
    return f"{GROUPS}/{group_id}/members"


def _counts(data: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: data.get(k) for k in fields} if isinstance(data, dict) else {"data": data}


@pytest.mark.smoke
@pytest.mark.guarantee("GRP-01")
def test_a_new_group_is_empty(owner: Actor, factory: DataFactory) -> None:
    group = factory.group(owner.api, color="#F59E0B")
    missing = missing_fields(group, GROUP_CREATED_FIELDS)
    check(not missing, f"POST {GROUPS}: the created group lacks {missing}", guarantee="GRP-01")
    check(group["contactCount"] == 0 and group["color"] == "#F59E0B" and group["name"].startswith(factory.prefix),
          f"POST {GROUPS}: expected contactCount 0 and the name and color sent, got contactCount "
          f"{group['contactCount']!r}, color {group['color']!r}", guarantee="GRP-01")


@pytest.mark.guarantee("GRP-02")
def test_a_group_needs_a_name(owner: Actor, factory: DataFactory, profile: TargetProfile) -> None:
    require_writes(profile)
    response = owner.api.post(GROUPS, json={"description": factory.name("nameless"), "color": "#123456"})
    track_wrong_create(response, owner.api, factory, "group", GROUPS + "/{id}")
    expect_error(response, 400, "VALIDATION_ERROR", guarantee="GRP-02")


@pytest.mark.guarantee("GRP-03")
def test_the_group_cap_refuses_one_more(outsider: Actor, factory: DataFactory, profile: TargetProfile,
                                        settings: Any) -> None:
    """Black-box on the outsider: fill its plan's cap (counted on the account; the outsider owns no team),
    then one more is 403 MAX_CONTACT_GROUPS_REACHED."""
    require_writes(profile)
    cap = plan(settings, plan_code(outsider)).limits.maxContactGroups
    if cap is None:
        not_covered("the outsider's plan has no contact group cap")
    listed = expect_ok(outsider.api.get(GROUPS, params={"limit": 1}), guarantee="GRP-03")
    existing = listed.get("total") if isinstance(listed, dict) else None
    check(isinstance(existing, int), f"GET {GROUPS}: data.total is not an integer", guarantee="GRP-03")
    if cap - existing > 5:
        not_covered(f"the outsider has {cap - existing} group slots left; filling them is too many writes")
    with factory.scoped():  # give the slots back at once: other checks of this run need them
        for _ in range(cap - existing):
            factory.group(outsider.api)
        response = outsider.api.post(GROUPS, json={"name": factory.name("group")})
        track_wrong_create(response, outsider.api, factory, "group", GROUPS + "/{id}")
    expect_error(response, 403, "MAX_CONTACT_GROUPS_REACHED", guarantee="GRP-03")


@pytest.fixture
def group_with_member(owner: Actor, factory: DataFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """A fresh group holding one fresh contact (the control: that first add must answer 200)."""
    group, contact = factory.group(owner.api), factory.contact(owner.api)
    expect_ok(owner.api.post(_members(group["id"]), json={"contactIds": [contact["id"]]}),
              guarantee=("GRP-04", "GRP-09"))
    return group, contact


@pytest.mark.guarantee("GRP-04")
def test_adding_members_counts_each_id(owner: Actor, factory: DataFactory,
                                       group_with_member: tuple[dict[str, Any], dict[str, Any]]) -> None:
    group, member = group_with_member
    newcomer = factory.contact(owner.api)
    ids = [member["id"], newcomer["id"], random_id()]
    data = expect_ok(owner.api.post(_members(group["id"]), json={"contactIds": ids}), guarantee="GRP-04")
    got = _counts(data, ADD_MEMBERS_FIELDS)
    expected = {"added": 1, "alreadyInGroup": 1, "notFound": 1, "total": 3}
    check(got == expected, f"POST {GROUPS}/{{id}}/members with one member, one new contact and one unknown id "
          f"answered {got}, expected {expected}", guarantee="GRP-04")


@pytest.mark.guarantee("GRP-06")
def test_removing_members_counts_each_id(owner: Actor,
                                         group_with_member: tuple[dict[str, Any], dict[str, Any]]) -> None:
    group, member = group_with_member
    response = owner.api.request("DELETE", _members(group["id"]), json={"contactIds": [member["id"], random_id()]})
    data = expect_ok(response, guarantee="GRP-06")
    missing = missing_fields(data, REMOVE_MEMBERS_FIELDS)
    check(not missing, f"DELETE {GROUPS}/{{id}}/members: the answer lacks {missing}", guarantee="GRP-06")
    got, expected = _counts(data, REMOVE_MEMBERS_FIELDS), {"removed": 1, "notInGroup": 1}
    check(got == expected, f"DELETE {GROUPS}/{{id}}/members with one member and one unknown id answered {got}, "
          f"expected {expected}", guarantee="GRP-06")


@pytest.mark.guarantee("GRP-09")
def test_contact_count_follows_membership(owner: Actor, factory: DataFactory,
                                          group_with_member: tuple[dict[str, Any], dict[str, Any]]) -> None:
    group, _ = group_with_member
    second = factory.contact(owner.api)
    expect_ok(owner.api.post(_members(group["id"]), json={"contactIds": [second["id"]]}), guarantee="GRP-09")
    listed = expect_ok(owner.api.get(GROUPS, params={"search": group["name"]}), guarantee="GRP-09")
    rows = [g for g in (listed.get("groups") or []) if isinstance(g, dict) and g.get("id") == group["id"]]
    check(len(rows) == 1, f"GET {GROUPS}?search=<its name>: the group is not listed once", guarantee="GRP-09")
    check(rows[0].get("contactCount") == 2,
          f"GET {GROUPS}: a group with 2 members lists contactCount {rows[0].get('contactCount')!r}",
          guarantee="GRP-09")


def _async_member_job(response: httpx.Response, operation: str, group_id: str, guarantee: str) -> None:
    data = expect_ok(response, 202, guarantee=guarantee)
    missing = missing_fields(data, (*BULK_JOB_ACCEPTED_FIELDS, "groupId"))
    check(not missing, f"{operation} with {ASYNC_THRESHOLD} ids (202): the answer lacks {missing}",
          guarantee=guarantee)
    expected = {"mode": "async", "status": "pending", "operation": operation, "groupId": group_id,
                "requestedCount": ASYNC_THRESHOLD}
    got = {k: data.get(k) for k in expected}
    check(got == expected, f"{operation} with {ASYNC_THRESHOLD} ids (202): expected {expected}, got {got}",
          guarantee=guarantee)


@pytest.mark.guarantee("GRP-05")
def test_adding_100_ids_runs_as_a_job(owner: Actor, factory: DataFactory) -> None:
    group = factory.group(owner.api)
    response = owner.api.post(_members(group["id"]), json={"contactIds": random_ids(ASYNC_THRESHOLD)})
    _async_member_job(response, "add_to_group", group["id"], "GRP-05")


@pytest.mark.guarantee("GRP-07")
def test_removing_100_ids_runs_as_a_job(owner: Actor, factory: DataFactory) -> None:
    group = factory.group(owner.api)
    response = owner.api.request("DELETE", _members(group["id"]),
                                 json={"contactIds": random_ids(ASYNC_THRESHOLD)})
    _async_member_job(response, "remove_from_group", group["id"], "GRP-07")


@pytest.mark.guarantee("GRP-08")
@pytest.mark.parametrize("method", ["POST", "DELETE"])
@pytest.mark.parametrize("count", [0, BULK_MAX + 1], ids=["no-ids", "10001-ids"])
def test_member_operations_take_1_to_10000_ids(method: str, count: int, owner: Actor,
                                               factory: DataFactory) -> None:
    group = factory.group(owner.api)
    response = owner.api.request(method, _members(group["id"]), json={"contactIds": random_ids(count)})
    expect_error(response, 400, "VALIDATION_ERROR", guarantee="GRP-08")


@pytest.mark.guarantee("GRP-10")
def test_adding_members_to_an_unknown_group_is_not_found(owner: Actor, factory: DataFactory) -> None:
    contact = factory.contact(owner.api)
    response = owner.api.post(_members(random_id()), json={"contactIds": [contact["id"]]})
    expect_error(response, 404, "NOT_FOUND", guarantee="GRP-10")
