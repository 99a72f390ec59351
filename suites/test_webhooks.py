"""Webhook endpoints (WH-01..09, facts §11.10, G8): the signing secret is shown at creation only, events 1 to 50
from the documented set, the plan gate and the endpoint cap, deleting twice, what the create answer holds.

WH-05 (the Free plan's gate) is checked in `test_error_codes.py`; WH-08 (outbound deliveries) needs a receiver
the target can reach and is out of scope. Endpoints point at `https://example.invalid/...` (a name that never
resolves) and are made through the factory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.clients import Actor, Harness
from fixtures.errors import not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.contract.plans import plan
from msgflash_compliance.profile import TargetProfile
from suites.areas.common import missing_fields, require_sandbox, require_writes, track_wrong_create
from suites.areas.sandbox import on_plan
from suites.areas.secrets_shown import secret_fields, shown_secrets
from suites.areas.shapes import WEBHOOK_CREATED_FIELDS
from suites.key_scoping.sandbox_controls import plan_code

pytestmark = pytest.mark.serial  # checked alone: moves plans

WEBHOOKS = "/api/v1/webhooks"
EVENTS = ("instance.connected", "instance.disconnected", "message.sent", "message.delivered", "message.read",
          "message.failed", "message.received")
CAP_PLAN = "starter"  # the smallest plan with webhooks in the default line-up: its cap is cheap to fill


def _url(factory: DataFactory, scheme: str = "https") -> str:
    return f"{scheme}://example.invalid/{factory.name('webhook')}"


def _listed(client: Any) -> list[dict[str, Any]]:
    data = expect_ok(client.get(WEBHOOKS), guarantee=("WH-01", "WH-07"))
    check(isinstance(data, list), f"GET {WEBHOOKS}: data is not a list (G8)", guarantee=("WH-01", "WH-07"))
    return [w for w in data if isinstance(w, dict)]


@pytest.mark.smoke
@pytest.mark.guarantee("WH-01")
def test_the_secret_is_shown_at_creation_only(owner: Actor, factory: DataFactory) -> None:
    """The create answer holds the secret; no other answer does: the list holds no endpoint's secret, whoever
    made the endpoint (no secret-named field with a value in any row, the new secret nowhere; the positive
    control: the new endpoint is listed once), nor does the answer of deleting it."""
    webhook = factory.webhook(owner.api, events=["message.delivered"])
    missing = missing_fields(webhook, WEBHOOK_CREATED_FIELDS)
    check(not missing, f"POST {WEBHOOKS}: the create answer lacks {missing}", guarantee="WH-01")
    check(isinstance(webhook["secret"], str) and len(webhook["secret"]) >= 16,
          f"POST {WEBHOOKS}: the signing secret is not a string of at least 16 characters", guarantee="WH-01")
    check(webhook["events"] == ["message.delivered"], f"POST {WEBHOOKS}: events came back {webhook['events']!r}",
          guarantee="WH-01")
    rows = _listed(owner.api)
    check(sum(w.get("id") == webhook["id"] for w in rows) == 1, f"GET {WEBHOOKS}: the new endpoint is not listed "
          "once", guarantee="WH-01")
    known = [("the new endpoint's secret", webhook["secret"])]
    shown = secret_fields(rows) + shown_secrets(rows, known)
    check(not shown, f"GET {WEBHOOKS}: the list shows signing secrets ({'; '.join(sorted(set(shown))[:5])}); a "
          "secret is returned only when its endpoint is created", guarantee="WH-01")
    removed = expect_ok(owner.api.delete(f"{WEBHOOKS}/{webhook['id']}"), guarantee="WH-01")  # the other answer
    shown = secret_fields(removed) + shown_secrets(removed, known)
    check(not shown, f"DELETE {WEBHOOKS}/{{id}}: the answer shows the signing secret ({'; '.join(shown[:3])}); a "
          "secret is returned only when its endpoint is created", guarantee="WH-01")


@pytest.mark.guarantee("WH-02")
@pytest.mark.parametrize("count", [0, 51], ids=["no-events", "51-events"])
def test_an_endpoint_takes_1_to_50_events(count: int, owner: Actor, factory: DataFactory,
                                          profile: TargetProfile) -> None:
    require_writes(profile)
    events = [EVENTS[n % len(EVENTS)] for n in range(count)]
    response = owner.api.post(WEBHOOKS, json={"url": _url(factory), "events": events})
    track_wrong_create(response, owner.api, factory, "webhook", WEBHOOKS + "/{id}")
    expect_error(response, 400, "VALIDATION_ERROR", guarantee="WH-02")


@pytest.mark.guarantee("WH-03")
def test_an_unknown_event_is_refused(owner: Actor, factory: DataFactory, profile: TargetProfile) -> None:
    require_writes(profile)
    response = owner.api.post(WEBHOOKS, json={"url": _url(factory), "events": ["message.exploded"]})
    track_wrong_create(response, owner.api, factory, "webhook", WEBHOOKS + "/{id}")
    expect_error(response, 400, "VALIDATION_ERROR", guarantee="WH-03")


@pytest.mark.guarantee("WH-04")
def test_a_plain_http_url(owner: Actor, factory: DataFactory, profile: TargetProfile) -> None:
    """INFO: the guide asks for an HTTPS URL, the reference does not; whether http is refused is observed.
    The check: refused with 400 VALIDATION_ERROR (an observation, never a failure, when it is accepted)."""
    require_writes(profile)
    response = owner.api.post(WEBHOOKS, json={"url": _url(factory, "http"), "events": ["message.sent"]})
    track_wrong_create(response, owner.api, factory, "webhook", WEBHOOKS + "/{id}")
    expect_error(response, 400, "VALIDATION_ERROR", guarantee="WH-04")


@pytest.fixture
def outsider_on_cap_plan(outsider: Actor, harness: Harness, profile: TargetProfile,
                         settings: Any) -> Iterator[int]:
    """Sandbox: the outsider on the smallest plan with webhooks for the check (its cap yielded), then back."""
    require_sandbox(profile, "putting an account on a plan with a small webhook cap")
    if outsider.email is None:
        not_covered("needs the outsider's e-mail (the sandbox plan control names accounts by e-mail)")
    try:
        cap = plan(settings, CAP_PLAN).limits.maxWebhookEndpoints
    except KeyError:
        not_covered(f"the plan line-up {settings.plan_lineup} has no {CAP_PLAN!r} plan")
    with on_plan(harness, outsider.email, CAP_PLAN, previous=plan_code(outsider)):
        yield cap


@pytest.mark.guarantee("WH-06", "PLAN-09")
def test_the_endpoint_cap_refuses_one_more(outsider: Actor, factory: DataFactory,
                                           outsider_on_cap_plan: int) -> None:
    cap = outsider_on_cap_plan
    existing = len(_listed(outsider.api))
    if existing > cap:
        not_covered(f"the outsider already has {existing} endpoints, more than the {CAP_PLAN} cap {cap}")
    with factory.scoped():  # give the endpoints back at once: other checks of this run need room
        for _ in range(cap - existing):
            factory.webhook(outsider.api)
        response = outsider.api.post(WEBHOOKS, json={"url": _url(factory), "events": ["message.sent"]})
        track_wrong_create(response, outsider.api, factory, "webhook", WEBHOOKS + "/{id}")
    expect_error(response, 403, "MAX_WEBHOOK_ENDPOINTS_REACHED", guarantee=("WH-06", "PLAN-09"))


@pytest.mark.guarantee("WH-07")
def test_a_deleted_endpoint_is_gone(owner: Actor, factory: DataFactory) -> None:
    webhook = factory.webhook(owner.api)
    path = f"{WEBHOOKS}/{webhook['id']}"
    expect_ok(owner.api.delete(path), guarantee="WH-07")
    still = [w for w in _listed(owner.api) if w.get("id") == webhook["id"]]
    check(not still, f"GET {WEBHOOKS}: the deleted endpoint is still listed ({still[0] if still else ''})",
          guarantee="WH-07")
    expect_error(owner.api.delete(path), 404, "NOT_FOUND", guarantee="WH-07")


@pytest.mark.guarantee("WH-09")
def test_the_create_answer_holds_both_doc_variants(owner: Actor, factory: DataFactory) -> None:
    """INFO: the API reference shows {id, url, secret, events, active}, the guide {id, url, events, secret,
    createdAt}; the reference server answers both (G8)."""
    webhook = factory.webhook(owner.api)
    missing = missing_fields(webhook, ("active", "createdAt"))
    check(not missing, f"POST {WEBHOOKS}: the create answer lacks {missing} (one doc variant's fields)",
          guarantee="WH-09")
