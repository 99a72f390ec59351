"""PLAN-12 (reference choice G18): a Starter account posting a status is refused with 403
STATUSES_NOT_AVAILABLE_ON_PLAN (statuses are Pro and Plus). The Free gate (STAT-04, PLAN-11) is checked in
`test_error_codes.py`.

Sandbox only: the outsider is put on Starter with the sandbox plan control and always put back on its plan.
A gate that fails would publish the status, so the check also needs `[safety] allow_send`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixtures.assertions import expect_error
from fixtures.clients import Actor, Harness
from fixtures.errors import not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.contract.plans import plan
from msgflash_compliance.contract.settings import ContractSettings
from msgflash_compliance.profile import TargetProfile
from suites.areas.common import instances, require_sandbox, require_send
from suites.areas.sandbox import on_plan
from suites.key_scoping.sandbox_controls import plan_code

pytestmark = pytest.mark.serial  # checked alone: moves plans

STATUSES = "/api/v1/statuses"
STARTER = "starter"


@pytest.fixture
def outsider_on_starter(outsider: Actor, harness: Harness, profile: TargetProfile, settings: ContractSettings
                        ) -> Iterator[Actor]:
    """The outsider on Starter for the check, then back on the plan it had."""
    require_send(profile, "posting a status the plan gate may fail to refuse")
    require_sandbox(profile, "putting the outsider on Starter")
    if outsider.email is None:
        not_covered("needs the outsider's e-mail (the sandbox plan control names accounts by e-mail)")
    try:
        starter = plan(settings, STARTER)
    except KeyError:
        not_covered(f"the plan line-up has no {STARTER!r} plan")
    if starter.features.statuses:
        not_covered("the contract's Starter plan has statuses: no gate to check")
    with on_plan(harness, outsider.email, STARTER, previous=plan_code(outsider)):
        yield outsider


@pytest.mark.guarantee("PLAN-12")
def test_starter_cannot_post_a_status(outsider_on_starter: Actor, factory: DataFactory) -> None:
    owned = instances(outsider_on_starter.api)
    if not owned:
        not_covered("the outsider has no instance (needed to reach the plan gate, not a 404)")
    body = {"instanceId": owned[0]["id"], "type": "text", "content": factory.name("status"),
            "backgroundColor": "#25D366"}
    response = outsider_on_starter.api.post(STATUSES, json=body)
    expect_error(response, 403, "STATUSES_NOT_AVAILABLE_ON_PLAN", guarantee="PLAN-12")
