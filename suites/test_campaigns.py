"""Campaigns (CMP-01..15, facts §11.6): creating one, the body rules (one content mode, content per type,
recipients, the types a campaign cannot have), `repeat`, safety, pause and resume, unknown ids, `stats`.
CMP-14 (a plan without campaigns) is checked in `test_error_codes.py` (the Free outsider).

A created campaign schedules sends: only with `[safety] allow_send`. Campaigns here target one contact of the
run (explicit recipients), start 30 days ahead and are paused at the end of their check (no route deletes a
campaign). Refusals name the owner's real instance when sends are allowed, a random id otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import strategies as st

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.clients import Actor, Harness
from fixtures.factories import DataFactory
from msgflash_compliance.profile import TargetProfile
from suites.areas.common import connected_instance, missing_fields, random_id, require_sandbox, require_send
from suites.areas.properties import run_property
from suites.areas.sandbox import instance_state
from suites.areas.shapes import CAMPAIGN_STATS_FIELDS

pytestmark = pytest.mark.serial  # checked alone: puts the connected instance in a risky state

CAMPAIGNS = "/api/v1/campaigns"
MEDIA_URL = "https://example.invalid/media/picture.png"
RISKY_SCORE = 30  # a health score the reference rates high risk (safety.decision "warn")


def _later(days: int = 30) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Campaigns:
    """Creates the owner's campaigns and pauses what it created when the check ends."""

    def __init__(self, owner: Actor, factory: DataFactory, instance_id: str) -> None:
        self.owner, self.factory, self.instance_id = owner, factory, instance_id
        self.made: list[str] = []
        self._recipient: str | None = None

    def recipient(self) -> str:
        if self._recipient is None:
            self._recipient = self.factory.contact(self.owner.api)["id"]
        return self._recipient

    def body(self, **changes: Any) -> dict[str, Any]:
        base = {"instanceId": self.instance_id, "name": self.factory.name("campaign"), "schedule": _later(),
                "recipients": {"type": "explicit", "value": [self.recipient()]}, "type": "text",
                "body": self.factory.name("hello")}
        base.update(changes)
        return {k: v for k, v in base.items() if v is not None}

    def post(self, body: dict[str, Any]) -> httpx.Response:
        response = self.owner.api.post(CAMPAIGNS, json=body)
        data = response.json().get("data") if response.status_code in (200, 201) else None
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            self.made.append(data["id"])
        return response

    def pause_all(self) -> None:
        for campaign_id in self.made:
            self.owner.api.post(f"{CAMPAIGNS}/{campaign_id}/pause")  # 400 for one already paused: fine


@pytest.fixture
def campaigns(owner: Actor, factory: DataFactory, profile: TargetProfile) -> Iterator[Campaigns]:
    """For refusals: the real instance when sends are allowed, a random one otherwise."""
    instance = connected_instance(owner.api)["id"] if profile.safety.allow_send else random_id()
    maker = Campaigns(owner, factory, instance)
    yield maker
    maker.pause_all()


@pytest.fixture
def sending(campaigns: Campaigns, profile: TargetProfile) -> Campaigns:
    """For campaigns that are really created: only with allow_send."""
    require_send(profile, "creating a campaign")
    return campaigns


def _refused(campaigns: Campaigns, guarantee: str, **changes: Any) -> None:
    expect_error(campaigns.post(campaigns.body(**changes)), 400, "VALIDATION_ERROR", guarantee=guarantee)


@pytest.mark.smoke
@pytest.mark.guarantee("CMP-01", "CMP-15")
def test_a_template_campaign_is_scheduled(sending: Campaigns, owner: Actor, factory: DataFactory) -> None:
    template = factory.template(owner.api, body="Hello {{contact.firstName}}")
    created = expect_ok(sending.post(sending.body(type=None, body=None, templateId=template["id"])), 201,
                        guarantee="CMP-01")
    check(isinstance(created, dict) and created.get("status") == "scheduled",
          f"POST {CAMPAIGNS}: the new campaign has status {(created or {}).get('status')!r}, expected scheduled",
          guarantee="CMP-01")
    stored = expect_ok(owner.api.get(f"{CAMPAIGNS}/{created['id']}"), guarantee="CMP-15")
    missing = missing_fields(stored.get("stats") if isinstance(stored, dict) else None, CAMPAIGN_STATS_FIELDS)
    check(not missing, f"GET {CAMPAIGNS}/{{id}}: stats lacks {missing}", guarantee="CMP-15")


@pytest.mark.guarantee("CMP-02")
def test_template_and_type_together_are_refused(campaigns: Campaigns) -> None:
    _refused(campaigns, "CMP-02", templateId=random_id())


@pytest.mark.guarantee("CMP-03")
def test_an_empty_campaign_is_refused(campaigns: Campaigns) -> None:
    _refused(campaigns, "CMP-03", type=None, body=None)


@pytest.mark.guarantee("CMP-04")
@pytest.mark.parametrize("changes", [{"type": "text", "body": None}, {"type": "image", "body": "A caption"}],
                         ids=["text-without-body", "image-without-media"])
def test_content_must_match_its_type(changes: dict[str, Any], campaigns: Campaigns) -> None:
    _refused(campaigns, "CMP-04", **changes)


@pytest.mark.guarantee("CMP-05")
def test_tags_and_explicit_recipients_need_entries(campaigns: Campaigns) -> None:
    def refused(kind: str, value: list[str] | None) -> None:
        recipients = {"type": kind} if value is None else {"type": kind, "value": value}
        _refused(campaigns, "CMP-05", recipients=recipients)

    run_property(refused, examples=3, kind=st.sampled_from(["tags", "explicit"]),
                 value=st.sampled_from([[], None]),
                 explicit=[{"kind": "tags", "value": []}, {"kind": "explicit", "value": []}])


@pytest.mark.guarantee("CMP-06")
def test_group_recipients_need_a_group_id(campaigns: Campaigns) -> None:
    _refused(campaigns, "CMP-06", recipients={"type": "group"})


@pytest.mark.guarantee("CMP-07")
@pytest.mark.parametrize("kind", ["location", "contact"])
def test_location_and_contact_are_not_campaign_types(kind: str, campaigns: Campaigns) -> None:
    _refused(campaigns, "CMP-07", type=kind, mediaUrl=MEDIA_URL)


@pytest.mark.guarantee("CMP-08")
def test_repeat_takes_the_documented_spelling(sending: Campaigns) -> None:
    """INFO: the docs' enum is literally `noe` (likely `none`); observed: a campaign with repeat "noe" is made."""
    expect_ok(sending.post(sending.body(repeat="noe")), 201, guarantee="CMP-08")


@pytest.mark.guarantee("CMP-13")
@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("POST", "/pause"), ("POST", "/resume")])
def test_an_unknown_campaign_is_not_found(method: str, suffix: str, owner: Actor) -> None:
    response = owner.api.request(method, f"{CAMPAIGNS}/{random_id()}{suffix}")
    expect_error(response, 404, "NOT_FOUND", guarantee="CMP-13")


# -- sandbox: pause and resume, safety ------------------------------------------------------------------------


@pytest.mark.guarantee("CMP-10", "CMP-11", "CMP-12")
def test_pause_and_resume(sending: Campaigns, owner: Actor, profile: TargetProfile) -> None:
    """Sandbox: a resumed campaign is running (on a real target it would start sending). scheduled → pause →
    paused → resume → running → pause → paused; pausing a paused campaign is 400 BAD_REQUEST."""
    require_sandbox(profile, "running a campaign")
    created = expect_ok(sending.post(sending.body()), 201, guarantee="CMP-10")
    path = f"{CAMPAIGNS}/{created['id']}"
    expect_ok(owner.api.post(f"{path}/pause"), guarantee="CMP-10")
    resumed = expect_ok(owner.api.post(f"{path}/resume"), guarantee="CMP-12")
    check(resumed.get("status") == "running", f"POST {CAMPAIGNS}/{{id}}/resume of a paused campaign: status "
          f"{resumed.get('status')!r}, expected running", guarantee="CMP-12")
    paused = expect_ok(owner.api.post(f"{path}/pause"), guarantee="CMP-10")
    check(paused.get("status") == "paused", f"POST {CAMPAIGNS}/{{id}}/pause of a running campaign: status "
          f"{paused.get('status')!r}, expected paused", guarantee="CMP-10")
    expect_error(owner.api.post(f"{path}/pause"), 400, "BAD_REQUEST", guarantee="CMP-11")


@pytest.fixture
def risky_instance(owner: Actor, harness: Harness, profile: TargetProfile) -> Iterator[str]:
    """Sandbox: the owner's connected instance with a low health score for the check, then as it was."""
    require_sandbox(profile, "making an instance risky")
    require_send(profile, "creating a campaign")
    instance = connected_instance(owner.api)["id"]
    health = expect_ok(owner.api.get(f"/api/v1/instances/{instance}/health"), guarantee="CMP-09")
    previous = health.get("healthScore") if isinstance(health, dict) else None
    instance_state(harness, instance, healthScore=RISKY_SCORE)
    try:
        yield instance
    finally:
        instance_state(harness, instance, healthScore=previous if isinstance(previous, int) else 80)


@pytest.mark.guarantee("CMP-09")
def test_a_safety_warning_never_blocks(sending: Campaigns, owner: Actor, risky_instance: str) -> None:
    created = expect_ok(sending.post(sending.body(instanceId=risky_instance)), 201, guarantee="CMP-09")
    decision = (created.get("safety") or {}).get("decision") if isinstance(created, dict) else None
    check(decision in ("allow", "warn"), f"POST {CAMPAIGNS} on a risky instance: safety.decision {decision!r}, "
          "expected allow or warn", guarantee="CMP-09")
    path = f"{CAMPAIGNS}/{created['id']}"
    expect_ok(owner.api.post(f"{path}/pause"), guarantee="CMP-09")
    resumed = expect_ok(owner.api.post(f"{path}/resume"), guarantee="CMP-09")
    decision = (resumed.get("safety") or {}).get("decision") if isinstance(resumed, dict) else None
    check(decision in (None, "allow", "warn"), f"resume on a risky instance: safety.decision {decision!r}",
          guarantee="CMP-09")
