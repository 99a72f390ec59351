"""Schema conformance: Schemathesis over every operation of the contract, as each caller that may use it.

One test per (operation, caller): the owner's personal key on every `/api/v1` operation, the team key on the
team-aware ones, the owner's console session on console operations, no credentials where the spec declares
none. Every generated case goes through the harness client of its caller (`suites.conformance.exercise`:
throttle, budget, evidence, redaction) and each answer is checked with not_a_server_error,
status_code_conformance, content_type_conformance, response_schema_conformance, negative_data_rejection and
positive_data_acceptance (tolerating the documented refusals of a valid request: unknown ids 404, plan gates
403, a foreign cursor 400, see `suites.conformance.checks`), the envelope (ENV-01/02/04/05), the code →
status table (ERR-10) and, once per operation and caller, the ignored-auth probes (AUTH-01/02). The stateful
checks (use_after_free, ensure_resource_availability) run in `test_stateful_lifecycles.py`.

Generated writes stay on the run's data: positive creates carry prefixed names and are deleted at once; path
ids are random or the run's own resources (`suites.conformance.known_ids`). Sends, schedules, statuses,
campaigns and number lookups run only with `[safety] allow_send`; console billing and team/key mutations are
never generated (their own suites check them). Which statuses each operation answered is written to
`conformance-coverage.json` next to the reports (`suites.conformance.record`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from schemathesis.generation.hypothesis.builder import ApiOperationMark

from fixtures.clients import Actor, Harness
from fixtures.errors import not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.profile import TargetProfile
from suites.conformance import contract
from suites.conformance.callers import make_clients
from suites.conformance.error_codes import error_status_table
from suites.conformance.exercise import Exerciser
from suites.conformance.known_ids import KnownIds
from suites.conformance.plan import EXCLUDED, Caller, callers, exclusion, guarantees
from suites.conformance.record import RECORD, record_path
from suites.conformance.schema import SCHEMA, settings_for
from suites.key_scoping.level import suite_level

SMOKE_CALLERS = frozenset({Caller.PERSONAL, Caller.CONSOLE, Caller.ANONYMOUS})
GENERATED = SCHEMA.exclude(operation_id=sorted(EXCLUDED))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Fan each operation's Schemathesis test out over its callers, each marked with its guarantees."""
    operation = ApiOperationMark.get(metafunc.function)
    if operation is None or "caller" not in metafunc.fixturenames:
        return
    op = contract.operation(operation.label)
    marks = [pytest.mark.guarantee(*guarantees(op))]
    metafunc.parametrize("caller", [
        pytest.param(caller, id=caller.value, marks=[*marks, *([pytest.mark.smoke] if caller in SMOKE_CALLERS else [])])
        for caller in callers(op)
    ])


@pytest.fixture(scope="module")
def exerciser(harness: Harness, factory: DataFactory, identities: dict[str, Actor], profile: TargetProfile,
              settings: Any, request: pytest.FixtureRequest) -> Iterator[Exerciser]:
    clients = make_clients(harness, identities)
    team_id = profile.team.id if profile.team else None
    owner = profile.identity("owner")
    login = (owner.email, owner.password) if owner and owner.email and owner.password else None
    known = KnownIds(clients, factory, team_id, profile.safety.allow_send, login, profile.sandbox.enabled)
    for operation_id, reason in EXCLUDED.items():
        RECORD.exclude(contract.by_id(operation_id).label, reason)
    yield Exerciser(harness, factory, clients, known, error_status_table(settings), team_id)
    path = record_path(request.config)
    if path is not None:
        RECORD.write(path)


@pytest.fixture(autouse=True)
def _per_operation(request: pytest.FixtureRequest, profile: TargetProfile) -> None:
    """Allure history per operation and caller, the level's Hypothesis settings, this target's exclusions."""
    label = getattr(request.node, "operation_label", None)
    if label is None:
        return
    import allure

    allure.dynamic.parameter("operation", label)
    allure.dynamic.story(label)
    reason = exclusion(contract.operation(label), profile)
    if reason is not None:
        RECORD.exclude(label, reason)
        not_covered(reason)
    test = request.node.obj
    current = getattr(test, "_hypothesis_internal_use_settings", None)
    test._hypothesis_internal_use_settings = settings_for(suite_level(request.config), current)


@GENERATED.parametrize()
def test_operation_conforms(case: Any, caller: Caller, exerciser: Exerciser) -> None:
    exerciser.run(case, caller)
