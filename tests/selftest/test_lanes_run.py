"""A run in lanes reports what each lane found as one run: a violation found in one lane fails the run (exit 1)
and shows in compliance.json and junit.xml, beside what the other lane passed. (The clean run of conftest.py,
every interrupted run and `make run` are runs in lanes too.)"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.selftest.runs import cli, compliance, tail

FAULT = "contact-update-merges-tags"  # breaks CNT-03, checked in test_contacts.py (not serial)
FILES = ("suites/test_contacts.py", "suites/test_templates.py")


@pytest.mark.slow
def test_a_violation_in_one_lane_fails_the_run(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    done = cli("run", "--fault", FAULT, *(f"--tests={f}" for f in FILES), "--lanes", "2", "--key-pool", "0",
               "--embedded-rate-limit", "50", "--no-html", "--reports-dir", str(reports))
    assert "in 2 lanes side by side" in done.stdout, tail(done)
    assert done.returncode == 1, tail(done)
    verdicts = {g["id"]: g["verdict"] for g in compliance(reports)["guarantees"]}
    assert verdicts["CNT-03"] == "failed", tail(done)
    template_ids = [i for i in verdicts if i.startswith("TPL-") and verdicts[i] == "passed"]
    assert template_ids, f"the other lane's guarantees: {verdicts}"
    suite = next(ElementTree.parse(reports / "junit.xml").getroot().iter("testsuite"))
    files = {case.get("classname") for case in suite.iter("testcase")}
    assert files == {"suites.test_contacts", "suites.test_templates"}
    assert int(suite.get("failures", "0")) >= 1


@pytest.mark.slow
def test_what_the_selection_leaves_out_is_skipped_not_uncovered(tmp_path: Path) -> None:
    """A lane (and the serial session) collect only their own share's files, so the tests the selection leaves
    out are reported by the planning pass: a guarantee whose tests were all left out is `skipped` ("not
    selected"), never `not_covered`, which would say no test checks it."""
    reports = tmp_path / "reports"
    done = cli("run", "--guarantee", "CNT-03", "--guarantee", "TPL-01", "--lanes", "2", "--key-pool", "0",
               "--embedded-rate-limit", "200", "--no-html", "--reports-dir", str(reports))
    assert "in 2 lanes side by side" in done.stdout, tail(done)
    assert done.returncode == 0, tail(done)
    verdicts = {g["id"]: g["verdict"] for g in compliance(reports)["guarantees"]}
    assert verdicts["CNT-03"] == verdicts["TPL-01"] == "passed", tail(done)
    # RATE-01 is checked in a serial file and PAGE-04 in one no lane claimed here: both only left out
    assert verdicts["RATE-01"] == verdicts["PAGE-04"] == "skipped", {i: verdicts[i] for i in ("RATE-01", "PAGE-04")}
