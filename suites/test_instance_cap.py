"""The instance cap (PLAN-07, and INST-05: the same promise on the error-codes page): an account holding
`maxInstances` live instances (Free 1, Starter 2, Pro 5, Plus 20) is refused the next one with 403
MAX_INSTANCES_REACHED.

No documented API route creates an instance: users do it in the dashboard. So the check runs only on a sandbox,
whose `POST /__sandbox/instances` stands in for the dashboard's create (same cap enforcement) and whose
`DELETE /__sandbox/instances/{id}` removes what it made. The account is the outsider on its current plan: its
instances are filled up to the plan's documented cap, the next create must be refused, and every instance the
check made is deleted as soon as it is done (also one a faulty target wrongly created).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fixtures.assertions import expect_error
from fixtures.checks import error_code_of
from fixtures.clients import Actor, Harness
from fixtures.errors import ContractViolation, HarnessError, not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.contract.plans import plan
from msgflash_compliance.profile import TargetProfile
from suites.areas.common import require_sandbox, track_wrong_create
from suites.areas.sandbox import SANDBOX_CREDENTIAL
from suites.key_scoping.controls import expect_control
from suites.key_scoping.sandbox_controls import plan_code

pytestmark = pytest.mark.serial  # checked alone: fills an instance cap

CREATE = "/__sandbox/instances"
DELETE = CREATE + "/{id}"
CAP_CODE = "MAX_INSTANCES_REACHED"


def _live_instances(actor: Actor) -> int:
    """activeInstancesCount of the actor's account (the cap counts the paying owner's instances)."""
    data = expect_control(actor.api.get("/api/v1/usage"), f"read the {actor.name}'s usage")
    count = ((data or {}).get("usage") or {}).get("activeInstancesCount")
    if not isinstance(count, int):
        raise HarnessError("GET /api/v1/usage: no data.usage.activeInstancesCount")
    return count


def _create(sandbox: httpx.Client, factory: DataFactory, email: str) -> httpx.Response:
    """The dashboard's create as the sandbox plays it; whatever it makes is deleted with the factory's scope."""
    response = sandbox.post(CREATE, json={"user": email, "name": factory.name("instance")})
    track_wrong_create(response, sandbox, factory, "instance", DELETE)
    return response


def _below_cap(response: httpx.Response, n: int, cap: int) -> None:
    """Instance number n <= cap must be created; the cap's refusal there is a violation, anything else breaks."""
    if response.status_code == 200:
        return
    if response.status_code == 403 and error_code_of(response) == CAP_CODE:
        raise ContractViolation(f"instance number {n} of a cap of {cap} was refused with 403 {CAP_CODE} (the "
                                "last instance the plan allows must be accepted)", ["PLAN-07", "INST-05"])
    raise HarnessError(f"POST {CREATE} (instance {n}, below the cap) answered {response.status_code} "
                       f"{error_code_of(response) or ''}")


@pytest.mark.guarantee("PLAN-07", "INST-05")
def test_the_instance_past_the_plan_cap_is_refused(outsider: Actor, harness: Harness, profile: TargetProfile,
                                                   settings: Any, factory: DataFactory) -> None:
    require_sandbox(profile, "creating instances (a dashboard action)")
    if outsider.email is None:
        not_covered("needs the outsider's e-mail (the sandbox instance control names accounts by e-mail)")
    code = plan_code(outsider)
    try:
        cap = plan(settings, code).limits.maxInstances
    except KeyError:
        not_covered(f"the outsider's plan {code!r} is not in the line-up {settings.plan_lineup}")
    start = _live_instances(outsider)
    if start > cap:
        not_covered(f"the outsider already has {start} instances, more than the {code} cap of {cap}")
    sandbox = harness.client(SANDBOX_CREDENTIAL)
    with factory.scoped():  # the instances go at once: the outsider's other checks see its usual line-up
        for n in range(start + 1, cap + 1):
            _below_cap(_create(sandbox, factory, outsider.email), n, cap)
        response = _create(sandbox, factory, outsider.email)
    expect_error(response, 403, CAP_CODE, guarantee=("PLAN-07", "INST-05"))
