"""`/__sandbox/payments`: a payment history recorded on demand below the existing one, the delete of what it
recorded only, the `payments-page-off-by-one` fault seen through it, and no such control without the sandbox."""

from __future__ import annotations

import pytest

from msgflash_reference.server_thread import RunningServer
from tests.reference.harness import ServerSet, anonymous, api, data, error

CONTROL = "/__sandbox/payments"
PAYMENTS = "/api/v1/billing/payments"


@pytest.fixture(scope="module")
def server(servers: ServerSet) -> RunningServer:
    return servers.start()  # its own: these checks add and remove payments


def _all_ids(server: RunningServer, identity: str) -> list[str]:
    return [p["id"] for p in data(api(server, identity).get(PAYMENTS, params={"limit": 100}))["payments"]]


def test_recorded_payments_page_below_the_existing_ones_then_go(server: RunningServer) -> None:
    """The owner's 3 seeded payments stay on top; 20 more make 2 pages of 20; the deletes restore the list."""
    control = anonymous(server)
    before = _all_ids(server, "owner")
    made = data(control.post(CONTROL, json={"user": "owner", "count": 20}))
    try:
        assert made["total"] == len(before) + 20
        assert _all_ids(server, "owner") == before + made["ids"]
        first, second = (data(api(server, "owner").get(PAYMENTS, params={"page": n})) for n in (1, 2))
        assert (first["total"], first["page"], first["limit"], first["totalPages"]) == (23, 1, 20, 2)
        assert [len(first["payments"]), second["page"], len(second["payments"])] == [20, 2, 3]
        assert [p["id"] for p in first["payments"] + second["payments"]] == before + made["ids"]
        assert {p["planCode"] for p in second["payments"][-2:]} == {"pro"}
    finally:
        for pid in made["ids"]:
            assert data(control.delete(f"{CONTROL}/{pid}")) == {"id": pid, "deleted": True}
    assert _all_ids(server, "owner") == before
    error(control.delete(f"{CONTROL}/{made['ids'][0]}"), 404, "NOT_FOUND")


def test_only_payments_the_control_made_can_be_deleted(server: RunningServer) -> None:
    seeded = _all_ids(server, "owner")[0]
    error(anonymous(server).delete(f"{CONTROL}/{seeded}"), 404, "NOT_FOUND")
    assert seeded in _all_ids(server, "owner")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"user": "owner"}, 400, "VALIDATION_ERROR"),
        ({"user": "owner", "count": 0}, 400, "VALIDATION_ERROR"),
        ({"user": "owner", "count": 101}, 400, "VALIDATION_ERROR"),
        ({"user": "owner", "count": 1, "extra": 1}, 400, "VALIDATION_ERROR"),
        ({"user": "nobody@example.invalid", "count": 1}, 404, "NOT_FOUND"),
    ],
)
def test_bad_bodies_are_refused(server: RunningServer, body: dict, status: int, code: str) -> None:
    error(anonymous(server).post(CONTROL, json=body), status, code)


def test_the_page_off_by_one_fault_skips_a_page(servers: ServerSet) -> None:
    """With 21 payments, page 1 of the faulty server starts where page 2 should."""
    faulty = servers.start("payments-page-off-by-one")
    made = data(anonymous(faulty).post(CONTROL, json={"user": "outsider", "count": 21}))
    first = data(api(faulty, "outsider").get(PAYMENTS))
    assert [p["id"] for p in first["payments"]] == made["ids"][20:]


def test_no_control_without_the_sandbox(servers: ServerSet) -> None:
    plain = servers.start(sandbox=False)
    error(anonymous(plain).post(CONTROL, json={"user": "owner", "count": 1}), 404, "NOT_FOUND")
