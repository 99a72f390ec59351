"""`/__sandbox/instances`: the dashboard's create through the plan's instance cap, the delete of what it created,
the `instances-cap-off-by-one` fault, and no such control without the sandbox."""

from __future__ import annotations

import pytest

from msgflash_reference.server_thread import RunningServer
from tests.reference.harness import ServerSet, anonymous, api, data, error

CONTROL = "/__sandbox/instances"


@pytest.fixture(scope="module")
def server(servers: ServerSet) -> RunningServer:
    return servers.start()  # its own: these checks add and remove instances


def _live_ids(server: RunningServer, identity: str) -> list[str]:
    return [i["id"] for i in data(api(server, identity).get("/api/v1/instances"))]


def test_instances_fill_the_plan_cap_then_403(server: RunningServer) -> None:
    """The seeded owner (Pro, 5 instances) holds 3: two more fit, the sixth is refused; deletes free the room."""
    control = anonymous(server)
    before = _live_ids(server, "owner")
    made = [data(control.post(CONTROL, json={"user": "owner", "name": f"Extra {n}"})) for n in (1, 2)]
    try:
        assert [m["status"] for m in made] == ["disconnected", "disconnected"]
        assert [m["name"] for m in made] == ["Extra 1", "Extra 2"]
        assert _live_ids(server, "owner") == before + [m["id"] for m in made]
        usage = data(api(server, "owner").get("/api/v1/usage"))
        assert usage["usage"]["activeInstancesCount"] == usage["limits"]["maxInstances"] == 5
        error(control.post(CONTROL, json={"user": "owner"}), 403, "MAX_INSTANCES_REACHED")
    finally:
        for m in made:
            assert data(control.delete(f"{CONTROL}/{m['id']}")) == {"id": m["id"], "deleted": True}
    assert _live_ids(server, "owner") == before
    error(control.delete(f"{CONTROL}/{made[0]['id']}"), 404, "NOT_FOUND")


def test_only_instances_the_control_made_can_be_deleted(server: RunningServer) -> None:
    seeded = server.seed.instance_ids["owner"][0]
    error(anonymous(server).delete(f"{CONTROL}/{seeded}"), 404, "NOT_FOUND")
    assert seeded in _live_ids(server, "owner")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "VALIDATION_ERROR"),
        ({"user": "owner", "extra": 1}, 400, "VALIDATION_ERROR"),
        ({"user": "nobody@example.invalid"}, 404, "NOT_FOUND"),
    ],
)
def test_bad_bodies_are_refused(server: RunningServer, body: dict, status: int, code: str) -> None:
    error(anonymous(server).post(CONTROL, json=body), status, code)


def test_the_off_by_one_fault_creates_one_past_the_cap(servers: ServerSet) -> None:
    """The outsider (Free, 1 instance) is at its cap: refused on a clean server, served with the fault."""
    faulty = servers.start("instances-cap-off-by-one")
    made = data(anonymous(faulty).post(CONTROL, json={"user": "outsider"}))
    assert len(_live_ids(faulty, "outsider")) == 2
    data(anonymous(faulty).delete(f"{CONTROL}/{made['id']}"))


def test_the_outsider_at_its_free_cap_is_refused(server: RunningServer) -> None:
    error(anonymous(server).post(CONTROL, json={"user": "outsider"}), 403, "MAX_INSTANCES_REACHED")
    assert len(_live_ids(server, "outsider")) == 1


def test_no_control_without_the_sandbox(servers: ServerSet) -> None:
    plain = servers.start(sandbox=False)
    error(anonymous(plain).post(CONTROL, json={"user": "owner"}), 404, "NOT_FOUND")
