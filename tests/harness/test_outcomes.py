"""The classification of a test's outcome (`fixtures.outcomes`) and the witness of violations a Hypothesis run
saw (`fixtures.hypothesis_runs`), with real Hypothesis runs that end the way a stateful target makes them end:
a failing example that passes on replay (FlakyFailure), a replay that draws other steps
(FlakyStrategyDefinition)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import Phase
from hypothesis import strategies as st
from hypothesis.errors import FlakyFailure, FlakyStrategyDefinition
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test
from schemathesis.core.failures import Failure, FailureGroup

from fixtures import hypothesis_runs
from fixtures.errors import ContractViolation, HarnessError
from fixtures.outcomes import MESSAGE_LIMIT, Scrubber, classify, first_of
from fixtures.redaction import Redactor


class _Report:
    """What `classify` reads of a pytest TestReport."""

    def __init__(self, outcome: str = "failed", when: str = "call") -> None:
        self.outcome, self.when, self.longrepr = outcome, when, "long repr"

    @property
    def failed(self) -> bool:
        return self.outcome == "failed"

    @property
    def skipped(self) -> bool:
        return self.outcome == "skipped"


def _raised(run: Any) -> BaseException:
    hypothesis_runs.reset_noted()
    with pytest.raises(BaseException) as caught:  # each caller checks what it got
        run()
    return caught.value


def _flaky_run() -> None:
    """The first example fails, its replay passes: a target whose state moved on."""
    calls = itertools.count()

    def check(n: int) -> None:
        if next(calls) == 0:
            raise ContractViolation("GET /api/v1/me: expected 401 UNAUTHORIZED, got 403 FORBIDDEN", ["AUTH-01"])

    hypothesis_runs.run_property(check, examples=5, n=st.integers(0, 3))


def test_a_violation_whose_replay_passes_is_failed_on_its_guarantee() -> None:
    error = _raised(_flaky_run)
    assert isinstance(error, FlakyFailure)
    outcome = classify(_Report(), error, ("AUTH-01", "ENV-01"))
    assert (outcome.outcome, outcome.failed_guarantees) == ("failed", ("AUTH-01",))
    assert outcome.message == "[AUTH-01] GET /api/v1/me: expected 401 UNAUTHORIZED, got 403 FORBIDDEN"


class _Steered(RuleBasedStateMachine):
    """The target's answers decide which rule may run next (as a walk's end does): the replay of a failing
    run draws other steps and Hypothesis raises FlakyStrategyDefinition instead of the violation."""

    runs = itertools.count()

    def __init__(self) -> None:
        super().__init__()
        self.open = next(self.runs) % 2 == 0  # what "the target" answered this time

    @precondition(lambda self: self.open)
    @rule(n=st.integers(0, 10))
    @hypothesis_runs.noting
    def walk(self, n: int) -> None:
        raise ContractViolation("GET /api/v1/contacts: returned twice in one walk", ["PAGE-04"])

    @precondition(lambda self: not self.open)
    @rule(flag=st.booleans())
    def other(self, flag: bool) -> None:
        pass


def _steered_run() -> None:
    _Steered.runs = itertools.count()
    run_state_machine_as_test(_Steered, settings=hypothesis_runs.target_settings(
        max_examples=5, stateful_step_count=3, phases=[Phase.generate]))


def test_a_violation_whose_replay_draws_other_steps_is_failed() -> None:
    error = _raised(_steered_run)
    assert isinstance(first_of(error, FlakyStrategyDefinition) or error, FlakyStrategyDefinition | FlakyFailure)
    assert not isinstance(error, ContractViolation)
    outcome = classify(_Report(), error, ("PAGE-04", "PAGE-05"), hypothesis_runs.first_noted())
    assert (outcome.outcome, outcome.failed_guarantees) == ("failed", ("PAGE-04",))
    assert outcome.message.startswith("[PAGE-04] GET /api/v1/contacts: returned twice")


def test_without_the_witness_the_same_run_would_be_broken() -> None:
    """The check above can fail: the witness is what turns it into `failed`."""
    error = _raised(_steered_run)
    assert hypothesis_runs.first_noted() is not None
    assert classify(_Report(), error, ("PAGE-04",)).outcome == "broken"


def test_violations_inside_exception_groups_are_failed() -> None:
    first = ContractViolation("first: expected 401, got 200", ["AUTH-01"])
    group = BaseExceptionGroup("two bugs", [HarnessError("gateway"), ExceptionGroup("inner", [first])])
    outcome = classify(_Report(), group, ("AUTH-01", "ENV-01"))
    assert (outcome.outcome, outcome.failed_guarantees, outcome.message) == (
        "failed", ("AUTH-01",), "[AUTH-01] first: expected 401, got 200")


@pytest.mark.parametrize(("named", "counted"), [
    (["AUTH-01", "TEAM-04"], ("AUTH-01",)),  # one inside the marker: counted against it
    (["TEAM-04"], ()),  # none inside: counted against every guarantee of the test
])
def test_a_violation_naming_a_guarantee_outside_the_marker_says_so(named: list[str], counted: tuple[str, ...]) -> None:
    violation = ContractViolation("expected 401, got 200", named)
    outcome = classify(_Report(), violation, ("AUTH-01", "ENV-01"))
    assert (outcome.outcome, outcome.failed_guarantees) == ("failed", counted)
    assert "names TEAM-04, which this test's @pytest.mark.guarantee does not list" in outcome.message
    assert outcome.message.endswith(f"counted against {', '.join(counted or ('AUTH-01', 'ENV-01'))})")


def test_a_schemathesis_failure_group_is_failed_on_every_guarantee_of_the_test() -> None:
    failure = Failure(operation="GET /x", title="Undocumented status", message="got 418, expected 200 or 404")
    outcome = classify(_Report(), FailureGroup([failure]), ("ENV-01", "ERR-10"))
    assert (outcome.outcome, outcome.failed_guarantees) == ("failed", ())
    assert outcome.message.startswith("[ENV-01, ERR-10] ")


def test_a_harness_error_is_broken_even_when_it_wraps_a_violation_on_purpose() -> None:
    try:
        try:
            raise ContractViolation("planting the data failed", ["TEAM-01"])
        except ContractViolation as err:
            raise HarnessError("setting up is not this check") from err
    except HarnessError as wrapped:
        outcome = classify(_Report(), wrapped, ("TEAM-04",))
    assert outcome.outcome == "broken"
    assert outcome.message == "broken: HarnessError: setting up is not this check"


def test_a_flaky_harness_error_is_broken_with_the_error_not_the_arguments() -> None:
    group = FlakyFailure("Hypothesis test(exerciser=Exerciser(harness=...)) produces unreliable results",
                         [HarnessError("the target answered 502")])
    outcome = classify(_Report(), group, ("ENV-01",))
    assert outcome.outcome == "broken"
    assert outcome.message == "broken: HarnessError: the target answered 502 (inside FlakyFailure)"


def test_the_message_names_identities_by_role_and_stays_short() -> None:
    scrub = Scrubber(Redactor.from_secrets([("owner.api_key", "msgf_live_abcdefgh12345678")]),
                     (("owner", "Owner-1@seed.msgflash.test"),))
    text = ("[AUTH-01] GET /api/v1/me: expected 401, got 200; body: {\"email\":\"owner-1@seed.msgflash.test\","
            "\"invited\":\"someone@example.com\",\"key\":\"msgf_live_abcdefgh12345678\"} " + "x" * 5000)
    message = scrub.message(text)
    assert message.startswith('[AUTH-01] GET /api/v1/me: expected 401, got 200; body: {"email":"<owner.email>",'
                              '"invited":"<e-mail>","key":"<owner.api_key>"}')
    assert len(message) == MESSAGE_LIMIT and message.endswith("…")
    assert "@" not in scrub.trace(text)


def test_target_settings_keep_the_run_seed_even_under_hypothesis_ci_profile() -> None:
    """Hypothesis loads its `ci` profile (derandomize=True) when it sees a CI; that would ignore the run's
    --hypothesis-seed, so `--seed N` would not replay. The target settings never derandomize."""
    from hypothesis import settings

    previous = settings.get_current_profile_name()
    settings.load_profile("ci")
    try:
        chosen = hypothesis_runs.target_settings(max_examples=3)
    finally:
        settings.load_profile(previous)
    assert not chosen.derandomize and not chosen.print_blob and not chosen.report_multiple_bugs
    assert chosen.database is None and Phase.shrink not in chosen.phases and chosen.deadline is None
