"""The JUnit side of a baseline: a test that failed only on accepted (`known`) guarantees is reported skipped with
the reason, so a CI system reading junit.xml agrees with the exit code (known deviations do not fail the gate)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

KNOWN_TYPE = "known-deviation"


def junit_key(nodeid: str) -> tuple[str, str]:
    """pytest's JUnit (classname, name) for a node id: `suites/test_a.py::Cls::test_b[x]` → (`suites.test_a.Cls`,
    `test_b[x]`)."""
    parts = nodeid.split("::")
    module = parts[0].removesuffix(".py").replace("/", ".")
    return ".".join([module, *parts[1:-1]]), parts[-1]


def mark_known(junit: Path, nodeids: set[str], reason: str = "known deviation (baseline)") -> int:
    """Turn the `<failure>` of each known test into `<skipped type="known-deviation">` (the failure text kept)
    and fix the suite counters. Returns how many were changed."""
    if not nodeids or not junit.exists():
        return 0
    wanted = {junit_key(n) for n in nodeids}
    tree = ElementTree.parse(junit)
    changed = 0
    for suite in tree.getroot().iter("testsuite"):
        moved = 0
        for case in suite.iter("testcase"):
            failure = case.find("failure")
            if failure is None or (case.get("classname", ""), case.get("name", "")) not in wanted:
                continue
            case.remove(failure)
            skipped = ElementTree.SubElement(case, "skipped", type=KNOWN_TYPE,
                                             message=f"{reason}: {failure.get('message', '')}")
            skipped.text = failure.text
            moved += 1
        if moved:
            suite.set("failures", str(int(suite.get("failures", "0")) - moved))
            suite.set("skipped", str(int(suite.get("skipped", "0")) + moved))
            changed += moved
    if changed:
        tree.write(junit, encoding="utf-8", xml_declaration=True)
    return changed


COUNTERS = ("tests", "failures", "errors", "skipped")


def merge_junit(parts: list[Path], out: Path) -> None:
    """One JUnit file of a run checked in lanes: every lane's test cases in one `<testsuite>`, counters summed
    (the time is the longest lane's: they ran side by side)."""
    found = [part for part in parts if part.exists()]
    if not found:
        return
    tree = ElementTree.parse(found[0])
    suite = next(tree.getroot().iter("testsuite"))
    for part in found[1:]:
        for other in ElementTree.parse(part).getroot().iter("testsuite"):
            for case in other.findall("testcase"):
                suite.append(case)
            for name in COUNTERS:
                suite.set(name, str(int(suite.get(name, "0")) + int(other.get(name, "0"))))
            suite.set("time", f"{max(float(suite.get('time', '0')), float(other.get('time', '0'))):.3f}")
    tree.write(out, encoding="utf-8", xml_declaration=True)
