"""Hypothesis inside a suite test: a few examples (every one is a request to the target), explicit ones first,
with the harness's settings for a live target (`fixtures.hypothesis_runs`). Used only where the input space
is large: invalid send bodies, template placeholders, campaign recipient shapes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hypothesis import strategies as st

from fixtures import hypothesis_runs

EXAMPLES = 6  # drawn cases per property, on top of the explicit ones


def run_property(check: Callable[..., None], *, examples: int = EXAMPLES,
                 explicit: Sequence[Mapping[str, Any]] = (), **strategies: st.SearchStrategy[Any]) -> None:
    hypothesis_runs.run_property(check, examples=examples, explicit=explicit, **strategies)
