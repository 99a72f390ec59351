"""The Allure side: one skipped result per unchecked guarantee, the report config (single file, area → guarantee
tree, history), and the tree fix that keeps each guarantee under its own area."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from msgflash_compliance.reporting.allure_files import (
    TREE_LABELS,
    allure_config,
    tidy_tree,
    tidy_tree_data,
    write_unchecked_results,
)
from msgflash_compliance.reporting.verdicts import GuaranteeVerdict


def test_each_unchecked_guarantee_gets_one_skipped_result_with_its_reason(tmp_path: Path) -> None:
    verdicts = [
        GuaranteeVerdict("TEAM-04", "TEAM", "MUST", "team header scopes", "https://docs/t", "not_covered", (),
                         ("the profile has no team",)),
        GuaranteeVerdict("AUTH-02", "AUTH", "SHOULD", "unknown key", None, "skipped", (),
                         ("not selected in this run",)),
        GuaranteeVerdict("AUTH-03", "AUTH", "MUST", "ran", None, "skipped", ("suites/t.py::t",), ("skip reason",)),
        GuaranteeVerdict("AUTH-01", "AUTH", "MUST", "no key", None, "passed", ("suites/t.py::t",)),
    ]
    assert write_unchecked_results(tmp_path, verdicts, 1_700_000_000_000, {"TEAM-04": "400 TEAM_REQUIRED"}) == 2
    results = {r["labels"][2]["value"]: r for r in (json.loads(p.read_text()) for p in tmp_path.glob("*-result.json"))}
    assert set(results) == {"TEAM-04", "AUTH-02"}  # a skipped guarantee with tests has their own results
    team = results["TEAM-04"]
    assert team["status"] == "skipped" and team["name"] == "TEAM-04: team header scopes"
    assert team["statusDetails"]["message"] == "not covered: the profile has no team"
    assert {(label["name"], label["value"]) for label in team["labels"]} >= {("epic", "TEAM"), ("story", "TEAM-04")}
    assert "Expected: 400 TEAM_REQUIRED" in team["description"] and team["links"][0]["url"] == "https://docs/t"
    assert results["AUTH-02"]["statusDetails"]["message"] == "not selected: not selected in this run"
    # Stable across runs, so Allure's history follows a guarantee from one run to the next.
    again = tmp_path / "again"
    again.mkdir()
    write_unchecked_results(again, verdicts, 0)
    assert {json.loads(p.read_text())["historyId"] for p in again.glob("*-result.json")} == {
        r["historyId"] for r in results.values()}


def test_the_report_is_one_file_grouped_by_area_then_guarantee_with_history(tmp_path: Path) -> None:
    summary = tmp_path / "compliance.md"
    summary.write_text("# x")
    config = allure_config("MsgFlash", [{"name": "c"}], tmp_path / "history.jsonl", [summary, tmp_path / "none"])
    options = config["plugins"]["awesome"]["options"]  # type: ignore[index]
    assert options["singleFile"] is True and options["groupBy"] == ["epic", "story"] == list(TREE_LABELS)
    assert config["historyPath"] == str(tmp_path / "history.jsonl") and config["categories"] == [{"name": "c"}]
    assert config["globalAttachments"] == [str(summary)]
    assert "historyPath" not in allure_config("MsgFlash", [], None)


def _tree() -> dict[str, object]:
    # What Allure builds for one test naming ENV-01 and ERR-10: the cross product of its areas and guarantees.
    return {
        "root": {"groups": ["env", "err"]},
        "groupsById": {
            "env": {"nodeId": "env", "name": "ENV", "groups": ["env.env01", "env.err10"]},
            "err": {"nodeId": "err", "name": "ERR", "groups": ["err.env01", "err.err10"]},
            "env.env01": {"nodeId": "env.env01", "name": "ENV-01", "leaves": ["t1"]},
            "env.err10": {"nodeId": "env.err10", "name": "ERR-10", "leaves": ["t1"]},
            "err.env01": {"nodeId": "err.env01", "name": "ENV-01", "leaves": ["t1"]},
            "err.err10": {"nodeId": "err.err10", "name": "ERR-10", "leaves": ["t1"]},
        },
        "leavesById": {"t1": {"nodeId": "t1", "name": "test"}},
    }


def test_each_guarantee_stays_under_its_own_area_named_with_its_statement() -> None:
    tree = tidy_tree_data(_tree(), {"ENV-01": "data envelope"})
    groups = tree["groupsById"]
    assert groups["env"]["groups"] == ["env.env01"] and groups["err"]["groups"] == ["err.err10"]
    assert set(groups) == {"env", "err", "env.env01", "err.err10"}
    assert groups["env.env01"]["name"] == "ENV-01: data envelope" and groups["err.err10"]["name"] == "ERR-10"


def test_the_tree_embedded_in_a_single_file_report_is_rewritten() -> None:
    encoded = base64.b64encode(json.dumps(_tree()).encode()).decode()
    html = f'<script>d("widgets/tree.json","{encoded}"),d("widgets/default/tree.json","{encoded}")</script>'
    fixed = tidy_tree(html, {})
    trees = [json.loads(base64.b64decode(part.split('","')[1])) for part in fixed.split('d("')[1:]]
    assert len(trees) == 2 and all(t["groupsById"]["err"]["groups"] == ["err.err10"] for t in trees)


def test_the_expected_answer_reads_once() -> None:
    from msgflash_compliance.contract.catalog import Expected
    from msgflash_compliance.models.guarantee_text import expected_answer

    assert expected_answer(Expected(status=401, code="UNAUTHORIZED", text="401 UNAUTHORIZED")) == "401 UNAUTHORIZED"
    assert expected_answer(Expected(status=400, code="X", text="details named")) == "400 X: details named"
    assert expected_answer(Expected(status=None, code=None, text="JSON body has data")) == "JSON body has data"


def test_a_test_title_leads_with_its_guarantee_and_keeps_the_variant_once() -> None:
    from types import SimpleNamespace

    from msgflash_compliance.models.guarantee_text import allure_title

    one = [SimpleNamespace(id="AUTH-01", statement="no key → 401")]
    assert allure_title("test_no_key", "", one) == "AUTH-01: no key → 401"
    many = [SimpleNamespace(id=f"ENV-0{n}", statement="s") for n in range(1, 6)]
    assert allure_title("test_operation_conforms", "GET /a][personal", many) == (
        "ENV-01, ENV-02, ENV-03 +2: operation conforms [GET /a][personal]")


def test_junit_reports_a_known_test_skipped_with_its_failure_kept(tmp_path: Path) -> None:
    from msgflash_compliance.reporting.junit_files import junit_key, mark_known

    junit = tmp_path / "junit.xml"
    junit.write_text('<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="s" failures="2" skipped="0">'
                     '<testcase classname="suites.test_a" name="test_b[x]"><failure message="[AUTH-01] got 403">'
                     'trace</failure></testcase><testcase classname="suites.test_a" name="test_c">'
                     '<failure message="m">t</failure></testcase></testsuite></testsuites>')
    assert junit_key("suites/test_a.py::Cls::test_b[x]") == ("suites.test_a.Cls", "test_b[x]")
    assert mark_known(junit, {"suites/test_a.py::test_b[x]"}) == 1
    text = junit.read_text()
    assert 'failures="1" skipped="1"' in text
    assert '<skipped type="known-deviation" message="known deviation (baseline): [AUTH-01] got 403">trace' in text
    assert '<failure message="m">t</failure>' in text
