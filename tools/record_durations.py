"""Record how long each suite test took in a full run, for the lanes' planning (`suites/durations.json`).

    .venv/bin/msgflash-compliance run --reports-dir /tmp/full      # a full run, clean server, quiet machine
    .venv/bin/python tools/record_durations.py /tmp/full           # its junit.xml → suites/durations.json

A run in lanes claims its units of work longest first, so that the last ones claimed are short and the lanes
end together; the seconds come from this file (the test count stands in for a test it does not list). Only
the order matters: record it again when suites gain or lose slow tests, not for a faster machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from msgflash_compliance.models.durations import DURATIONS_FILE  # noqa: E402  (the checkout's package, after sys.path)


def node_id(classname: str, name: str) -> str | None:
    """pytest's node id of a JUnit test case (`suites.key_scoping.test_x` → `suites/key_scoping/test_x.py`)."""
    parts = classname.split(".")
    for cut in range(len(parts), 0, -1):
        module = Path(*parts[:cut])
        if (ROOT / module.with_suffix(".py")).is_file():
            return "::".join([module.with_suffix(".py").as_posix(), *parts[cut:], name])
    return None


def durations(junit: Path) -> dict[str, float]:
    found: dict[str, float] = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        nodeid = node_id(case.get("classname", ""), case.get("name", ""))
        if nodeid is not None and nodeid.startswith("suites/") and case.find("skipped") is None:
            found[nodeid] = round(float(case.get("time", "0")), 2)
    return dict(sorted(found.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("reports_dir", type=Path, help="a full run's reports folder (its junit.xml)")
    args = parser.parse_args()
    junit = args.reports_dir / "junit.xml"
    if not junit.is_file():
        print(f"record_durations: no junit.xml in {args.reports_dir}", file=sys.stderr)
        return 2
    found = durations(junit)
    out = ROOT / "suites" / DURATIONS_FILE
    out.write_text(json.dumps(found, indent=0) + "\n", encoding="utf-8")
    print(f"{len(found)} tests, {sum(found.values()):.1f} s in all → {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
