"""The catalog's `checked_by` matches the suites' guarantee markers (style lesson 3: catalog and tests in sync)."""

from __future__ import annotations

from msgflash_compliance.contract.paths import CATALOG_PATH
from tools.fill_checked_by import checked_by_id, rewritten


def test_checked_by_lists_exactly_the_tests_that_mark_each_guarantee() -> None:
    text = CATALOG_PATH.read_text(encoding="utf-8")
    assert rewritten(text, checked_by_id()) == text, (
        "openapi/guarantees.yaml checked_by is out of date: run .venv/bin/python tools/fill_checked_by.py"
    )
