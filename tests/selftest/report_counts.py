"""Reading one run's three reports the way a CI system does, to check they tell the same story: the per-test
counts of compliance.json (`tests`), of junit.xml and of the Allure result files, and every failure message
they carry."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from msgflash_compliance.reporting.allure_files import UNCHECKED_PREFIX

OUTCOMES = ("passed", "failed", "broken", "skipped")  # not_covered counts as skipped in JUnit and Allure


def compliance_counts(reports: Path) -> dict[str, int]:
    tests = json.loads((reports / "compliance.json").read_text(encoding="utf-8"))["tests"]
    return {"passed": tests["passed"], "failed": tests["failed"], "broken": tests["broken"],
            "skipped": tests["skipped"] + tests["not_covered"]}


def junit_counts(reports: Path) -> dict[str, int]:
    counts = dict.fromkeys(OUTCOMES, 0)
    for case in ET.parse(reports / "junit.xml").getroot().iter("testcase"):
        if case.find("failure") is not None:
            counts["failed"] += 1
        elif case.find("error") is not None:
            counts["broken"] += 1
        elif case.find("skipped") is not None:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
    return counts


def allure_results(reports: Path) -> list[dict[str, object]]:
    """The results of tests (not the one-per-guarantee entries the report adds for unchecked guarantees)."""
    results = [json.loads(p.read_text(encoding="utf-8")) for p in (reports / "allure-results").glob("*-result.json")]
    return [r for r in results if not str(r.get("fullName", "")).startswith(UNCHECKED_PREFIX)]


def allure_counts(reports: Path) -> dict[str, int]:
    counts = dict.fromkeys(OUTCOMES, 0)
    for result in allure_results(reports):
        counts[str(result["status"])] += 1
    return counts


def failure_messages(reports: Path) -> list[str]:
    """Every failure or broken message the three reports show a reader."""
    document = json.loads((reports / "compliance.json").read_text(encoding="utf-8"))
    messages = [n for g in document["guarantees"] if g["verdict"] in ("failed", "broken") for n in g["notes"]]
    for case in ET.parse(reports / "junit.xml").getroot().iter("testcase"):
        messages += [child.get("message", "") for child in case if child.tag in ("failure", "error")]
    messages += [str((r.get("statusDetails") or {}).get("message", "")) for r in allure_results(reports)
                 if r["status"] in ("failed", "broken")]
    return messages
