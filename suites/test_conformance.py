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
not generated here: on a sandbox `test_conformance_console_mutations.py` generates them as scratch accounts,
elsewhere they are excluded. Which statuses each operation answered is written to
`conformance-coverage.json` next to the reports (`suites.conformance.record`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from schemathesis.generation.hypothesis.builder import ApiOperationMark

from fixtures.clients import Actor, Harness
from fixtures.factories import DataFactory
from msgflash_compliance.contract import openapi
from msgflash_compliance.profile import TargetProfile
from suites.conformance.callers import make_clients
from suites.conformance.error_codes import error_status_table
from suites.conformance.exercise import Exerciser
from suites.conformance.known_ids import KnownIds
from suites.conformance.per_operation import configure_operation_test
from suites.conformance.plan import EXCLUDED, Caller, callers, guarantees
from suites.conformance.record import RECORD, record_path
from suites.conformance.schema import SCHEMA

SCRATCH_MODULE = "suites/test_conformance_console_mutations.py"
SMOKE_CALLERS = frozenset({Caller.PERSONAL, Caller.CONSOLE, Caller.ANONYMOUS})
GENERATED = SCHEMA.exclude(operation_id=sorted(EXCLUDED))


def resource_of(path: str) -> str:
    """`/api/v1/campaigns/{id}/resume` → `campaigns`; `/api/teams/{teamId}/api-keys` → `teams`; a collection
    nested in another with ids of its own is a resource of its own: `/api/v1/contacts/groups/{groupId}/members`
    → `contacts/groups` (the contacts' operations alone were a lane's longest unit)."""
    parts = [part for part in path.split("/") if part and part not in ("api", "v1")]
    if not parts:
        return path
    nested = "/".join(parts[:2])
    if len(parts) > 1 and not parts[1].startswith("{") and nested in _NESTED_COLLECTIONS:
        return nested
    return parts[0]


def _nested_collections() -> frozenset[str]:
    """`first/second` for every documented path `/…/first/second/{id}…` (a literal second segment with ids)."""
    found = set()
    for op in openapi.operations():
        parts = [part for part in op.path.split("/") if part and part not in ("api", "v1")]
        if len(parts) > 2 and not parts[1].startswith("{") and parts[2].startswith("{"):
            found.add("/".join(parts[:2]))
    return frozenset(found)


_NESTED_COLLECTIONS = _nested_collections()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Fan each operation's Schemathesis test out over its callers, each marked with its guarantees."""
    operation = ApiOperationMark.get(metafunc.function)
    if operation is None or "caller" not in metafunc.fixturenames:
        return
    op = openapi.operation(operation.label)
    # A run in lanes deals the operations resource by resource (pause before resume, in one lane): each lane
    # sets up its own known ids for the resources it gets.
    marks = [pytest.mark.guarantee(*guarantees(op)), pytest.mark.spread(resource_of(op.path))]
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
        if profile.sandbox.enabled:  # generated as scratch accounts, in their own module
            RECORD.skip(openapi.by_id(operation_id).label, f"generated by {SCRATCH_MODULE} (scratch accounts)")
        else:
            RECORD.exclude(openapi.by_id(operation_id).label, reason)
    yield Exerciser(harness, factory, clients, known, error_status_table(settings), team_id)
    path = record_path(request.config)
    if path is not None:
        RECORD.write(path)


@pytest.fixture(autouse=True)
def _per_operation(request: pytest.FixtureRequest, profile: TargetProfile) -> None:
    configure_operation_test(request, profile)


@GENERATED.parametrize()
def test_operation_conforms(case: Any, caller: Caller, exerciser: Exerciser) -> None:
    exerciser.run(case, caller)
