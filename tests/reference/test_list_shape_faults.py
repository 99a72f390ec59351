"""Every fault of `policies/list_shape_faults.py` really changes the answer on the guarantee it names: a probe
sees the documented behaviour on a clean server and something else with the fault switched on."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from msgflash_reference.faults import all_faults
from msgflash_reference.server_thread import RunningServer
from tests.reference.harness import ServerSet, api, data, server_set

Probe = Callable[[RunningServer], Any]


def instances_answer_is_an_array(s: RunningServer) -> bool:
    return isinstance(data(api(s, "owner").get("/api/v1/instances")), list)


def limit_keeps_every_instance(s: RunningServer) -> bool:
    client = api(s, "owner")
    return len(data(client.get("/api/v1/instances", params={"limit": 1}))) == len(data(client.get("/api/v1/instances")))


def default_template_page_size(s: RunningServer) -> int:
    client = api(s, "owner")
    for n in range(21):
        data(client.post("/api/v1/templates", json={"name": f"t{n}", "type": "text", "body": "Hi"}), 201)
    return len(data(client.get("/api/v1/templates"))["templates"])


def templates_limit_101(s: RunningServer) -> int:
    return api(s, "owner").get("/api/v1/templates", params={"limit": 101}).status_code


def delete_unknown_webhook(s: RunningServer) -> int:
    return api(s, "owner").delete(f"/api/v1/webhooks/{uuid.uuid4()}").status_code


def collaborator_reads_team_subscription(s: RunningServer) -> int:
    assert s.seed is not None
    who = s.seed.identities["collaborator"]
    with httpx.Client(base_url=s.base_url, timeout=10) as http:
        token = data(http.post("/api/auth/login", json={"email": who.email, "password": who.password}))["token"]
        headers = {"authorization": f"Bearer {token}", "x-team-id": s.seed.team_id}
        return http.get("/api/billing/subscription", headers=headers).status_code


CASES: dict[str, tuple[Probe, Any]] = {
    "instances-list-paginated": (instances_answer_is_an_array, True),
    "instances-list-honours-limit": (limit_keeps_every_instance, True),
    "templates-default-limit-50": (default_template_page_size, 20),
    "templates-limit-max-unenforced": (templates_limit_101, 400),
    "webhook-delete-unknown-succeeds": (delete_unknown_webhook, 404),
    "collaborator-subscription-404": (collaborator_reads_team_subscription, 403),
}


@pytest.fixture(scope="module")
def fault_servers() -> Iterator[ServerSet]:
    yield from server_set()


@pytest.fixture(scope="module")
def clean(fault_servers: ServerSet) -> RunningServer:
    """One clean server for every probe: each probe's clean answer holds however often it ran before."""
    return fault_servers.start()


def test_every_list_shape_fault_has_a_probe() -> None:
    assert set(CASES) <= set(all_faults())


@pytest.mark.parametrize("name", sorted(CASES))
def test_fault_changes_the_answer(fault_servers: ServerSet, clean: RunningServer, name: str) -> None:
    probe, clean_answer = CASES[name]
    assert probe(clean) == clean_answer
    assert probe(fault_servers.start(name)) != clean_answer
