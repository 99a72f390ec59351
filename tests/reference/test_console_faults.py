"""Every console fault bites: its check passes on a clean server and fails with the fault on.

The faults come from the console's areas of the registry (`faults/console.py`, `faults/roles.py`,
`faults/invitations.py`, `faults/billing.py`, and the key cap of `faults/plan_limits.py`); each names catalog
guarantees that must exist.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from msgflash_reference.faults import all_faults, billing, console, invitations, plan_limits, roles
from tests.reference.console_checks import CHECKS
from tests.reference.console_support import Console, ServerPool, server_pool

CATALOG = Path(__file__).resolve().parents[2] / "openapi" / "guarantees.yaml"
CONSOLE_FAULTS = {
    f.name: f for f in (*console.FAULTS, *roles.FAULTS, *invitations.FAULTS, *billing.FAULTS, *plan_limits.FAULTS)
}

pool = pytest.fixture(scope="module")(server_pool)


@pytest.fixture(scope="module")
def clean(pool: ServerPool) -> Console:
    return Console(pool.start(seed=False))


def test_every_console_fault_is_registered_and_checked() -> None:
    registry = all_faults()
    assert set(CONSOLE_FAULTS) <= set(registry)
    assert set(CHECKS) <= set(CONSOLE_FAULTS)


def test_every_fault_names_known_guarantees() -> None:
    known = {g["id"] for g in yaml.safe_load(CATALOG.read_text(encoding="utf-8"))["guarantees"]}
    for fault in CONSOLE_FAULTS.values():
        assert fault.breaks, fault.name
        assert set(fault.breaks) <= known, (fault.name, set(fault.breaks) - known)


@pytest.mark.parametrize("check", sorted(set(CHECKS.values()), key=lambda f: f.__name__), ids=lambda f: f.__name__)
def test_check_passes_on_a_clean_server(check, clean: Console) -> None:
    try:
        check(clean)
    finally:
        clean.clock(reset=True)


@pytest.mark.parametrize("fault", sorted(CHECKS))
def test_fault_breaks_its_check(fault: str, pool: ServerPool) -> None:
    faulty = Console(pool.start(fault, seed=False))
    with pytest.raises(AssertionError):
        CHECKS[fault](faulty)
