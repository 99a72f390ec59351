"""Data factories: prefixed names, cleanup at the end (also of what tests track themselves), the sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fixtures.clients import Harness, iter_actors
from fixtures.errors import NotCovered
from fixtures.factories import DataFactory
from tests.harness.live_server import LiveServer


def owner_of(harness: Harness):
    return dict(iter_actors(harness))["owner"]


def test_created_data_is_prefixed_and_deleted_at_cleanup(live_server: LiveServer, make_profile) -> None:
    harness = Harness(make_profile(rate_limit=1000))
    factory = DataFactory(harness, run_id="r1")
    owner = owner_of(harness)
    contact = factory.contact(owner.api)
    group = factory.group(owner.api)
    assert contact["name"].startswith("mfc-r1-contact-") and group["name"].startswith("mfc-r1-group-")
    assert contact["id"] in live_server.state.store["contacts"]
    sent_before_cleanup = harness.budget.sent

    assert factory.cleanup() == []
    assert contact["id"] not in live_server.state.store["contacts"]
    assert group["id"] not in live_server.state.store["groups"]
    assert harness.budget.sent == sent_before_cleanup  # cleanup is outside the budget
    assert factory.cleanup() == []  # idempotent: nothing left to delete


def test_already_deleted_data_is_not_a_cleanup_problem(live_server: LiveServer, make_profile) -> None:
    harness = Harness(make_profile(rate_limit=1000))
    factory = DataFactory(harness, run_id="r2")
    owner = owner_of(harness)
    contact = factory.contact(owner.api)
    owner.api.delete(f"/api/v1/contacts/{contact['id']}")  # the test deleted it itself
    assert factory.cleanup() == []


def test_sweep_removes_only_old_prefixed_leftovers(live_server: LiveServer, make_profile) -> None:
    harness = Harness(make_profile(rate_limit=1000, data_prefix="sweep-"))
    owner = owner_of(harness)
    old = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    store = live_server.state.store["contacts"]
    store["a"] = {"id": "a", "name": "sweep-dead-run-contact-1", "createdAt": old}
    store["b"] = {"id": "b", "name": "sweep-live-run-contact-1", "createdAt": datetime.now(UTC).isoformat()}
    store["c"] = {"id": "c", "name": "someone else's contact", "createdAt": old}
    deleted = DataFactory(harness, run_id="r3").sweep([owner.api])
    assert deleted == 1
    assert "a" not in store and "b" in store and "c" in store
    store.pop("b"), store.pop("c")


def test_a_read_only_profile_makes_creating_checks_not_covered(live_server: LiveServer, make_profile) -> None:
    harness = Harness(make_profile(read_only=True))
    with pytest.raises(NotCovered, match="read_only"):
        DataFactory(harness, run_id="r4").contact(owner_of(harness).api)
