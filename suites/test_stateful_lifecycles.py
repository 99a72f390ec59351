"""Resource lifecycles, stateful: Schemathesis follows the contract's OpenAPI links (create → get, update,
delete, preview, members) for contacts, groups, templates and webhooks, as the owner's personal key.

The state machine is restricted to those operations and to the links the spec declares (Schemathesis'
inferred links are off: they may join console and public operations). Every step goes through the harness
client (`Exerciser.send`) and is judged like a conformance case, plus the two checks that need earlier steps:
use_after_free (a deleted resource must be 404) and ensure_resource_availability (a created one must be
readable). Violations are collected, not raised inside Hypothesis (its replay of a scenario would meet a target
whose state moved on); the first one fails the test after the run. Created resources carry the run prefix and
are deleted when their scenario ends (plan caps stay free) and by the factory at the end of the run. The
target's answers steer which links are open, so Hypothesis may find a scenario's choices behaving differently
from one run to the next (FlakyStrategyDefinition): the scenarios run until then stand.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from hypothesis import Phase, reject
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import FlakyStrategyDefinition, Unsatisfiable
from schemathesis.core.transport import Response

from fixtures.errors import ContractViolation, HarnessError
from fixtures.hypothesis_runs import target_settings
from msgflash_compliance.contract import openapi
from suites.conformance.exercise import Exchange, Exerciser
from suites.conformance.plan import Caller
from suites.conformance.record import RECORD, record_path
from suites.conformance.schema import SCHEMA, STATEFUL_FULL, STATEFUL_SMOKE
from suites.key_scoping.level import suite_level
from suites.test_conformance import exerciser  # noqa: F401  (the shared fixture)

LIFECYCLES: dict[str, tuple[str, ...]] = {  # resource → the operations of its lifecycle
    "contact": ("createContact", "getContact", "updateContact", "deleteContact"),
    "group": ("createContactGroup", "getContactGroup", "updateContactGroup", "deleteContactGroup",
              "addGroupMembers", "listGroupMembers"),
    "template": ("createTemplate", "getTemplate", "updateTemplate", "deleteTemplate", "previewTemplate"),
    "webhook": ("createWebhook", "deleteWebhook"),
}
# What a lifecycle failure (a deleted resource still readable, a created one missing) breaks, per resource.
# Contacts and groups: an id that no longer names a resource of the workspace is 404 (CNT-09, GRP-10);
# webhooks: a deleted webhook's second DELETE is 404 (WH-07); templates: a created template is the object
# the create returned (TPL-01).
LIFECYCLE_GUARANTEES = {"contact": ("CNT-09",), "group": ("GRP-10",), "template": ("TPL-01",), "webhook": ("WH-07",)}
RESOURCE_OF = {operation_id: resource for resource, ids in LIFECYCLES.items() for operation_id in ids}

MIN_STEPS = 10  # fewer steps than this before Hypothesis stops is a harness problem, not a check

LIFECYCLE_SCHEMA = SCHEMA.include(operation_id=sorted(RESOURCE_OF))


class Lifecycles(LIFECYCLE_SCHEMA.as_state_machine()):  # type: ignore[misc]
    """Each step: sent through the harness, judged with the recorder of the scenario so far."""

    exerciser: ClassVar[Exerciser | None] = None
    found: ClassVar[list[ContractViolation]] = []
    steps: ClassVar[int] = 0
    _exchange: Exchange | None = None

    def setup(self) -> None:
        self.created: list[str] = []

    def teardown(self) -> None:
        """Delete what this scenario made, so plan caps never fill up between scenarios."""
        if self.exerciser is not None:
            for path in reversed(self.created):
                self.exerciser.delete(Caller.PERSONAL, path)

    def call(self, case: Any, **kwargs: Any) -> Response:
        if self.found or self.exerciser is None:
            reject()  # one violation is enough: the rest of the run costs no more requests
        exchange = self.exerciser.send(case, Caller.PERSONAL, stateful=True)
        if exchange is None:
            reject()
        self._exchange = exchange
        type(self).steps += 1
        if exchange.created:
            self.created.append(exchange.created)
        return Response.from_any(exchange.response)

    def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
        assert self.exerciser is not None and self._exchange is not None
        resource = RESOURCE_OF.get(case.operation.definition.raw.get("operationId", ""), "")
        error = self.exerciser.verdict(self._exchange, recorder=self.recorder,
                                       lifecycle=LIFECYCLE_GUARANTEES.get(resource, ()))
        if error is not None:
            self.found.append(error)


def _settings(level: str) -> hypothesis_settings:
    scenarios, steps = STATEFUL_SMOKE if level == "smoke" else STATEFUL_FULL
    return target_settings(max_examples=scenarios, stateful_step_count=steps, phases=(Phase.generate,))


@pytest.fixture
def machine(exerciser: Exerciser, request: pytest.FixtureRequest) -> Iterator[type[Lifecycles]]:  # noqa: F811
    Lifecycles.exerciser, Lifecycles.found, Lifecycles.steps = exerciser, [], 0
    yield Lifecycles
    Lifecycles.exerciser = None
    path = record_path(request.config)
    if path is not None:
        RECORD.write(path)


@pytest.mark.smoke
@pytest.mark.guarantee("ENV-01", "ENV-02", "ENV-03", "ERR-10", *sorted({i for ids in LIFECYCLE_GUARANTEES.values()
                                                                        for i in ids}))
def test_resource_lifecycles_follow_the_links(machine: type[Lifecycles], request: pytest.FixtureRequest) -> None:
    missing = [op for op in RESOURCE_OF if not any(o.operation_id == op for o in openapi.operations())]
    if missing:
        raise HarnessError(f"lifecycle operations missing from the spec: {', '.join(missing)}")
    try:
        machine.run(settings=_settings(suite_level(request.config)))
    except Unsatisfiable:
        if not machine.found:  # every step rejected without a violation: nothing was checked
            raise
    except FlakyStrategyDefinition as err:
        # The target's answers steer which links are open (a create refused by a cap closes its links), so
        # Hypothesis may meet a choice sequence that behaves differently: the scenarios already run stand.
        if not machine.found and machine.steps < MIN_STEPS:
            raise HarnessError(f"the state machine stopped after {machine.steps} steps: {err}") from None
    if machine.found:
        raise machine.found[0]
