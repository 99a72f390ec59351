"""`compliance.json` and `compliance.md`: one verdict per catalog guarantee, plus what the run was.

`compliance.json` is the record: the verdicts, the selection and contract digests (`replay.py`), the baseline
outcome. `compliance.md` is the CI summary: the verdict first, then what failed (capped evidence, test ids
folded, a replay line each), then what broke, then everything else in collapsed blocks.

Nothing secret goes in: the target is its base URL, the settings are `describe()`d, the messages were redacted
when the plugin recorded them.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from msgflash_compliance.models.selection import Selection
from msgflash_compliance.reporting.baseline import KNOWN, REPORTED_VERDICTS, count_reported
from msgflash_compliance.reporting.replay import guarantee_replay, replay_command
from msgflash_compliance.reporting.verdicts import GuaranteeVerdict

VERDICT_ORDER = {"failed": 0, "broken": 1, KNOWN: 2, "skipped": 3, "not_covered": 4, "passed": 5}
# Which levels fail the gate for each `--fail-on` (INFO never fails: it is observed, not checked).
GATE_LEVELS = {"must": ("MUST",), "should": ("MUST", "SHOULD")}
DEFAULT_FAIL_ON = "should"
EVIDENCE_LINES = 6  # per failed guarantee in compliance.md; compliance.json keeps every note
TESTS_SHOWN = 3
# "fixtures.errors.ContractViolation: AUTH-01 ..." → "AUTH-01 ...": the class says nothing to a reader.
_EXCEPTION_PREFIX = re.compile(r"^(?:[A-Za-z_]\w*\.)+[A-Za-z_]\w*(?:Violation|Error|Exception|Failure): ")


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
    outcome: str = "completed"  # or "interrupted" (SIGINT/SIGTERM), "stopped" (budget, wall-clock limit)
    selection: Selection = field(default_factory=Selection)
    checked_against: dict[str, str] = field(default_factory=dict)
    gating: tuple[str, ...] = ()  # the failed guarantees that failed the gate
    baseline: dict[str, object] | None = None  # BaselineOutcome.as_dict()
    expected: dict[str, str] = field(default_factory=dict)  # guarantee ID → the catalog's expected answer
    test_counts: dict[str, int] = field(default_factory=dict)  # per-test outcomes (verdicts.count_tests)
    paced_requests: dict[str, int] = field(default_factory=dict)  # per credential label: who sets the floor


def gating_failures(verdicts: list[GuaranteeVerdict], fail_on: str) -> list[GuaranteeVerdict]:
    """The failed guarantees whose level `--fail-on` gates on (`known` ones are not `failed`)."""
    levels = GATE_LEVELS[fail_on]
    return [v for v in verdicts if v.verdict == "failed" and v.level in levels]


def clean_note(text: str) -> str:
    return _EXCEPTION_PREFIX.sub("", text.strip())


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
        "paced_requests": dict(run.paced_requests),  # per credential label (never a secret)
        "exit_code": run.exit_code,
        "outcome": run.outcome,
        "selection": run.selection.as_dict(),
        "checked_against": run.checked_against,
        "replay": replay_command(run.selection),
        "gate": {"fail_on": run.selection.fail_on, "levels": list(GATE_LEVELS[run.selection.fail_on]),
                 "failing": list(run.gating)},
        "baseline": run.baseline,
        "settings": run.settings,
        "notes": list(run.notes),
        "summary": count_reported(verdicts),
        "tests": dict(run.test_counts),  # per test, the counts JUnit and Allure show
        "guarantees": [
            {"id": v.id, "area": v.area, "level": v.level, "verdict": v.verdict, "statement": v.statement,
             "tests": list(v.tests), "notes": [clean_note(n) for n in v.notes], "doc_url": v.doc_url}
            for v in verdicts
        ],
    }


def write_compliance_json(path: Path, run: RunInfo, verdicts: list[GuaranteeVerdict]) -> None:
    path.write_text(json.dumps(compliance_document(run, verdicts), indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def verdict_line(run: RunInfo, counts: dict[str, int]) -> str:
    """The one line a CI reader needs first."""
    word = {0: "PASSED", 1: "FAILED", 2: "NOT RUN (usage error)", 3: "BROKEN"}.get(run.exit_code, "UNKNOWN")
    parts = [f"{counts['failed']} failed", f"{counts['broken']} broken"]
    if counts[KNOWN]:
        parts.append(f"{counts[KNOWN]} known")
    parts += [f"{counts['passed']} passed", f"{counts['skipped']} skipped", f"{counts['not_covered']} not covered"]
    gate = f"gate: --fail-on {run.selection.fail_on}"
    if run.gating:
        shown = ", ".join(run.gating[:8]) + (f" (+{len(run.gating) - 8})" if len(run.gating) > 8 else "")
        gate += f", failing on {shown}"
    return f"**{word}** (exit {run.exit_code}): {', '.join(parts)} of {sum(counts.values())} guarantees; {gate}"


def compliance_markdown(run: RunInfo, verdicts: list[GuaranteeVerdict]) -> str:
    counts = count_reported(verdicts)
    digests = run.checked_against
    lines = [
        "# MsgFlash compliance report",
        "",
        verdict_line(run, counts),
        "",
        f"- target: {run.target}" + (" (embedded reference server)" if run.embedded else "")
        + (f", faults on: {', '.join(run.selection.faults)}" if run.selection.faults else ""),
        f"- selection: {run.selection.describe()}",
        f"- replay: `{replay_command(run.selection)}`",
    ]
    if digests:
        lines.append(f"- checked against: suite {digests['suite_version']}, {digests['openapi']} sha256 "
                     f"{digests['openapi_sha256'][:12]}…, {digests['catalog']} sha256 "
                     f"{digests['catalog_sha256'][:12]}…")
    lines.append(f"- run {run.run_id}, started {run.started_at}, {run.duration_seconds:.1f} s, "
                 f"{run.requests} requests, hypothesis seed {run.seed}")
    lines += [f"- note: {note}" for note in run.notes]
    lines += _baseline_lines(run.baseline)
    lines += ["", "| " + " | ".join(REPORTED_VERDICTS) + " |", "|" + "---|" * len(REPORTED_VERDICTS),
              "| " + " | ".join(str(counts[v]) for v in REPORTED_VERDICTS) + " |", ""]
    for verdict, title in (("failed", "Failed"), ("broken", "Broken (nothing was judged)"),
                           (KNOWN, "Known deviations (baseline)")):
        chosen = sorted((v for v in verdicts if v.verdict == verdict), key=lambda v: v.id)
        if chosen:
            lines += [f"## {title}: {len(chosen)}", ""]
            for v in chosen:
                lines += _guarantee_section(run, v, gating=v.id in run.gating)
    lines += ["INFO guarantees are observed, never failed: a difference is a note on a passed verdict.", ""]
    lines += ["<details><summary>Contract settings</summary>", "", "| setting | value |", "|---|---|"]
    lines += [f"| {name} | {_cell(value)} |" for name, value in run.settings.items()]
    lines += ["", "</details>", "", f"<details><summary>All {len(verdicts)} guarantees</summary>", "",
              "| id | level | verdict | statement | notes |", "|---|---|---|---|---|"]
    for v in sorted(verdicts, key=lambda v: (VERDICT_ORDER[v.verdict], v.id)):
        note = _one_line(clean_note(v.notes[0]), 160) if v.notes else ""
        lines.append(f"| {v.id} | {v.level} | {v.verdict} | {_cell(v.statement)} | {_cell(note)} |")
    lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def write_compliance_md(path: Path, run: RunInfo, verdicts: list[GuaranteeVerdict]) -> None:
    path.write_text(compliance_markdown(run, verdicts), encoding="utf-8")


def _guarantee_section(run: RunInfo, v: GuaranteeVerdict, *, gating: bool) -> list[str]:
    flag = "" if gating or v.verdict != "failed" else " — reported, not gating (--fail-on " \
        f"{run.selection.fail_on})"
    lines = [f"### {v.id} ({v.level}) {v.statement}{flag}", ""]
    expected = run.expected.get(v.id)
    if expected:
        lines.append(f"- expected: {expected}")
    lines.append(f"- tests: {fold_tests(v.tests)}")
    evidence = [_one_line(clean_note(n)) for n in v.notes]
    for note in evidence[:EVIDENCE_LINES]:
        lines.append(f"  - {note}")
    if len(evidence) > EVIDENCE_LINES:
        lines.append(f"  - … {len(evidence) - EVIDENCE_LINES} more in compliance.json")
    if v.doc_url:
        lines.append(f"- docs: {v.doc_url}")
    if v.verdict in ("failed", "broken", KNOWN):
        lines.append(f"- replay: `{guarantee_replay(run.selection, v.id)}`")
    return [*lines, ""]


def fold_tests(tests: tuple[str, ...], shown: int = TESTS_SHOWN) -> str:
    """`3 tests: a, b, c` or `24 tests, e.g. a, b, c`: one line however many tests decided it."""
    if not tests:
        return "none"
    names = ", ".join(f"`{t}`" for t in tests[:shown])
    if len(tests) <= shown:
        return f"{len(tests)} test{'s' if len(tests) > 1 else ''}: {names}"
    return f"{len(tests)} tests, e.g. {names}"


def _baseline_lines(baseline: dict[str, object] | None) -> list[str]:
    if not baseline:
        return []
    lines = [f"- baseline: {baseline['path']}: {len(baseline['known'])} known"]  # type: ignore[arg-type]
    if baseline["expired"]:
        lines.append(f"- baseline entries EXPIRED (failing again): {', '.join(baseline['expired'])}")  # type: ignore[arg-type]
    if baseline["stale"]:
        lines.append(f"- baseline entries STALE (they pass now, remove them): {', '.join(baseline['stale'])}")  # type: ignore[arg-type]
    return lines


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _cell(text: str) -> str:
    return _one_line(text, 200).replace("|", "\\|")


def verdicts_as_dicts(verdicts: list[GuaranteeVerdict]) -> list[dict[str, object]]:
    return [asdict(v) for v in verdicts]
