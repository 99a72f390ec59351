"""Running a Hypothesis property inside a test that already has its data (the pools are fixtures, so the
strategies are built at run time): the harness's runner for a live target (`fixtures.hypothesis_runs`)."""

from __future__ import annotations

from fixtures.hypothesis_runs import run_property

__all__ = ["run_property"]
