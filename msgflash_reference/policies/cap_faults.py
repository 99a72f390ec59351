"""Plan-cap faults beyond the core's groups and the messaging area's webhooks (loaded by `faults.py` through
EXTENSION_MODULES). Each swaps one cap of `plan_rules` for a copy that gets its comparison wrong:

* `instances-cap-off-by-one`: the instance cap compares with `>` where `>=` belongs, so an account already at
  `maxInstances` gets one more instance (PLAN-07, INST-05; reached through the sandbox's stand-in for the
  dashboard's create, `POST /__sandbox/instances`).
"""

from __future__ import annotations

from dataclasses import replace

from msgflash_reference.faults import Fault
from msgflash_reference.policies import Policies


def _instances_cap_off_by_one(policies: Policies) -> Policies:
    cap = policies.plan_rules.caps["instances"]
    return replace(policies, plan_rules=policies.plan_rules.with_cap(replace(cap, reached=lambda c, limit: c > limit)))


FAULTS: tuple[Fault, ...] = (
    Fault(
        "instances-cap-off-by-one",
        ("PLAN-07", "INST-05"),
        "one instance more than the plan allows is created",
        _instances_cap_off_by_one,
    ),
)
