"""The compliance plugin in a pytest run of its own (pytester): markers, selection, labels, outcomes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from msgflash_compliance.models.results import read_stream
from tests.harness.conftest import profile_document
from tests.harness.live_server import LiveServer

pytest_plugins = []  # pytester comes from the root conftest


@pytest.fixture
def target(pytester: pytest.Pytester, live_server: LiveServer) -> Any:
    """Run pytester with the plugin and a profile pointing at the live test server."""

    def run(*args: str, **safety: Any) -> tuple[pytest.RunResult, Path]:
        profile = pytester.path / "profile.toml"
        document = profile_document(live_server.url, **{"rate_limit": 1000, **safety})
        profile.write_bytes(tomli_w.dumps(document).encode())
        stream = pytester.path / "results.jsonl"
        result = pytester.runpytest("-p", "fixtures.plugin", "-p", "no:cacheprovider", "--strict-markers",
                                    "--target-profile", str(profile), "--results-stream", str(stream), *args)
        return result, stream

    return run


def outcomes(stream: Path) -> dict[str, tuple[str, str]]:
    return {r.nodeid.split("::")[-1]: (r.outcome, r.message) for r in read_stream(stream).results}


def test_an_unknown_guarantee_id_is_a_collection_error(pytester: pytest.Pytester, target: Any) -> None:
    pytester.makepyfile(test_x="""
        import pytest
        @pytest.mark.guarantee("AUTH-01", "TEAM-4")
        def test_a(): pass
    """)
    result, _ = target()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*ERROR collecting test_x.py*",
                                 "*test_a: unknown guarantee ID 'TEAM-4' (nearest: TEAM-04*"])


def test_a_test_without_the_marker_is_a_collection_error(pytester: pytest.Pytester, target: Any) -> None:
    pytester.makepyfile(test_x="def test_unmarked(): pass")
    result, _ = target()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*test_unmarked: no @pytest.mark.guarantee(...) marker*"])


def test_the_plugin_is_inert_without_a_target(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_unmarked(): pass")
    result = pytester.runpytest("-p", "fixtures.plugin", "--strict-markers")
    result.assert_outcomes(passed=1)


SELECTION_SUITE = """
    import pytest
    @pytest.mark.guarantee("AUTH-01")
    def test_auth(): pass
    @pytest.mark.guarantee("TEAM-04", "TEAM-05")
    def test_team(): pass
    @pytest.mark.guarantee("TEAM-13")
    def test_info(): pass
    @pytest.mark.smoke
    @pytest.mark.guarantee("ENV-01")
    def test_smoke(): pass
"""


@pytest.mark.parametrize(("args", "selected"), [
    (("--guarantee", "TEAM-05"), {"test_team"}),
    (("--guarantee", "AUTH-01", "--guarantee", "ENV-01"), {"test_auth", "test_smoke"}),
    (("-k", "TEAM-04"), {"test_team"}),
    (("-k", "AUTH"), {"test_auth"}),
    (("-m", "info"), {"test_info"}),
    (("-m", "smoke"), {"test_smoke"}),
])
def test_selection_by_guarantee_keyword_and_marker(pytester: pytest.Pytester, target: Any,
                                                   args: tuple[str, ...], selected: set[str]) -> None:
    pytester.makepyfile(test_x=SELECTION_SUITE)
    result, stream = target(*args)
    result.assert_outcomes(passed=len(selected), deselected=4 - len(selected))
    seen = outcomes(stream)
    assert {name for name, (outcome, _) in seen.items() if outcome == "passed"} == selected
    assert {name for name, (outcome, _) in seen.items() if outcome == "deselected"} == set(seen) - selected


def test_an_unknown_id_in_guarantee_option_is_a_usage_error(pytester: pytest.Pytester, target: Any) -> None:
    pytester.makepyfile(test_x=SELECTION_SUITE)
    result, _ = target("--guarantee", "NOPE-01")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--guarantee: unknown guarantee ID(s) NOPE-01*"])


OUTCOME_SUITE = """
    import pytest
    from fixtures.assertions import expect_error, expect_ok
    from fixtures.errors import HarnessError

    @pytest.mark.guarantee("AUTH-01")
    def test_holds(anonymous_client):
        expect_error(anonymous_client.get("/api/v1/usage"), 401, "UNAUTHORIZED", guarantee="AUTH-01")

    @pytest.mark.guarantee("ENV-01", "AUTH-02")
    def test_violated(owner):
        expect_error(owner.api.get("/api/v1/usage"), 401, "UNAUTHORIZED", guarantee="AUTH-02")

    @pytest.mark.guarantee("ENV-02")
    def test_harness_trouble():
        raise HarnessError("the target answered like a gateway")

    @pytest.mark.guarantee("ROLE-05")
    def test_needs_collaborator(collaborator):
        pass

    @pytest.mark.guarantee("TEAM-13")
    def test_info_differs(owner):
        expect_error(owner.api.get("/api/v1/usage"), 403, "TEAM_KEY_REQUIRED", guarantee="TEAM-13")
"""


def test_outcomes_are_classified_and_streamed(pytester: pytest.Pytester, target: Any) -> None:
    pytester.makepyfile(test_x=OUTCOME_SUITE)
    result, stream = target("--alluredir", str(pytester.path / "allure"))
    result.assert_outcomes(passed=2, failed=2, skipped=1)
    seen = outcomes(stream)
    assert seen["test_holds"][0] == "passed"
    assert seen["test_violated"][0] == "failed"
    assert "GET /api/v1/usage: expected 401 UNAUTHORIZED, got 200" in seen["test_violated"][1]
    assert seen["test_harness_trouble"][0] == "broken"
    assert seen["test_needs_collaborator"] == ("not_covered",
                                               "not covered: the profile has no [identities.collaborator]")
    assert seen["test_info_differs"][0] == "passed"  # INFO: observed, never failed
    info = next(r for r in read_stream(stream).results if r.nodeid.endswith("test_info_differs"))
    assert info.observation and "expected 403 TEAM_KEY_REQUIRED, got 200" in info.message
    violated = next(r for r in read_stream(stream).results if r.nodeid.endswith("test_violated"))
    assert violated.failed_guarantees == ("AUTH-02",)
    assert read_stream(stream).facts.requests == 3

    statuses = {r["name"]: r["status"] for r in _allure_results(pytester.path / "allure")}
    assert statuses == {"test_holds": "passed", "test_violated": "failed", "test_harness_trouble": "broken",
                        "test_needs_collaborator": "skipped", "test_info_differs": "passed"}


def test_allure_labels_come_from_the_catalog(pytester: pytest.Pytester, target: Any) -> None:
    pytester.makepyfile(test_x=SELECTION_SUITE)
    target("--alluredir", str(pytester.path / "allure"))
    team = next(r for r in _allure_results(pytester.path / "allure") if r["name"] == "test_team")
    labels = {(label["name"], label["value"]) for label in team["labels"]}
    assert {("epic", "TEAM"), ("feature", "TEAM"), ("story", "TEAM-04"), ("story", "TEAM-05"),
            ("severity", "critical"), ("tag", "must")} <= labels
    assert {link["url"] for link in team["links"]} >= {
        "https://docs.msgflash.com/api-reference/teams/team-context"}
    info = next(r for r in _allure_results(pytester.path / "allure") if r["name"] == "test_info")
    assert ("severity", "minor") in {(label["name"], label["value"]) for label in info["labels"]}


def test_generated_items_without_params_get_distinct_history_ids(
    pytester: pytest.Pytester, target: Any
) -> None:
    """Schemathesis-style items (`test_api[GET /a]`, no callspec) would share Allure's historyId."""
    pytester.makeconftest("""
        import pytest

        def pytest_pycollect_makeitem(collector, name, obj):
            if name == "test_api":
                return [pytest.Function.from_parent(collector, name=f"test_api[{op}]", callobj=obj)
                        for op in ("GET /a", "GET /b")]
    """)
    pytester.makepyfile(test_x="""
        import pytest
        @pytest.mark.guarantee("ENV-01")
        def test_api(): pass
    """)
    target("--alluredir", str(pytester.path / "allure"))
    results = _allure_results(pytester.path / "allure")
    assert len(results) == 2
    assert len({r["historyId"] for r in results}) == 2


def test_budget_exhaustion_stops_the_run_as_broken(pytester: pytest.Pytester, target: Any) -> None:
    pytester.makepyfile(test_x="""
        import pytest
        @pytest.mark.guarantee("AUTH-01")
        @pytest.mark.parametrize("n", range(4))
        def test_spend(anonymous_client, n):
            anonymous_client.get("/ok")
            anonymous_client.get("/ok")
    """)
    junit, allure = pytester.path / "junit.xml", pytester.path / "allure"
    result, stream = target(f"--junitxml={junit}", "--alluredir", str(allure), request_budget=3)
    assert result.ret == pytest.ExitCode.INTERRUPTED  # the session was stopped
    seen = read_stream(stream)
    assert [r.outcome for r in seen.results] == ["passed", "broken", "broken", "broken"]
    assert "request budget of 3 spent" in seen.facts.stop_reason
    assert seen.results[-1].message.startswith("not run: request budget of 3 spent")
    # the tests never run are broken in JUnit and Allure too, so every report counts 4 tests
    import xml.etree.ElementTree as ET

    suite = ET.parse(junit).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("errors"), suite.get("failures")) == ("4", "3", "0")
    assert sorted(r["status"] for r in _allure_results(allure)) == ["broken", "broken", "broken", "passed"]


def _allure_results(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in directory.glob("*-result.json")]


def test_running_the_real_suites_without_a_target_is_a_usage_error() -> None:
    import subprocess
    import sys

    from fixtures.plugin import SUITES_DIR

    done = subprocess.run([sys.executable, "-m", "pytest", str(SUITES_DIR), "-q", "-p", "no:cacheprovider"],
                          cwd=SUITES_DIR.parent, capture_output=True, text=True, timeout=120)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert "checking suites/ needs a target: pass --target-profile PATH" in done.stderr


AGREEMENT_SUITE = """
    import itertools

    import pytest
    from hypothesis import strategies as st

    from fixtures.assertions import expect_error
    from fixtures.errors import HarnessError
    from fixtures.hypothesis_runs import run_property

    @pytest.mark.guarantee("AUTH-01", "ENV-01")
    def test_flaky_replay(anonymous_client):
        calls = itertools.count()

        def check(n):
            status = 200 if next(calls) == 0 else 401  # the first example fails, its replay does not
            expect_error(anonymous_client.get("/api/v1/usage"), status, "UNAUTHORIZED", guarantee="AUTH-01")

        run_property(check, examples=4, n=st.integers(0, 5))

    @pytest.mark.guarantee("ENV-02")
    def test_broken_body():
        raise HarnessError("the target answered like a gateway")

    @pytest.fixture
    def planted(owner):
        expect_error(owner.api.get("/api/v1/usage"), 401, "UNAUTHORIZED", guarantee="AUTH-02")

    @pytest.mark.guarantee("AUTH-02")
    def test_violation_in_setup(planted):
        pass

    @pytest.mark.guarantee("ROLE-05")
    def test_needs_collaborator(collaborator):
        pass

    @pytest.mark.guarantee("AUTH-01")
    def test_holds(anonymous_client):
        expect_error(anonymous_client.get("/api/v1/usage"), 401, "UNAUTHORIZED", guarantee="AUTH-01")
"""


def test_junit_and_allure_show_the_plugins_outcome(pytester: pytest.Pytester, target: Any) -> None:
    """A violation in a Hypothesis FlakyFailure is failed everywhere (Allure alone would say broken), a
    harness error in a test body is a JUnit error (JUnit alone would say failure), a violation met in
    setup is a JUnit failure (not an error), a missing identity is skipped, each with the same message."""
    import xml.etree.ElementTree as ET

    pytester.makepyfile(test_x=AGREEMENT_SUITE)
    junit = pytester.path / "junit.xml"
    result, stream = target("--alluredir", str(pytester.path / "allure"), f"--junitxml={junit}")
    expected = {"test_flaky_replay": "failed", "test_broken_body": "broken", "test_violation_in_setup": "failed",
                "test_needs_collaborator": "not_covered", "test_holds": "passed"}
    result.stdout.fnmatch_lines(["*FlakyFailure*"])  # what Hypothesis raised: the replay passed
    seen = outcomes(stream)
    assert {name: outcome for name, (outcome, _) in seen.items()} == expected
    flaky = next(r for r in read_stream(stream).results if r.nodeid.endswith("test_flaky_replay"))
    assert flaky.failed_guarantees == ("AUTH-01",)
    assert flaky.message.startswith("[AUTH-01] GET /api/v1/usage: expected 200 UNAUTHORIZED, got 401")

    allure = {r["name"]: r for r in _allure_results(pytester.path / "allure")}
    allure_status = {"failed": "failed", "broken": "broken", "not_covered": "skipped", "passed": "passed"}
    assert {name: r["status"] for name, r in allure.items()} == {n: allure_status[o] for n, o in expected.items()}
    junit_child = {"failed": "failure", "broken": "error", "not_covered": "skipped", "passed": None}
    cases = {case.get("name"): case for case in ET.parse(junit).getroot().iter("testcase")}
    for name, outcome in expected.items():
        children = [child.tag for child in cases[name] if child.tag in ("failure", "error", "skipped")]
        assert children == ([junit_child[outcome]] if junit_child[outcome] else []), (name, children)
        if outcome in ("failed", "broken"):
            message = seen[name][1]
            assert cases[name].find(junit_child[outcome]).get("message") == message
            assert allure[name]["statusDetails"]["message"] == message
            assert not message.startswith("fixtures.errors.")
    suite = ET.parse(junit).getroot().find("testsuite")
    assert (suite.get("failures"), suite.get("errors"), suite.get("skipped"), suite.get("tests")) == (
        "2", "1", "1", "5")


def test_fail_fast_checks_the_cheapest_files_first(pytester: pytest.Pytester, target: Any) -> None:
    """In one process `--fail-fast` reorders whole files, cheapest first (no durations known here: by test count),
    so the short file's violation spares the long file's check of the same guarantee."""
    pytester.makepyfile(
        test_a_long="""
            import pytest
            from fixtures.errors import ContractViolation
            @pytest.mark.guarantee("CNT-01")
            @pytest.mark.parametrize("n", range(3))
            def test_long(n): raise ContractViolation("long", ("CNT-01",))
        """,
        test_b_short="""
            import pytest
            from fixtures.errors import ContractViolation
            @pytest.mark.guarantee("CNT-01")
            def test_short(): raise ContractViolation("short", ("CNT-01",))
        """)
    _, stream = target("--fail-fast")
    order = [r.nodeid for r in read_stream(stream).results]
    assert order[0] == "test_b_short.py::test_short", order
    assert {r.outcome for r in read_stream(stream).results if "test_long" in r.nodeid} == {"skipped"}
    _, plain_stream = target()
    assert read_stream(plain_stream).results[0].nodeid.startswith("test_a_long.py")  # control
