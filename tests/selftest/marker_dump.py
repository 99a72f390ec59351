"""A pytest plugin for a collect-only run of `suites/`: writes `{nodeid: [guarantee IDs]}` as JSON to the
path in $MFC_MARKER_DUMP. The self-tests use it to learn which guarantees the suites check today."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

DUMP_VARIABLE = "MFC_MARKER_DUMP"


def pytest_collection_finish(session: pytest.Session) -> None:
    target = os.environ.get(DUMP_VARIABLE)
    if not target:
        return
    markers = {
        item.nodeid: [str(i) for mark in item.iter_markers("guarantee") for i in mark.args]
        for item in session.items
    }
    Path(target).write_text(json.dumps(markers, indent=1), encoding="utf-8")
