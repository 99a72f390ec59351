"""Console billing by role (`/api/billing/*` with a JWT): ROLE-01..08, BILL-20, and TEAM-14 on billing.

The matrix is identities (owner, admin, collaborator, outsider) × routes (subscription, usage, payments,
checkout, cancel, downgrade, cancel-scheduled-change) × X-Team-Id (the profile's [team], [other_team], none).
Every cell's expected answer comes from the one table in `suites/billing/role_table.py` (statuses and codes
from the catalog; decisions #3 through the `collaborator_billing_reads` setting). One test per guarantee, so
each gets its own verdict:

* `full` runs every cell once, deterministically (plan codes in the bodies cycle through the line-up);
* `smoke` lets Hypothesis draw a few cells and bodies per guarantee, so the runs cover the matrix over time.

Mutations: see `suites/billing/role_matrix.py` (refusals always; controls that may succeed only with billing
probes; anything that succeeded is undone at once by the subscription guard).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import Phase, given
from hypothesis import strategies as st

from fixtures.clients import Actor
from fixtures.hypothesis_runs import noting, target_settings
from msgflash_compliance.contract.catalog import load_catalog
from msgflash_compliance.contract.plans import plans_for
from msgflash_compliance.profile import TargetProfile
from suites.billing.guard import BillingGuard, billing_guard  # noqa: F401  (the session fixture)
from suites.billing.role_matrix import BillingRoleMatrix, raise_findings
from suites.billing.role_table import ACCEPTED
from suites.key_scoping.level import suite_level

# Checked alone: billing probes change the owner's subscription.
pytestmark = [pytest.mark.usefixtures("billing_guard"), pytest.mark.serial]

GUARANTEES = ("ROLE-01", "ROLE-02", "ROLE-03", "ROLE-04", "ROLE-05", "ROLE-06", "ROLE-07", "ROLE-08",
              "BILL-20", "TEAM-14")
SMOKE_EXAMPLES = 4  # drawn judged cells per guarantee in the smoke suite
SMOKE_CONTROLS = 1  # drawn control cells (accepted, or the caller's own account) per guarantee
MATRIX_TEST = "test_billing_role_matrix"


@pytest.fixture(scope="module")
def role_matrix(profile: TargetProfile, identities: dict[str, Actor], billing_guard: BillingGuard,  # noqa: F811
                settings) -> Iterator[BillingRoleMatrix]:
    codes = tuple(p.code for p in plans_for(settings))
    matrix = BillingRoleMatrix(profile, identities, billing_guard, load_catalog(), settings, codes)
    yield matrix
    matrix.close()


def _selected(request: pytest.FixtureRequest) -> list[str]:
    chosen = [item.callspec.params["guarantee"] for item in request.session.items
              if getattr(item, "originalname", "") == MATRIX_TEST and hasattr(item, "callspec")]
    return list(dict.fromkeys(chosen))


def _drawn(matrix: BillingRoleMatrix, guarantee: str) -> None:
    """A few drawn cells that must be refused or answer exactly, and one drawn control."""
    matrix.discover()
    cells = matrix.cells_of(guarantee)
    judged = [c for c in cells if matrix.expect(c).rule.status is not ACCEPTED and not matrix.expect(c).personal]
    controls = [c for c in cells if c not in judged]
    for pool, examples in ((judged, SMOKE_EXAMPLES), (controls, SMOKE_CONTROLS)):
        if not pool:
            continue

        @target_settings(max_examples=examples, phases=[Phase.generate])
        @given(cell=st.sampled_from(pool), plan_code=st.sampled_from(matrix.plan_codes))
        @noting
        def one_cell(cell, plan_code):
            record = matrix.cell(cell, plan_code)
            raise_findings([f for f in record.findings if f.guarantee == guarantee])

        one_cell()


@pytest.mark.smoke
@pytest.mark.parametrize("guarantee", [pytest.param(g, id=g, marks=pytest.mark.guarantee(g)) for g in GUARANTEES])
def test_billing_role_matrix(guarantee: str, role_matrix: BillingRoleMatrix, request: pytest.FixtureRequest
                             ) -> None:
    if suite_level(request.config) == "smoke":
        _drawn(role_matrix, guarantee)
        return
    role_matrix.sweep(_selected(request))
    records = role_matrix.verdict(guarantee)
    codes = sorted({r.refusal_code or "-" for r in records if r.refusal_code is not None})
    if codes:  # decisions #3: the status is asserted, the undocumented code recorded
        print(f"{guarantee}: refusal code(s) seen where the docs give none: {', '.join(codes)}")
