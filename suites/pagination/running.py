"""Running a Hypothesis property inside a test that already has its data (the pools are fixtures, so the
strategies are built at run time): a few examples, explicit ones first, no shrinking (every request costs),
no example database (the target's state is not replayable)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st


def run_property(check: Callable[..., None], *, examples: int, explicit: Sequence[Mapping[str, Any]] = (),
                 **strategies: st.SearchStrategy[Any]) -> None:
    test = check
    for case in explicit:
        test = example(**case)(test)
    test = given(**strategies)(test)
    test = settings(max_examples=examples, phases=[Phase.explicit, Phase.generate], database=None,
                    deadline=None, report_multiple_bugs=False, suppress_health_check=list(HealthCheck))(test)
    test()
