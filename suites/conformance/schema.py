"""The Schemathesis schema the conformance suites generate from, and how much they generate.

Loaded at import (Schemathesis builds one Hypothesis test per operation at collection). No
`schemathesis.toml` is used: its `[[operations]]` tables would silence `include`/`exclude` (toolchain notes
§2); per-operation tolerances live in `suites.conformance.checks` instead.

Generation: no shrinking (every shrink step is a request to a rate-limited target), no example database, no
generated credentials (the harness clients carry the real ones), the coverage phase in positive mode only (its
negative half is thousands of requests) and never with methods the spec does not list.

How much: `settings_for(level)` gives the Hypothesis settings a test applies at run time; `smoke` runs a few
generated cases per operation, `full` adds the coverage phase's boundary cases and more generated ones
(`MFC_CONFORMANCE_EXAMPLES=N` sets a full run's generated cases per operation); `build_for(level)`, at the start
of a session, has the boundary cases made only for `full`.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from hypothesis import Phase, reject
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.core.errors import InvalidSchema
from schemathesis.generation import GenerationMode
from schemathesis.hooks import HookContext

from fixtures.hypothesis_runs import target_settings
from msgflash_compliance.contract.paths import SPEC_PATH

SMOKE_EXAMPLES = 2
FULL_EXAMPLES = 5
EXAMPLES_VARIABLE = "MFC_CONFORMANCE_EXAMPLES"  # a deeper (or shallower) full run, e.g. to hunt disagreements
STATEFUL_SMOKE = (3, 4)  # (scenarios, steps per scenario)
STATEFUL_FULL = (12, 6)

# The checks run on every answer. The ignored-auth probe is ours (suites.conformance.probes) so its requests
# go through the harness; the stateful two only act in the state machine (they need earlier steps).
RESPONSE_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
)
STATEFUL_CHECKS = ("use_after_free", "ensure_resource_availability")


# jsonschema-rs (0.60) cannot spell some negative mutations of a body with `if`/`then` rules (the send
# request's content rules): building that one value raises InvalidSchema "... not supported in canonical form".
# It depends on the mutation drawn, so it hit a few runs in a hundred and turned a whole test broken.
CANONICAL_FORM_LIMIT = "not supported in canonical form"


def _body_drawn_where_the_generator_can(context: HookContext, strategy: st.SearchStrategy) -> st.SearchStrategy:
    """`strategy`, with a body the generator cannot build discarded (Hypothesis draws another) rather than
    ending the test: no request was sent for it, so no check is skipped and no verdict changes."""

    @st.composite
    def drawn(draw: st.DrawFn) -> Any:
        try:
            return draw(strategy)
        except InvalidSchema as exc:
            if CANONICAL_FORM_LIMIT not in str(exc):
                raise
            reject()

    return drawn()


def load_schema() -> schemathesis.schemas.BaseSchema:
    schema = schemathesis.openapi.from_path(str(SPEC_PATH))
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=FULL_EXAMPLES,
        no_shrink=True,
        database="none",
        with_security_parameters=False,
    )
    coverage = schema.config.phases.coverage
    coverage.generation.update(modes=[GenerationMode.POSITIVE])
    coverage.unexpected_methods = set()
    schema.config.checks.update(included_check_names=[*RESPONSE_CHECKS, *STATEFUL_CHECKS])
    schema.config.checks.positive_data_acceptance.expected_statuses = ["2XX"]
    stateful = schema.config.phases.stateful
    stateful.inference.algorithms = []  # the contract's own links only: inferred ones may cross surfaces
    stateful.link_calibration = False
    schema.hooks.register_hook_with_name(_body_drawn_where_the_generator_can, "before_generate_body")
    return schema


SCHEMA = load_schema()


def build_for(level: str) -> None:
    """Before the conformance tests are built (collection): Schemathesis makes the coverage phase's explicit
    cases of every operation as it builds its test, so only a level that runs them (`full`) has them made; a
    smoke session, or one that only lists the tests (`listing`), would spend about a second of CPU on cases it
    never sends."""
    SCHEMA.config.phases.coverage.enabled = level == "full"


def settings_for(level: str, current: hypothesis_settings | None = None) -> hypothesis_settings:
    """Hypothesis settings of one operation's test at this suite level."""
    smoke = level == "smoke"
    forced = os.environ.get(EXAMPLES_VARIABLE, "")
    examples = int(forced) if forced.isdigit() and not smoke else (SMOKE_EXAMPLES if smoke else FULL_EXAMPLES)
    return target_settings(
        current,
        max_examples=examples,
        # smoke: generated cases only; full: the coverage phase's explicit cases too
        phases=(Phase.generate,) if smoke else (Phase.explicit, Phase.generate),
    )
