"""Instances, read-only on the public API (INST-01..06, facts §11.11, G10): the list, one instance, its state,
the status values, and that the public API does not create instances.

INST-05 (the instance cap) is not checked: no documented route creates an instance (the dashboard does, INST-06),
so the cap cannot be reached from the API.
"""

from __future__ import annotations

from typing import Any

import pytest

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.clients import Actor
from fixtures.errors import not_covered
from suites.areas.common import missing_fields
from suites.areas.shapes import INSTANCE_FIELDS, INSTANCE_STATE_FIELDS, INSTANCE_STATUSES

INSTANCES = "/api/v1/instances"


@pytest.fixture(scope="module")
def listed(owner: Actor) -> list[dict[str, Any]]:
    data = expect_ok(owner.api.get(INSTANCES), guarantee="INST-01")
    check(isinstance(data, list), f"GET {INSTANCES}: data is not a plain array", guarantee="INST-01")
    if not data:
        not_covered("the owner's workspace has no instance")
    return data


@pytest.mark.smoke
@pytest.mark.guarantee("INST-01")
def test_instances_are_listed_with_their_fields(listed: list[dict[str, Any]]) -> None:
    problems = {str(i.get("id")): missing_fields(i, INSTANCE_FIELDS) for i in listed}
    problems = {k: v for k, v in problems.items() if v}
    check(not problems, f"GET {INSTANCES}: items lack documented fields: {problems}", guarantee="INST-01")


@pytest.mark.guarantee("INST-02")
def test_one_instance_is_the_listed_object(owner: Actor, listed: list[dict[str, Any]]) -> None:
    item = listed[0]
    data = expect_ok(owner.api.get(f"{INSTANCES}/{item['id']}"), guarantee="INST-02")
    differs = {k: (item.get(k), (data or {}).get(k)) for k in INSTANCE_FIELDS if item.get(k) != (data or {}).get(k)}
    check(not differs, f"GET {INSTANCES}/{{id}} differs from its list item: {differs}", guarantee="INST-02")


@pytest.mark.guarantee("INST-03", "INST-04")
def test_the_state_of_each_instance(owner: Actor, listed: list[dict[str, Any]]) -> None:
    for item in listed[:3]:
        data = expect_ok(owner.api.get(f"{INSTANCES}/{item['id']}/state"), guarantee="INST-03")
        missing = missing_fields(data, INSTANCE_STATE_FIELDS)
        check(not missing, f"GET {INSTANCES}/{{id}}/state: the answer lacks {missing}", guarantee="INST-03")
        check(data["instanceId"] == item["id"] and data["status"] == item.get("status"),
              f"GET {INSTANCES}/{{id}}/state: instanceId or status differ from the instance "
              f"({data['status']!r} vs {item.get('status')!r})", guarantee="INST-03")
        check(data["status"] in INSTANCE_STATUSES, f"instance state status {data['status']!r} is not one of "
              f"{sorted(INSTANCE_STATUSES)}", guarantee="INST-04")


@pytest.mark.guarantee("INST-04")
def test_statuses_are_documented_values(listed: list[dict[str, Any]]) -> None:
    odd = {i.get("id"): i.get("status") for i in listed if i.get("status") not in INSTANCE_STATUSES}
    check(not odd, f"GET {INSTANCES}: statuses outside {sorted(INSTANCE_STATUSES)}: {odd}", guarantee="INST-04")


@pytest.mark.guarantee("INST-06")
def test_instances_are_not_created_through_the_public_api(owner: Actor) -> None:
    """INFO: the guide says instances are created and connected in the dashboard; observed: a POST is not
    offered (404 or 405 with the error envelope)."""
    response = owner.api.post(INSTANCES, json={"name": "mfc-never-created"})
    expect_error(response, (404, 405), None, guarantee="INST-06")
