"""What a target holds, per identity and workspace (`fixtures.inventory`), as JSON; or how two differ.

    .venv/bin/python tools/inventory.py --profile P [--db REF.sqlite] > before.json
    ... a compliance run against P ...
    .venv/bin/python tools/inventory.py --profile P [--db REF.sqlite] --compare before.json

With `--compare` it prints the deletable resources the run left (or removed) and exits 1 when there are any.
`--db` adds the reference server's own row counts (every workspace, the scratch accounts' included).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fixtures.clients import Harness  # noqa: E402
from fixtures.inventory import database_inventory, database_leftovers, leftovers, take_inventory  # noqa: E402
from msgflash_compliance.profile import load_profile  # noqa: E402


def snapshot(profile: Path, db: Path | None) -> dict[str, Any]:
    listed = take_inventory(Harness(load_profile(profile)))
    document: dict[str, Any] = {"api": {key: list(ids) for key, ids in listed.items()}}
    if db is not None:
        document["database"] = database_inventory(db)
    return document


def difference(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    api = leftovers({k: tuple(v) for k, v in before["api"].items()}, {k: tuple(v) for k, v in after["api"].items()})
    found: dict[str, Any] = {"api": {key: list(ids) for key, ids in api.items()}}
    if "database" in before and "database" in after:
        found["database"] = database_leftovers(before["database"], after["database"])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", required=True, type=Path)
    parser.add_argument("--db", type=Path, help="the reference server's SQLite file (adds its row counts)")
    parser.add_argument("--compare", type=Path, metavar="BEFORE.json", help="print what changed since then")
    args = parser.parse_args(argv)
    now = snapshot(args.profile, args.db)
    if args.compare is None:
        print(json.dumps(now, indent=1, sort_keys=True))
        return 0
    changed = difference(json.loads(args.compare.read_text(encoding="utf-8")), now)
    print(json.dumps(changed, indent=1, sort_keys=True))
    return 1 if any(changed.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
