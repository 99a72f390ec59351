"""`compliance.json` and `compliance.md`: one verdict per catalog guarantee, plus what the run was.

Nothing secret goes in: the target is its base URL, the settings are `describe()`d, the messages were redacted
when the plugin recorded them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from msgflash_compliance.reporting.verdicts import VERDICTS, GuaranteeVerdict, count_verdicts

VERDICT_ORDER = {"failed": 0, "broken": 1, "skipped": 2, "not_covered": 3, "passed": 4}


@dataclass(frozen=True)
class RunInfo:
    target: str
    embedded: bool
    suite: str
    suite_version: str
    run_id: str
    seed: int
    started_at: str  # ISO 8601, UTC
    duration_seconds: float
    requests: int
    pace_floor_seconds: float
    settings: dict[str, str]
    exit_code: int
    notes: tuple[str, ...] = ()
    test_counts: dict[str, int] = field(default_factory=dict)  # per-test outcomes (verdicts.count_tests)


def compliance_document(run: RunInfo, verdicts: list[GuaranteeVerdict]) -> dict[str, object]:
    return {
        "target": run.target,
        "embedded_reference_server": run.embedded,
        "suite": run.suite,
        "suite_version": run.suite_version,
        "run_id": run.run_id,
        "seed": run.seed,
        "started_at": run.started_at,
        "duration_seconds": round(run.duration_seconds, 2),
        "requests": run.requests,
        # The least time the run could take at its per-key pace: the busiest credential's requests / rate.
        "pace_floor_seconds": round(run.pace_floor_seconds, 2),
        "exit_code": run.exit_code,
        "settings": run.settings,
        "notes": list(run.notes),
        "summary": count_verdicts(verdicts),
        "tests": dict(run.test_counts),  # per test, the counts JUnit and Allure show
        "guarantees": [
            {"id": v.id, "area": v.area, "level": v.level, "verdict": v.verdict, "statement": v.statement,
             "tests": list(v.tests), "notes": list(v.notes), "doc_url": v.doc_url}
            for v in verdicts
        ],
    }


def write_compliance_json(path: Path, run: RunInfo, verdicts: list[GuaranteeVerdict]) -> None:
    path.write_text(json.dumps(compliance_document(run, verdicts), indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def write_compliance_md(path: Path, run: RunInfo, verdicts: list[GuaranteeVerdict]) -> None:
    counts = count_verdicts(verdicts)
    lines = [
        "# MsgFlash compliance report",
        "",
        f"- target: {run.target}" + (" (embedded reference server)" if run.embedded else ""),
        f"- suite: {run.suite}, version {run.suite_version}, run {run.run_id}",
        f"- started: {run.started_at}, duration {run.duration_seconds:.1f} s, {run.requests} requests",
        f"- hypothesis seed: {run.seed} (replay with `msgflash-compliance run --seed {run.seed}`)",
        f"- exit code: {run.exit_code}",
        *(f"- note: {note}" for note in run.notes),
        "",
        "## Summary",
        "",
        "| " + " | ".join(VERDICTS) + " |",
        "|" + "---|" * len(VERDICTS),
        "| " + " | ".join(str(counts[v]) for v in VERDICTS) + " |",
        "",
        "INFO guarantees are observed, never failed: a difference is a note on a passed verdict.",
        "",
    ]
    attention = [v for v in verdicts if v.verdict in ("failed", "broken")]
    if attention:
        lines += ["## Failed and broken", ""]
        for v in sorted(attention, key=lambda v: (VERDICT_ORDER[v.verdict], v.id)):
            lines.append(f"### {v.id} ({v.level}) — {v.verdict}")
            lines.append("")
            lines.append(v.statement)
            lines.append("")
            lines += [f"- test: `{t}`" for t in v.tests]
            lines += [f"- {_one_line(n)}" for n in v.notes]
            if v.doc_url:
                lines.append(f"- docs: {v.doc_url}")
            lines.append("")
    lines += ["## Contract settings", "", "| setting | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in run.settings.items()]
    lines += ["", "## All guarantees", "", "| id | level | verdict | statement | notes |",
              "|---|---|---|---|---|"]
    for v in verdicts:
        notes = "; ".join(_one_line(n) for n in v.notes)
        lines.append(f"| {v.id} | {v.level} | {v.verdict} | {_cell(v.statement)} | {_cell(notes)} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _cell(text: str) -> str:
    return _one_line(text, 200).replace("|", "\\|")


def verdicts_as_dicts(verdicts: list[GuaranteeVerdict]) -> list[dict[str, object]]:
    return [asdict(v) for v in verdicts]
