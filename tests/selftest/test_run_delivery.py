"""How a verdict is delivered, on real (small) runs against the embedded server: a clean run and a fault run
compared (exit 1 naming the regression), the fault accepted by a baseline (exit 0, `known`) until the entry
expires (exit 1), the replay line and selection recorded, and the HTML report opened over file:// in Chromium."""

from __future__ import annotations

import base64
import json
import re
import shlex
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.selftest.conftest import FAST_PACE
from tests.selftest.runs import cli, compliance, tail
from tools import render_report

FAULT = "missing-key-403"
BROKEN = "AUTH-01"  # what the fault breaks
HELD = "ENV-01"  # checked in both runs, holds in both
NARROW = ("--guarantee", BROKEN, "--guarantee", HELD, "--tests", "suites/test_harness_smoke.py",
          "--embedded-rate-limit", FAST_PACE)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("run_delivery")]


@dataclass(frozen=True)
class Runs:
    root: Path
    clean: Path
    fault: Path
    fault_done: subprocess.CompletedProcess[str]


def _run(reports: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return cli("run", *NARROW, "--reports-dir", str(reports), *flags)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    root = tmp_path_factory.mktemp("delivery")
    clean = _run(root / "clean", "--no-html", "--seed", "11")
    assert clean.returncode == 0, tail(clean)
    fault = _run(root / "fault", "--fault", FAULT, "--seed", "12")  # with the HTML report, for the render check
    assert fault.returncode == 1, tail(fault)
    return Runs(root, root / "clean", root / "fault", fault)


def test_compare_of_a_clean_and_a_fault_run_exits_1_naming_the_regression(runs: Runs) -> None:
    done = cli("compare", str(runs.clean / "compliance.json"), str(runs.fault / "compliance.json"), "--json")
    assert done.returncode == 1, tail(done)
    document = json.loads(done.stdout)
    assert [c["id"] for c in document["regressed"]] == [BROKEN]
    assert document["fixed"] == [] and document["new"] == [] and document["gone"] == []
    assert document["warnings"] == [f"the embedded server ran with different faults: OLD none, NEW {FAULT}"]
    assert done.stderr.strip() == f"regressed: {BROKEN}"
    same = cli("compare", str(runs.clean / "compliance.json"), str(runs.clean / "compliance.json"))
    assert same.returncode == 0 and "no regression" in same.stdout


def test_the_fault_run_records_its_selection_and_prints_replay_lines_that_reproduce_it(runs: Runs) -> None:
    document = compliance(runs.fault)
    selection = document["selection"]
    assert (selection["guarantees"], selection["tests"], selection["faults"], selection["seed"]) == (
        [BROKEN, HELD], ["suites/test_harness_smoke.py"], [FAULT], 12)
    assert selection["embedded_rate_limit"] == int(FAST_PACE) and selection["profile"] is None
    assert len(document["checked_against"]["openapi_sha256"]) == 64
    assert shlex.split(document["replay"])[1:] == [
        "run", "--fault", FAULT, "--embedded-rate-limit", FAST_PACE, "--guarantee", BROKEN, "--guarantee", HELD,
        "--tests", "suites/test_harness_smoke.py", "--seed", "12"]
    out = runs.fault_done.stdout
    assert out.startswith(f"hypothesis seed: 12; replay with: {document['replay']}")
    own = (f"msgflash-compliance run --fault {FAULT} --embedded-rate-limit {FAST_PACE} --guarantee {BROKEN} "
           "--tests suites/test_harness_smoke.py --seed 12")
    assert f"failed: {BROKEN} (MUST): replay with {own}" in out
    markdown = (runs.fault / "compliance.md").read_text(encoding="utf-8")
    assert markdown.splitlines()[2].startswith("**FAILED** (exit 1): 1 failed, 0 broken, 1 passed")
    assert f"- replay: `{own}`" in markdown and "suite: full" not in markdown
    replayed = cli("run", *shlex.split(own)[2:], "--no-html", "--reports-dir", str(runs.root / "replay"))
    assert replayed.returncode == 1, tail(replayed)
    assert compliance(runs.root / "replay")["summary"]["failed"] == 1


def _baseline(path: Path, expires: date) -> Path:
    path.write_text(f'[[known]]\nguarantee = "{BROKEN}"\nreason = "vendor ticket 1: 403 without a key"\n'
                    f'link = "https://tracker.example/1"\nexpires = {expires.isoformat()}\n', encoding="utf-8")
    return path


def test_a_baseline_accepts_the_regression_as_known_until_it_expires(runs: Runs) -> None:
    live = _baseline(runs.root / "live.toml", date.today() + timedelta(days=90))
    done = _run(runs.root / "known", "--fault", FAULT, "--no-html", "--baseline", str(live))
    assert done.returncode == 0, tail(done)
    document = compliance(runs.root / "known")
    assert document["summary"]["known"] == 1 and document["summary"]["failed"] == 0
    assert {g["id"]: g["verdict"] for g in document["guarantees"]}[BROKEN] == "known"
    assert f"known (baseline): {BROKEN}" in done.stdout

    expired = _baseline(runs.root / "expired.toml", date.today() - timedelta(days=1))
    done = _run(runs.root / "expired", "--fault", FAULT, "--no-html", "--baseline", str(expired))
    assert done.returncode == 1, tail(done)
    assert compliance(runs.root / "expired")["baseline"]["expired"] == [BROKEN]
    assert f"baseline entry EXPIRED, failing again: {BROKEN}" in done.stdout


def test_the_html_report_opens_over_file_with_the_area_guarantee_tree(runs: Runs) -> None:
    index = runs.fault / "allure-report" / "index.html"
    if not index.exists():
        pytest.skip(f"no HTML report (Allure CLI missing? run `make setup`): {tail(runs.fault_done, 3)}")
    assert not (index.parent / "data").exists()  # one self-contained file, no data folder to fetch
    assert "msgflash-readable-metadata" in index.read_text(encoding="utf-8")  # settings keys wrap, not cut off
    assert (runs.fault / "history.jsonl").stat().st_size > 0  # kept beside the reports for the next run's trend
    globals_data = re.search(r'd\("widgets/globals\.json","([A-Za-z0-9+/=]*)"\)', index.read_text(encoding="utf-8"))
    assert globals_data, "no global attachments embedded"
    attached = json.loads(base64.b64decode(globals_data.group(1)))["attachments"]
    assert [a["name"] for a in attached] == ["compliance.md"]  # the whole summary, settings included, unabridged
    chromium = render_report.find_chromium()
    if chromium is None:
        pytest.skip("no Chromium: `apt-get install -y chromium` (or set CHROMIUM) to check the rendered report")
    _, tree = render_report.render_tree(chromium, index, screenshot=runs.root / "report.png")
    assert render_report.check(tree, []) == [], tree
    assert "AUTH" in tree.areas and "ENV" in tree.areas
    # A failed area is expanded by default: its guarantee node carries the statement.
    assert any(node.startswith(f"{BROKEN}: ") for node in tree.areas["AUTH"]), tree.areas["AUTH"]
    assert (runs.root / "report.png").stat().st_size > 20_000  # not a blank page
