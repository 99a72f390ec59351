"""Faults of the public plan catalogue's line-up (PLAN-19), loaded by `faults.py` through EXTENSION_MODULES.

The seam is the public billing views (`policies/public_billing.py`, extra `"public_billing"`): its `plans`
answers the configured line-up's plans only. The fault swaps it for a copy that forgets that filter:

* `plans-list-includes-retired`: `GET /api/v1/billing/plans` reads every plan the catalogue ever held, so the
  codes of the other line-up (the retired Starter and Plus, or the not-yet-launched MAX) are listed next to
  the configured ones, well-formed and priced like any plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from msgflash_reference.config import PLAN_LINEUPS
from msgflash_reference.faults import Fault
from msgflash_reference.plans import PlanCatalogue
from msgflash_reference.policies.public_billing import PublicBillingViews

if TYPE_CHECKING:
    from msgflash_reference.policies import Policies
    from msgflash_reference.services import Services


@dataclass(frozen=True)
class _PlansWithRetired(PublicBillingViews):
    """The listing's `WHERE active` went missing: plans of every line-up, each code once, configured ones first."""

    def plans(self, svc: Services) -> list[dict[str, Any]]:
        listed = super().plans(svc)
        seen = {entry["code"] for entry in listed}
        for lineup in PLAN_LINEUPS:
            for plan in PlanCatalogue(lineup).plans:
                if plan.code not in seen:
                    seen.add(plan.code)
                    listed.append(plan.catalogue_entry())
        return listed


def _plans_with_retired(policies: Policies) -> Policies:
    return policies.with_extra("public_billing", _PlansWithRetired())


FAULTS: tuple[Fault, ...] = (
    Fault("plans-list-includes-retired", ("PLAN-19",),
          "GET /api/v1/billing/plans also lists the other line-up's retired or unlaunched plans",
          _plans_with_retired),
)
