"""Which statuses each operation answered in the conformance suites, written next to the run's reports.

`tests/selftest/test_conformance_coverage.py` reads it to require at least one 2xx per operation. The file is
`conformance-coverage.json` in the reports folder (the folder of `--junitxml`, which `msgflash-compliance run`
always passes), or wherever `MFC_CONFORMANCE_RECORD` says. Written again after each conformance module, so it
holds everything this process recorded.

    {"operations": {"GET /api/v1/me": {"callers": {"personal": {"200": 7, "403": 2}}}},
     "with_2xx": ["GET /api/v1/me"], "without_2xx": ["POST /api/v1/templates"],
     "excluded": {"POST /api/billing/cancel": "…"}, "not_run": {"PATCH /api/teams/{teamId}": "…"},
     "scratch": {"accounts": ["mfc-…-scratch-1@example.com"], "left_behind": {"teams": [], "keys": []},
                 "seeded_subscriptions_changed": []}}

`excluded`: operations this target must not get generated requests for, with the reason. `not_run`:
operations another module generates (dropped once something recorded them). `scratch`: the scratch
workspace of the console mutations (sandbox only): its accounts (they stay: the API cannot delete one),
what its clean-up could not remove, and the seeded identities whose subscription differed after it.
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

RECORD_NAME = "conformance-coverage.json"
RECORD_VARIABLE = "MFC_CONFORMANCE_RECORD"


class CoverageRecord:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.statuses: dict[str, dict[str, Counter[int]]] = {}
        self.excluded: dict[str, str] = {}
        self.not_run: dict[str, str] = {}
        self.scratch: dict[str, Any] | None = None

    def note(self, label: str, caller: str, status: int) -> None:
        with self._lock:
            self.statuses.setdefault(label, {}).setdefault(caller, Counter())[status] += 1

    def exclude(self, label: str, reason: str) -> None:
        with self._lock:
            self.excluded[label] = reason

    def skip(self, label: str, reason: str) -> None:
        with self._lock:
            self.not_run.setdefault(label, reason)

    def note_scratch(self, accounts: list[str], left_behind: dict[str, list[str]],
                     seeded_changed: list[str]) -> None:
        with self._lock:
            self.scratch = {"accounts": accounts, "left_behind": left_behind,
                            "seeded_subscriptions_changed": seeded_changed}

    def document(self) -> dict[str, Any]:
        with self._lock:
            operations = {
                label: {"callers": {caller: {str(s): n for s, n in sorted(counts.items())}
                                    for caller, counts in callers.items()}}
                for label, callers in sorted(self.statuses.items())
            }
            answered_2xx = {
                label for label, callers in self.statuses.items()
                if any(200 <= s < 300 for counts in callers.values() for s in counts)
            }
            document: dict[str, Any] = {
                "operations": operations,
                "with_2xx": sorted(answered_2xx),
                "without_2xx": sorted(self.statuses.keys() - answered_2xx),
                "excluded": dict(sorted(self.excluded.items())),
                "not_run": {k: v for k, v in sorted(self.not_run.items()) if k not in self.statuses},
            }
            if self.scratch is not None:
                document["scratch"] = self.scratch
            return document

    def absorb(self, document: dict[str, Any]) -> None:
        """Add another process's record (a lane of the same run) to this one."""
        for label, entry in document.get("operations", {}).items():
            for caller, counts in entry.get("callers", {}).items():
                for status, times in counts.items():
                    with self._lock:
                        self.statuses.setdefault(label, {}).setdefault(caller, Counter())[int(status)] += times
        for label, reason in document.get("excluded", {}).items():
            self.exclude(label, reason)
        for label, reason in document.get("not_run", {}).items():
            self.skip(label, reason)
        if document.get("scratch") is not None:
            with self._lock:
                self.scratch = document["scratch"]

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.document(), indent=1), encoding="utf-8")
        tmp.replace(path)


RECORD = CoverageRecord()  # one per process: every conformance module adds to it


def record_path(config: pytest.Config) -> Path | None:
    forced = os.environ.get(RECORD_VARIABLE)
    if forced:
        return Path(forced)
    junit = getattr(config.option, "xmlpath", None)
    return Path(junit).absolute().parent / RECORD_NAME if junit else None


def read_record(reports_dir: Path) -> dict[str, Any]:
    return json.loads((reports_dir / RECORD_NAME).read_text(encoding="utf-8"))


def merge_records(parts: list[Path], out: Path) -> None:
    """One record of a run checked in lanes, from each process's (`msgflash_compliance.lanes`)."""
    found = [part for part in parts if part.exists()]
    if not found:
        return
    record = CoverageRecord()
    for part in found:
        record.absorb(json.loads(part.read_text(encoding="utf-8")))
    record.write(out)
