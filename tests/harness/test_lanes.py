"""How a run in lanes deals its tests (`msgflash_compliance.lanes`, `fixtures.lane_queue`) and merges what the
lanes found (`merge_streams`, `merge_junit`)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

from fixtures.lane_queue import LaneQueue, read_units, write_units
from msgflash_compliance.contract.paths import PROJECT_ROOT
from msgflash_compliance.lanes import Planned, plan_lanes
from msgflash_compliance.models.durations import load_durations
from msgflash_compliance.models.results import NOT_RUN, ResultStream, RunFacts, TestResult, merge_streams
from msgflash_compliance.reporting.junit_files import merge_junit

ITEMS = [
    Planned("suites/test_a.py::t1", ("A-01",)),
    Planned("suites/test_b.py::t1", ("B-01",), serial=True),
    Planned("suites/test_c.py::t1", ("C-01",)),
    Planned("suites/test_c.py::t2", ("C-01",)),
    Planned("suites/test_s.py::t1", ("S-01",), spread="one"),
    Planned("suites/test_s.py::t2", ("S-01",), spread="two"),
    Planned("suites/test_s.py::t3", ("S-01",), spread="one"),
    Planned("suites/test_a.py::t2", ("A-01",)),
    Planned("suites/test_c.py::t3", ("C-01",)),
]


SUITES = PROJECT_ROOT / "suites"


def _ids(units: list[list[Planned]]) -> list[list[str]]:
    return [[item.nodeid for item in unit] for unit in units]


def test_serial_tests_wait_files_stay_whole_and_spread_files_go_group_by_group() -> None:
    plan = plan_lanes(ITEMS, 3)
    assert [item.nodeid for item in plan.serial] == ["suites/test_b.py::t1"]
    assert _ids(plan.units) == [
        ["suites/test_c.py::t1", "suites/test_c.py::t2", "suites/test_c.py::t3"],  # the biggest file first
        ["suites/test_a.py::t1", "suites/test_a.py::t2"],
        ["suites/test_s.py::t1", "suites/test_s.py::t3"], ["suites/test_s.py::t2"],  # a group stays together
    ]
    assert plan.lanes == 3
    assert _ids(plan_lanes(ITEMS, 3).units) == _ids(plan.units)  # the same order every run


def test_known_durations_put_the_longest_units_first() -> None:
    """A one-test file that took 8 s goes before a three-test file of short tests; a test the durations do not
    list counts as a typical (median) one, and the order stays fixed."""
    durations = {"suites/test_a.py::t1": 8.0, "suites/test_c.py::t1": 0.1, "suites/test_c.py::t2": 0.1,
                 "suites/test_s.py::t1": 0.5}
    units = _ids(plan_lanes(ITEMS, 3, durations).units)
    assert units == [
        ["suites/test_a.py::t1", "suites/test_a.py::t2"],  # 8 s + a typical 0.3 s
        ["suites/test_s.py::t1", "suites/test_s.py::t3"],  # 0.5 s + 0.3 s
        ["suites/test_c.py::t1", "suites/test_c.py::t2", "suites/test_c.py::t3"],  # 0.1 + 0.1 + 0.3 s
        ["suites/test_s.py::t2"],
    ]
    assert _ids(plan_lanes(ITEMS, 3, durations).units) == units


def test_the_suites_durations_name_collected_tests(tmp_path: Path) -> None:
    """`suites/durations.json` (tools/record_durations.py) is read as {node id: seconds}; a bad file is none."""
    durations = load_durations(SUITES)
    assert durations and all(nodeid.startswith("suites/") and seconds >= 0 for nodeid, seconds in durations.items())
    (tmp_path / "durations.json").write_text("not json", encoding="utf-8")
    assert load_durations(tmp_path) == {}


def test_no_more_lanes_than_units() -> None:
    assert plan_lanes(ITEMS[:2], 3).lanes == 1
    assert plan_lanes([ITEMS[1]], 3).lanes == 0


def test_two_lanes_claim_every_unit_once_and_know_the_others(tmp_path: Path) -> None:
    queue_file = tmp_path / "queue.txt"
    write_units(queue_file, _ids(plan_lanes(ITEMS, 2).units))
    units = read_units(queue_file)
    first, second = LaneQueue(units, tmp_path), LaneQueue(units, tmp_path)
    claims = [first._claim(), second._claim(), first._claim(), second._claim(), first._claim()]
    assert claims == [0, 1, 2, 3, None]
    mine = {nodeid for number in (0, 2) for nodeid in units[number]}
    assert first.others() == frozenset(first.node_ids() - mine)
    assert second.others() == frozenset(mine)


def test_a_stopped_lane_leaves_unclaimed_units_to_nobody(tmp_path: Path) -> None:
    units = _ids(plan_lanes(ITEMS, 2).units)
    lane = LaneQueue(units, tmp_path)
    assert lane._claim() == 0
    assert lane.others() == frozenset()  # units 1.. never claimed: not another lane's, they never ran


def test_merged_results_keep_what_a_check_found_over_not_run_over_deselected() -> None:
    found = TestResult("suites/test_a.py::t1", ("A-01",), "failed", failed_guarantees=("A-01",))
    never = TestResult("suites/test_a.py::t1", ("A-01",), "broken", message=NOT_RUN + "interrupted")
    other = TestResult("suites/test_a.py::t1", ("A-01",), "deselected")
    for order in ([other, never, found], [found, never, other], [never, found, other]):
        merged = merge_streams([ResultStream(results=[result]) for result in order])
        assert merged.results == [found]
    assert merge_streams([ResultStream(results=[other]), ResultStream(results=[never])]).results == [never]


def test_merged_facts_add_requests_per_key() -> None:
    streams = [ResultStream(facts=RunFacts(requests=3, paced_requests={"owner.api_key": 2, "anonymous": 1},
                                           pace_rate=10.0)),
               ResultStream(facts=RunFacts(requests=4, paced_requests={"owner.api_key": 4}, pace_rate=10.0,
                                           interrupted=True, cleanup_problems=("contact c1: 500",)))]
    facts = merge_streams(streams).facts
    assert (facts.requests, facts.paced_requests) == (7, {"anonymous": 1, "owner.api_key": 6})
    assert facts.interrupted and facts.cleanup_problems == ("contact c1: 500",) and facts.pace_rate == 10.0


def test_one_junit_of_every_lane(tmp_path: Path) -> None:
    def suite(path: Path, names: list[str], failures: int) -> Path:
        cases = "".join(f'<testcase classname="suites.test_a" name="{n}" time="1"/>' for n in names)
        path.write_text(f'<testsuites><testsuite name="msgflash-compliance" tests="{len(names)}" errors="0" '
                        f'failures="{failures}" skipped="0" time="{len(names)}">{cases}</testsuite></testsuites>')
        return path

    out = tmp_path / "junit.xml"
    merge_junit([tmp_path / "missing.xml", suite(tmp_path / "a.xml", ["t1", "t2"], 1),
                 suite(tmp_path / "b.xml", ["t3"], 0)], out)
    merged = next(ElementTree.parse(out).getroot().iter("testsuite"))
    assert [case.get("name") for case in merged.iter("testcase")] == ["t1", "t2", "t3"]
    assert (merged.get("tests"), merged.get("failures"), merged.get("time")) == ("3", "1", "2.000")


def test_a_lane_scans_its_own_reports_with_what_it_knew(tmp_path: Path) -> None:
    """A lane's logins are its own: the runner's final scan cannot know their JWTs, so the lane scans (and
    scrubs) its JUnit and Allure files itself and hands the labels on in its results."""
    from types import SimpleNamespace

    from fixtures.clients import Harness
    from fixtures.plugin import CompliancePlugin
    from msgflash_compliance.contract.catalog import load_catalog
    from msgflash_compliance.models.lane import Lane
    from msgflash_compliance.models.run_config import build_run_config
    from msgflash_compliance.profile import parse_profile
    from tests.harness.conftest import profile_document

    profile = parse_profile(profile_document("http://127.0.0.1:9"))
    plugin = CompliancePlugin(build_run_config(profile, load_catalog(), lane=Lane(number=2)))
    plugin.run.harness = Harness(profile)
    jwt = "eyJhbGciOiJIUzI1NiJ9." + "a" * 40 + "." + "b" * 40
    plugin.run.harness.secrets.add("owner.jwt", jwt)
    (tmp_path / "allure").mkdir()
    (tmp_path / "junit.xml").write_text(f"<testsuites><failure>{jwt}</failure></testsuites>", encoding="utf-8")
    (tmp_path / "allure" / "x-result.json").write_text('{"name": "clean"}', encoding="utf-8")
    config = SimpleNamespace(option=SimpleNamespace(xmlpath="junit.xml", allure_report_dir="allure"),
                             invocation_params=SimpleNamespace(dir=tmp_path))
    assert plugin._scan_own_reports(config) == ("owner.jwt in junit.xml",)  # type: ignore[arg-type]
    assert jwt not in (tmp_path / "junit.xml").read_text(encoding="utf-8")
    leaks = ResultStream(facts=RunFacts(secret_leaks=("owner.jwt in junit.xml",)))
    assert merge_streams([leaks, ResultStream()]).facts.secret_leaks == ("owner.jwt in junit.xml",)
