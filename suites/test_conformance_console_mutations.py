"""Schema conformance of the console mutations: billing (checkout, cancel, downgrade, cancel-scheduled-change)
and team / invitation / member / instance-assignment / key changes, generated on a sandbox only.

Generated requests there would change the seeded accounts the other suites rely on, so they run in a scratch
workspace (`suites.conformance.scratch`): two accounts signed up for the run, the owner on the line-up's top
plan with a scratch team and a connected instance, and an invitee. Each operation runs as the scratch owner
(the invitee accepts invitations and leaves teams); before its test the workspace prepares what a success
needs (a team to delete, an invitation to resend, revoke or accept, the invitee as a member, an assignment,
a key, the subscription state) and puts the team back after it. Every case is judged like the other
conformance cases (`test_conformance.py`): not_a_server_error, status/content-type/response-schema
conformance, negative data rejection, positive data acceptance with its documented refusals, the envelope
and the code → status table. Everything the scratch accounts made is removed at the end (teams deleted, keys
revoked, the owner on the cheapest plan); only the accounts stay, since the API cannot delete one. The record
(`conformance-coverage.json`) holds the accounts, what could not be removed, and the seeded identities whose
subscription differed afterwards. Without a sandbox every operation here is excluded, with its reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from schemathesis.generation.hypothesis.builder import ApiOperationMark

from fixtures.clients import Actor, Harness
from fixtures.errors import not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.contract import openapi
from msgflash_compliance.contract.plans import plans_for
from msgflash_compliance.profile import TargetProfile
from suites.conformance.error_codes import error_status_table
from suites.conformance.exercise import Exerciser
from suites.conformance.per_operation import configure_operation_test
from suites.conformance.plan import EXCLUDED, Caller, exclusion, guarantees, scratch_caller
from suites.conformance.record import RECORD, record_path
from suites.conformance.schema import SCHEMA
from suites.conformance.scratch import ScratchWorkspace
from suites.conformance.seeded import subscription_states

MUTATIONS = SCHEMA.include(operation_id=sorted(EXCLUDED))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each operation's Schemathesis test, as the scratch account that makes the move, marked with its
    guarantees."""
    operation = ApiOperationMark.get(metafunc.function)
    if operation is None or "caller" not in metafunc.fixturenames:
        return
    op = openapi.operation(operation.label)
    caller = scratch_caller(op)
    metafunc.parametrize("caller", [pytest.param(caller, id=caller.value,
                                                 marks=[pytest.mark.guarantee(*guarantees(op))])])


@pytest.fixture(scope="module")
def scratch(harness: Harness, factory: DataFactory, identities: dict[str, Actor], settings: Any,
            profile: TargetProfile, request: pytest.FixtureRequest) -> Iterator[ScratchWorkspace]:
    """The scratch workspace; on a target that must not get these requests (no sandbox, read-only) every
    operation is recorded as excluded and nothing is signed up (module fixtures run before the per-test
    ones, so this is where it is decided)."""
    reasons = {op.label: exclusion(op, profile) for op in map(openapi.by_id, sorted(EXCLUDED))}
    if any(reasons.values()):
        for label, reason in reasons.items():
            RECORD.exclude(label, reason or "the scratch workspace is not set up on this target")
        _write_record(request)
        not_covered(next(reason for reason in reasons.values() if reason))
    before = subscription_states(identities)
    workspace = ScratchWorkspace.open(harness, factory, plans_for(settings))
    try:
        yield workspace
    finally:
        left = workspace.close()
        after = subscription_states(identities)
        RECORD.note_scratch([workspace.owner.email, workspace.invitee.email], left,
                            sorted(name for name in before if before[name] != after.get(name)))
        _write_record(request)


def _write_record(request: pytest.FixtureRequest) -> None:
    path = record_path(request.config)
    if path is not None:
        RECORD.write(path)


@pytest.fixture(scope="module")
def mutations(harness: Harness, factory: DataFactory, scratch: ScratchWorkspace, settings: Any) -> Exerciser:
    return Exerciser(harness, factory, scratch.client, scratch, error_status_table(settings), None)


@pytest.fixture(autouse=True)
def _per_operation(request: pytest.FixtureRequest, profile: TargetProfile) -> None:
    configure_operation_test(request, profile)


@pytest.fixture
def prepared(scratch: ScratchWorkspace, request: pytest.FixtureRequest) -> Iterator[None]:
    """What a success of this test's operation needs, made before its examples; undone after them."""
    scratch.prepare(openapi.operation(request.node.operation_label))
    try:
        yield
    finally:
        scratch.release()


@MUTATIONS.parametrize()
def test_console_mutation_conforms(case: Any, caller: Caller, prepared: None, mutations: Exerciser) -> None:
    mutations.run(case, caller)
