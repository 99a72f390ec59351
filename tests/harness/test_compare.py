"""`msgflash-compliance compare OLD.json NEW.json`: buckets, output formats and exit codes on hand-written pairs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from msgflash_compliance import cli
from msgflash_compliance.exit_codes import ExitCode
from msgflash_compliance.reporting.compare import compare


def _document(verdicts: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "target": "http://127.0.0.1:1", "embedded_reference_server": True,
        "selection": {"description": "full suite", "faults": []},
        "checked_against": {"suite_version": "0.1.0", "openapi_sha256": "a", "catalog_sha256": "b"},
        "guarantees": [{"id": i, "level": "MUST", "statement": f"{i} holds", "verdict": v}
                       for i, v in verdicts.items()],
        **extra,
    }


OLD = _document({"A-1": "passed", "A-2": "failed", "A-3": "failed", "A-4": "skipped", "A-5": "passed",
                 "A-6": "known", "A-7": "passed", "A-8": "broken"})
NEW = _document({"A-1": "failed", "A-2": "passed", "A-3": "failed", "A-4": "failed", "A-5": "passed",
                 "A-6": "failed", "A-8": "passed", "A-9": "failed"})


def _files(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> tuple[str, str]:
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    return str(tmp_path / "old.json"), str(tmp_path / "new.json")


def test_each_guarantee_lands_in_its_bucket() -> None:
    result = compare(OLD, NEW)
    ids = {bucket: [c.id for c in changes] for bucket, changes in result.buckets.items()}
    assert ids == {"regressed": ["A-1", "A-4"], "fixed": ["A-2"], "still_failing": ["A-3", "A-6"],
                   "new": ["A-9"], "gone": ["A-7"]}
    assert result.unchanged == 2 and result.regressed and result.warnings == []


def test_a_regression_exits_1_naming_it_in_markdown_and_json(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    old, new = _files(tmp_path, OLD, NEW)
    assert cli.main(["compare", old, new]) == ExitCode.VIOLATIONS
    markdown = capsys.readouterr().out
    assert markdown.startswith("# Compliance comparison: REGRESSED")
    assert "## Regressed: 2" in markdown and "| A-1 | MUST | passed | failed | A-1 holds |" in markdown
    assert "## Gone: 1" in markdown and "| A-7 | MUST | passed | - |" in markdown
    assert cli.main(["compare", old, new, "--json"]) == ExitCode.VIOLATIONS
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["has_regression"] is True and [c["id"] for c in document["regressed"]] == ["A-1", "A-4"]
    assert captured.err.strip() == "regressed: A-1, A-4"
    written = tmp_path / "cmp.md"
    assert cli.main(["compare", old, new, "--markdown", str(written), "--json", str(tmp_path / "c.json")]) == 1
    assert capsys.readouterr().out.strip() == "regressed: A-1, A-4"
    assert "## Fixed: 1" in written.read_text() and json.loads((tmp_path / "c.json").read_text())["fixed"]


def test_no_regression_exits_0_even_with_failures_left(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = _files(tmp_path, _document({"A-1": "failed", "A-2": "failed"}),
                      _document({"A-1": "failed", "A-2": "passed"}))
    assert cli.main(["compare", old, new]) == ExitCode.COMPLIANT
    assert "# Compliance comparison: no regression" in capsys.readouterr().out


def test_different_selections_or_contracts_are_said_first() -> None:
    other = _document({"A-1": "passed"}, selection={"description": "full suite, narrowed to guarantees A-1",
                                                    "faults": ["missing-key-403"]},
                      checked_against={"suite_version": "0.2.0", "openapi_sha256": "a", "catalog_sha256": "c"})
    warnings = compare(_document({"A-1": "passed"}), other).warnings
    assert warnings == [
        "the runs selected different checks: OLD full suite; NEW full suite, narrowed to guarantees A-1",
        "the embedded server ran with different faults: OLD none, NEW missing-key-403",
        "the runs were checked against a different suite version",
        "the runs were checked against a different guarantee catalog",
    ]


@pytest.mark.parametrize(("content", "said"), [
    (None, "cannot read it"), ("{not json", "not JSON"), ('{"guarantees": [{"id": 1}]}', "not a compliance.json"),
    ("[]", "not a compliance.json"),
], ids=["missing", "not-json", "bad-entries", "a-list"])
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None,
                                         said: str) -> None:
    good, _ = _files(tmp_path, OLD, NEW)
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    assert cli.main(["compare", good, str(bad)]) == ExitCode.USAGE
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and said in lines[0] and str(bad) in lines[0] and captured.out == ""
