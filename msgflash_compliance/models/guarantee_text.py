"""How a guarantee reads in the reports: the expected answer, an Allure title and description for a test.

Used by the plugin's Allure labels and titles (`fixtures/plugin.py`), the synthetic Allure results of unchecked
guarantees and compliance.md, so a guarantee reads the same everywhere. Plain text, no pytest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

TITLE_IDS_SHOWN = 3
# An Allure label holding the pytest node id, so the reports can find a test's result (hidden in the HTML).
NODEID_LABEL = "msgflash_test"


def expected_answer(expected: Any) -> str:
    """`401 UNAUTHORIZED: no key is refused` from the catalog's `expected` (status, code, text)."""
    head = " ".join(str(part) for part in (expected.status, expected.code) if part)
    text = (expected.text or "").strip()
    if head and text and head not in text:
        return f"{head}: {text}"
    return text or head


def guarantee_description(guarantee_id: str, level: str, statement: str, expected: str | None,
                          doc_url: str | None) -> str:
    """Markdown for an Allure description: what is promised, the answer expected, where it is documented."""
    lines = [f"**{guarantee_id}** ({level}): {statement}"]
    if expected:
        lines.append(f"Expected: {expected}")
    if doc_url:
        lines.append(f"Docs: [{doc_url}]({doc_url})")
    return "\n\n".join(lines)


def allure_title(function_name: str, variant: str, guarantees: Sequence[Any]) -> str:
    """`AUTH-01: <statement>` for a one-guarantee test, else `ENV-01, ENV-02 +2: <what the test does>`;
    the variant (parameters, operation) in brackets."""
    suffix = f" [{variant}]" if variant else ""
    if len(guarantees) == 1:
        return f"{guarantees[0].id}: {guarantees[0].statement}{suffix}"
    ids = ", ".join(g.id for g in guarantees[:TITLE_IDS_SHOWN])
    more = f" +{len(guarantees) - TITLE_IDS_SHOWN}" if len(guarantees) > TITLE_IDS_SHOWN else ""
    what = function_name.removeprefix("test_").replace("_", " ")
    return f"{ids}{more}: {what}{suffix}"


def allure_description(guarantees: Sequence[Any], nodeid: str) -> str:
    parts = [guarantee_description(g.id, g.level, g.statement, expected_answer(g.expected), g.doc_url)
             for g in guarantees]
    return "\n\n---\n\n".join([*parts, f"Test: `{nodeid}`"])

