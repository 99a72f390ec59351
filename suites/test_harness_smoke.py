"""A few end-to-end checks that prove the harness works against a live target: anonymous, API key, console
login, and data created by the factory (and deleted at the end of the run)."""

import pytest

from fixtures.assertions import check, expect_error, expect_ok

pytestmark = pytest.mark.smoke


@pytest.mark.guarantee("AUTH-01")
def test_no_api_key_is_unauthorized(anonymous_client):
    expect_error(anonymous_client.get("/api/v1/usage"), 401, "UNAUTHORIZED", guarantee="AUTH-01")


@pytest.mark.guarantee("ENV-01")
def test_success_carries_data(owner):
    expect_ok(owner.api.get("/api/v1/usage"), guarantee="ENV-01")


@pytest.mark.guarantee("TEAM-16")
def test_console_without_team_header_is_personal(owner):
    data = expect_ok(owner.console.get("/api/contacts"), guarantee="TEAM-16")
    check(isinstance(data, dict) and "contacts" in data, "GET /api/contacts: data.contacts missing",
          guarantee="TEAM-16")


@pytest.mark.guarantee("CNT-02")
def test_contact_is_created(owner, factory):
    contact = factory.contact(owner.api, tags=["harness"])
    check(contact["name"].startswith(factory.prefix), "created contact lost its name", guarantee="CNT-02")
