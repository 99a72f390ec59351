"""Write each guarantee's `checked_by` in openapi/guarantees.yaml from the suites' guarantee markers.

    .venv/bin/python tools/fill_checked_by.py          # rewrite the catalog
    .venv/bin/python tools/fill_checked_by.py --check  # exit 1 when the catalog is out of date

`checked_by` lists test functions (`suites/<file>.py::<name>`, parameters dropped). Only the `checked_by` lines
change, so the hand-reviewed rest of the file stays as it is.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from msgflash_compliance.contract.paths import CATALOG_PATH  # noqa: E402
from tests.selftest.runs import suite_markers  # noqa: E402

ID_LINE = re.compile(r"^- id: (?P<id>[A-Z]+-\d+)\s*$")
CHECKED_LINE = re.compile(r"^  checked_by:.*$")


def checked_by_id() -> dict[str, list[str]]:
    tests: dict[str, set[str]] = {}
    for node, ids in suite_markers().items():
        function = node.split("[", 1)[0]
        for guarantee in ids:
            tests.setdefault(guarantee, set()).add(function)
    return {guarantee: sorted(names) for guarantee, names in tests.items()}


def rewritten(text: str, checked: dict[str, list[str]]) -> str:
    out, current = [], None
    lines = iter(text.splitlines())
    for line in lines:
        if match := ID_LINE.match(line):
            current = match["id"]
        if CHECKED_LINE.match(line) and current is not None:
            # drop a previous block list under this key
            out.append("  checked_by: []" if not checked.get(current) else "  checked_by:")
            out.extend(f"  - {name}" for name in checked.get(current, []))
            continue
        if line.startswith("  - suites/"):
            continue  # an old checked_by item: replaced above
        out.append(line)
    return "\n".join(out) + "\n"


def main() -> int:
    text = CATALOG_PATH.read_text(encoding="utf-8")
    new = rewritten(text, checked_by_id())
    if "--check" in sys.argv[1:]:
        if new != text:
            print("openapi/guarantees.yaml: checked_by is out of date; run tools/fill_checked_by.py")
            return 1
        return 0
    CATALOG_PATH.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
