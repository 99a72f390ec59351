"""WhatsApp statuses (STAT-01..05, facts §11.4): publishing one, the two types, an unknown instance, and the
outbound counters. STAT-04 (a plan without statuses) is checked in `test_error_codes.py` (the Free outsider).

Publishing acts on WhatsApp: only with `[safety] allow_send`. The refusals name the owner's real instance when
sends are allowed (only the body can be refused), a random id otherwise (nothing can be published).
"""

from __future__ import annotations

from typing import Any

import pytest

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.clients import Actor
from fixtures.errors import not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.profile import TargetProfile
from suites.areas.common import connected_instance, missing_fields, random_id, require_send

pytestmark = pytest.mark.serial  # checked alone: reads the monthly counters

STATUSES = "/api/v1/statuses"
USAGE = "/api/v1/usage"


@pytest.fixture(scope="module")
def publishing(owner: Actor, profile: TargetProfile) -> str:
    """The owner's connected instance, when sends are allowed and the owner's plan has statuses."""
    require_send(profile, "publishing a status")
    features = (expect_ok(owner.api.get(USAGE)) or {}).get("features") or {}
    if features.get("statuses") is not True:
        not_covered("the owner's plan has no statuses feature")
    return connected_instance(owner.api)["id"]


def _text_status(instance: str, factory: DataFactory) -> dict[str, Any]:
    return {"instanceId": instance, "type": "text", "content": factory.name("status"), "backgroundColor": "#25D366"}


def _usage(owner: Actor) -> dict[str, Any]:
    return (expect_ok(owner.api.get(USAGE), guarantee="STAT-05") or {}).get("usage") or {}


@pytest.mark.smoke
@pytest.mark.guarantee("STAT-01")
def test_a_text_status_is_published(owner: Actor, factory: DataFactory, publishing: str) -> None:
    data = expect_ok(owner.api.post(STATUSES, json=_text_status(publishing, factory)), 201, guarantee="STAT-01")
    missing = missing_fields(data, ("instanceId", "providerMessageId"))
    check(not missing, f"POST {STATUSES}: the answer lacks {missing}", guarantee="STAT-01")
    check(data["instanceId"] == publishing, f"POST {STATUSES}: instanceId {data['instanceId']!r} is not the "
          "instance the status was published on", guarantee="STAT-01")


@pytest.mark.guarantee("STAT-02")
@pytest.mark.parametrize("kind", ["video", "audio", "document", "voice_note"])
def test_only_text_and_image_statuses(kind: str, owner: Actor, factory: DataFactory,
                                      profile: TargetProfile) -> None:
    instance = connected_instance(owner.api)["id"] if profile.safety.allow_send else random_id()
    body = {"instanceId": instance, "type": kind, "content": "https://example.invalid/media/clip.mp4"}
    expect_error(owner.api.post(STATUSES, json=body), 400, "VALIDATION_ERROR", guarantee="STAT-02")


@pytest.mark.guarantee("STAT-03")
def test_a_random_instance_is_not_found(owner: Actor, factory: DataFactory) -> None:
    response = owner.api.post(STATUSES, json=_text_status(random_id(), factory))
    expect_error(response, 404, "NOT_FOUND", guarantee="STAT-03")


@pytest.mark.guarantee("STAT-05")
def test_a_status_is_counted(owner: Actor, factory: DataFactory, publishing: str) -> None:
    before = _usage(owner)
    expect_ok(owner.api.post(STATUSES, json=_text_status(publishing, factory)), 201, guarantee="STAT-05")
    after = _usage(owner)
    short = {k: (before.get(k), after.get(k)) for k in ("statusesCount", "effectiveOutboundUsage")
             if not (isinstance(before.get(k), int) and isinstance(after.get(k), int) and after[k] >= before[k] + 1)}
    check(not short, f"GET {USAGE} before and after publishing a status: these did not grow by at least 1: "
          f"{short}", guarantee="STAT-05")
