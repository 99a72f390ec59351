"""Hypothesis inside a suite test: a few examples (every one is a request to the target), explicit ones first,
no shrinking and no example database (the target's state is not replayable). Used only where the input space
is large: invalid send bodies, template placeholders, campaign recipient shapes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

EXAMPLES = 6  # drawn cases per property, on top of the explicit ones


def run_property(check: Callable[..., None], *, examples: int = EXAMPLES,
                 explicit: Sequence[Mapping[str, Any]] = (), **strategies: st.SearchStrategy[Any]) -> None:
    test = check
    for case in explicit:
        test = example(**case)(test)
    test = given(**strategies)(test)
    test = settings(max_examples=examples, phases=[Phase.explicit, Phase.generate], database=None,
                    deadline=None, report_multiple_bugs=False, suppress_health_check=list(HealthCheck))(test)
    test()
