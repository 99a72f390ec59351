"""The key-scoping matrix's tables agree with the contract: routes and kinds as the docs list them, an
expectation for every cell, and only catalog guarantee IDs."""

from __future__ import annotations

import pytest

from msgflash_compliance.contract.catalog import load_catalog
from suites.key_scoping.expectations import PERSONAL_ROUTE_GUARANTEES, expected, guarantees_of
from suites.key_scoping.situations import ISSUED_SHAPE, VARIANTS, Situation
from suites.routes import RouteKind, public_routes, routes_of

DOCUMENTED_PERSONAL_ONLY = {  # facts §2.1
    "GET /api/v1/me", "GET /api/v1/usage", "GET /api/v1/billing/subscription", "GET /api/v1/billing/usage",
    "GET /api/v1/billing/payments",
}


def test_route_kinds_follow_the_docs() -> None:
    assert {r.label for r in routes_of(RouteKind.PERSONAL_ONLY)} == DOCUMENTED_PERSONAL_ONLY
    assert [r.label for r in routes_of(RouteKind.OPEN)] == ["GET /api/v1/billing/plans"]
    assert set(PERSONAL_ROUTE_GUARANTEES) == DOCUMENTED_PERSONAL_ONLY


def test_harmless_requests_fill_every_id_and_name_no_existing_instance() -> None:
    for route in public_routes():
        first, second = (route.request(lambda kind: f"mfc-test-{kind}") for _ in range(2))
        assert "{" not in first.path, route.label
        if first.json and "instanceId" in first.json:  # a fresh random id each time: nobody's instance
            assert first.json["instanceId"] != second.json["instanceId"], route.label
        if "{" in route.template:
            assert first.path != second.path, route.label


@pytest.mark.parametrize("situation", list(Situation), ids=str)
def test_every_cell_has_an_expectation_naming_catalog_guarantees(situation: Situation) -> None:
    catalog = load_catalog()
    for route in public_routes():
        want = expected(route, situation)
        assert want.guarantee in catalog, (route.label, situation)
        assert catalog.get(want.guarantee).area in ("AUTH", "TEAM")
        for status, code in want.refusals:
            assert status in (401, 403) and code.isupper()
    assert guarantees_of(situation)


def test_generated_malformed_and_unknown_keys_are_never_issued_shapes() -> None:
    from hypothesis import given, settings

    @settings(max_examples=200, database=None)
    @given(key=VARIANTS[Situation.MALFORMED_KEY])
    def malformed(key: str) -> None:
        assert not ISSUED_SHAPE.match(key)

    @settings(max_examples=50, database=None)
    @given(key=VARIANTS[Situation.UNKNOWN_KEY])
    def unknown(key: str) -> None:
        assert ISSUED_SHAPE.match(key)

    malformed()
    unknown()
