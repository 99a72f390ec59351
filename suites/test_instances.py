"""Instances, read-only on the public API (INST-01..06, facts §11.11, G10): the list, one instance, its state,
the status values, and that the public API does not create instances.

INST-05 (the instance cap) is not checked: no documented route creates an instance (the dashboard does, INST-06),
so the cap cannot be reached from the API.
"""

from __future__ import annotations

from typing import Any

import pytest

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.checks import json_body
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


# -- PAGE-16: one plain array of every instance ----------------------------------------------------------------

MESSAGES = "/api/v1/messages"


def _instance_ids(data: Any, where: str) -> list[str]:
    check(isinstance(data, list) and all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in data),
          f"{where}: data is not a plain array of instances (the list is not paginated)", guarantee="PAGE-16")
    ids = [i["id"] for i in data]
    check(len(ids) == len(set(ids)), f"{where}: an instance is listed twice", guarantee="PAGE-16")
    return ids


def _named_by_messages(owner: Actor) -> set[str]:
    """Instance ids the workspace's newest messages were sent through (documented `instanceId`)."""
    data = expect_ok(owner.api.get(MESSAGES, params={"limit": 100}), guarantee="PAGE-16")
    messages = data.get("messages") if isinstance(data, dict) else None
    return {m["instanceId"] for m in messages or [] if isinstance(m, dict) and isinstance(m.get("instanceId"), str)}


@pytest.mark.guarantee("PAGE-16")
def test_the_list_is_every_instance_in_one_array(owner: Actor) -> None:
    """`data` is a plain array; pagination parameters (which the route does not take) never cut it: they are
    ignored (the same array) or refused (4xx). Every live instance a message of the workspace names, and that
    GET /api/v1/instances/{id} serves, is in the list."""
    listed_ids = _instance_ids(expect_ok(owner.api.get(INSTANCES), guarantee="PAGE-16"), f"GET {INSTANCES}")
    if not listed_ids:
        not_covered("the owner's workspace has no instance")
    for params in ({"limit": 1}, {"page": 2}, {"cursor": listed_ids[0]}):
        response = owner.api.get(INSTANCES, params=params)
        where = f"GET {INSTANCES}?{next(iter(params))}={next(iter(params.values()))}"
        if response.status_code != 200:
            expect_error(response, range(400, 500), None, guarantee="PAGE-16")  # an unknown parameter refused
            continue
        ids = _instance_ids(expect_ok(response, guarantee="PAGE-16"), where)
        check(set(ids) == set(listed_ids), f"{where} answered {len(ids)} instances, without it {len(listed_ids)}: "
              "the list is not paginated", guarantee="PAGE-16")
    for instance_id in sorted(_named_by_messages(owner) - set(listed_ids)):
        response = owner.api.get(f"{INSTANCES}/{instance_id}")
        body = json_body(response)
        instance = body.get("data") if response.status_code == 200 and isinstance(body, dict) else None
        served = isinstance(instance, dict) and instance.get("deletedAt") is None
        check(not served, f"instance {instance_id} (a message was sent through it, GET {INSTANCES}/{{id}} serves it) "
              f"is missing from GET {INSTANCES}: the list holds every instance", guarantee="PAGE-16")
