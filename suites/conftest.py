"""The compliance suites: each test names its guarantees with `@pytest.mark.guarantee("AREA-NN", ...)`.

Fixtures come from `fixtures/session_fixtures.py` (profile, settings, owner, admin, collaborator, outsider,
client, team, other_team, team_client, anonymous_client, factory, run_id); assertion helpers from
`fixtures.assertions` (expect_ok, expect_error, expect_status, check). Suites never build clients and never
sleep: the harness throttles, retries gateway failures and records redacted evidence for every request.
Run them with `msgflash-compliance run` (or `pytest suites --target-profile PATH`).

Two fixtures the envelope and error-code suites share are defined here: `table`, the error code → status table
under the run's contract settings, and `clients`, a client for each conformance `Caller`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from fixtures.clients import Actor, Harness
from suites.conformance.callers import make_clients
from suites.conformance.error_codes import error_status_table
from suites.conformance.plan import Caller
from suites.conformance.schema import build_for
from suites.key_scoping.level import suite_level


def pytest_configure(config: pytest.Config) -> None:
    # Before any conformance test is built; a session that only lists tests (a run's planning pass) runs none.
    build_for("listing" if config.option.collectonly else suite_level(config))


@pytest.fixture(scope="module")
def table(settings: Any) -> Mapping[str, frozenset[int]]:
    return error_status_table(settings)


@pytest.fixture(scope="module")
def clients(harness: Harness, identities: dict[str, Actor]) -> Callable[[Caller], Any]:
    return make_clients(harness, identities)
