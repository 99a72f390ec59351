"""Which statuses each operation answered in the conformance suites, written next to the run's reports.

`tests/selftest/test_conformance_coverage.py` reads it to require at least one 2xx per operation. The file is
`conformance-coverage.json` in the reports folder (the folder of `--junitxml`, which `msgflash-compliance run`
always passes), or wherever `MFC_CONFORMANCE_RECORD` says. Written again after each conformance module, so it
holds everything this process recorded.

    {"operations": {"GET /api/v1/me": {"callers": {"personal": {"200": 7, "403": 2}}, "excluded": null}},
     "without_2xx": ["POST /api/v1/templates"], "excluded": {"POST /api/billing/cancel": "…"}}
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

    def note(self, label: str, caller: str, status: int) -> None:
        with self._lock:
            self.statuses.setdefault(label, {}).setdefault(caller, Counter())[status] += 1

    def exclude(self, label: str, reason: str) -> None:
        with self._lock:
            self.excluded[label] = reason

    def skip(self, label: str, reason: str) -> None:
        with self._lock:
            self.not_run.setdefault(label, reason)

    def document(self) -> dict[str, Any]:
        with self._lock:
            operations = {
                label: {"callers": {caller: {str(s): n for s, n in sorted(counts.items())}
                                    for caller, counts in callers.items()}}
                for label, callers in sorted(self.statuses.items())
            }
            without = sorted(
                label for label, callers in self.statuses.items()
                if not any(200 <= s < 300 for counts in callers.values() for s in counts)
            )
            return {"operations": operations, "without_2xx": without, "excluded": dict(sorted(self.excluded.items())),
                    "not_run": dict(sorted(self.not_run.items()))}

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
