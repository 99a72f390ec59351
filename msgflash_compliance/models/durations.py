"""How long each suite test took in a recent full run (`suites/durations.json`, `tools/record_durations.py`).

Only the order these seconds give matters: a run in lanes claims its units of work longest first
(`msgflash_compliance.lanes`), a `--fail-fast` run in one process checks its cheapest files first
(`fixtures.fail_fast`). A test the file does not list counts as a typical one (the median).
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Mapping
from pathlib import Path

DURATIONS_FILE = "durations.json"  # beside the suites


def load_durations(suites_dir: Path) -> dict[str, float]:
    """{node id: seconds} of a recent full run; {} when absent."""
    try:
        document = json.loads((suites_dir / DURATIONS_FILE).read_text(encoding="utf-8"))
        return {str(nodeid): float(seconds) for nodeid, seconds in document.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def cost(nodeids: Iterable[str], durations: Mapping[str, float]) -> float:
    """The known seconds of these tests, a test not in `durations` counting as a typical one (1 s with none)."""
    typical = statistics.median(durations.values()) if durations else 1.0
    return sum(durations.get(nodeid, typical) for nodeid in nodeids)
