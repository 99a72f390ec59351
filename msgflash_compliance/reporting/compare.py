"""`msgflash-compliance compare OLD.json NEW.json`: what changed between two runs, guarantee by guarantee.

* regressed: failed now, and not failing before (passed, skipped, not covered, broken): exit 1;
* fixed: failing before (failed or known), passed now;
* still failing: failing in both (a `known` deviation counts as failing);
* new / gone: in one run's catalog only (the suite version changed).

Anything else (passed in both, skipped in both, ...) is unchanged and only counted. When the two runs checked
different selections or contract files, the comparison says so first: a difference may be the selection's.
Exit codes: 0 no regression, 1 a regression, 2 a file that is not a compliance.json (one line).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from msgflash_compliance.errors import UsageError
from msgflash_compliance.exit_codes import ExitCode

FAILING = ("failed", "known")
BUCKETS = ("regressed", "fixed", "still_failing", "new", "gone")
TITLES = {"regressed": "Regressed", "fixed": "Fixed", "still_failing": "Still failing", "new": "New",
          "gone": "Gone"}


@dataclass(frozen=True)
class Change:
    id: str
    old: str | None  # verdict in OLD, None when the guarantee is new
    new: str | None
    level: str
    statement: str


@dataclass
class Comparison:
    old: str
    new: str
    buckets: dict[str, list[Change]] = field(default_factory=lambda: {b: [] for b in BUCKETS})
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def regressed(self) -> bool:
        return bool(self.buckets["regressed"])

    def as_dict(self) -> dict[str, object]:
        return {
            "old_run": self.old, "new_run": self.new, "has_regression": self.regressed, "warnings": self.warnings,
            "unchanged": self.unchanged,
            **{b: [{"id": c.id, "old": c.old, "new": c.new, "level": c.level, "statement": c.statement}
                   for c in changes] for b, changes in self.buckets.items()},
        }


def load_document(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise UsageError(f"{path}: cannot read it ({err.strerror or err.__class__.__name__})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise UsageError(f"{path}: not JSON ({err})") from None
    guarantees = document.get("guarantees") if isinstance(document, dict) else None
    if not isinstance(guarantees, list) or not all(
        isinstance(g, dict) and isinstance(g.get("id"), str) and isinstance(g.get("verdict"), str)
        for g in guarantees
    ):
        raise UsageError(f"{path}: not a compliance.json (no `guarantees` list of id/verdict entries)")
    return document


def compare(old: dict[str, Any], new: dict[str, Any], old_name: str = "OLD", new_name: str = "NEW") -> Comparison:
    result = Comparison(old_name, new_name, warnings=_warnings(old, new))
    before = {g["id"]: g for g in old["guarantees"]}
    after = {g["id"]: g for g in new["guarantees"]}
    for guarantee_id in sorted(before.keys() | after.keys()):
        was, now = before.get(guarantee_id), after.get(guarantee_id)
        shown = now or was
        assert shown is not None
        change = Change(guarantee_id, was and was["verdict"], now and now["verdict"], shown.get("level", ""),
                        shown.get("statement", ""))
        bucket = _bucket(change.old, change.new)
        if bucket is None:
            result.unchanged += 1
        else:
            result.buckets[bucket].append(change)
    return result


def _bucket(old: str | None, new: str | None) -> str | None:
    if old is None:
        return "new"
    if new is None:
        return "gone"
    if new == "failed" and old not in FAILING:
        return "regressed"
    if old in FAILING and new in FAILING:
        return "still_failing"
    if old in FAILING and new == "passed":
        return "fixed"
    return None


def _warnings(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    warnings = []
    selections = [(d.get("selection") or {}) for d in (old, new)]
    described = [s.get("description", "(not recorded)") for s in selections]
    if described[0] != described[1]:
        warnings.append(f"the runs selected different checks: OLD {described[0]}; NEW {described[1]}")
    faults = [", ".join(s.get("faults") or []) or "none" for s in selections]
    if faults[0] != faults[1]:
        warnings.append(f"the embedded server ran with different faults: OLD {faults[0]}, NEW {faults[1]}")
    both_embedded = old.get("embedded_reference_server") and new.get("embedded_reference_server")
    if not both_embedded and old.get("target") != new.get("target"):  # embedded servers differ by port only
        warnings.append(f"the runs checked different targets: OLD {old.get('target')}, NEW {new.get('target')}")
    contracts = [(d.get("checked_against") or {}) for d in (old, new)]
    for key, what in (("suite_version", "suite version"), ("openapi_sha256", "OpenAPI file"),
                      ("catalog_sha256", "guarantee catalog")):
        if contracts[0].get(key) != contracts[1].get(key):
            warnings.append(f"the runs were checked against a different {what}")
    return warnings


def comparison_markdown(result: Comparison) -> str:
    counts = ", ".join(f"{len(result.buckets[b])} {TITLES[b].lower()}" for b in BUCKETS)
    verdict = "REGRESSED" if result.regressed else "no regression"
    lines = [f"# Compliance comparison: {verdict}", "", f"{result.old} → {result.new}: {counts}, "
             f"{result.unchanged} unchanged", ""]
    lines += [f"- warning: {w}" for w in result.warnings]
    if result.warnings:
        lines.append("")
    for bucket in BUCKETS:
        changes = result.buckets[bucket]
        if not changes:
            continue
        lines += [f"## {TITLES[bucket]}: {len(changes)}", "", "| id | level | before | now | statement |",
                  "|---|---|---|---|---|"]
        lines += [f"| {c.id} | {c.level} | {c.old or '-'} | {c.new or '-'} | {c.statement.replace('|', '/')} |"
                  for c in changes]
        lines.append("")
    return "\n".join(lines)


def compare_command(args: argparse.Namespace) -> int:
    old_path, new_path = Path(args.old), Path(args.new)
    result = compare(load_document(old_path), load_document(new_path), str(old_path), str(new_path))
    outputs = {"json": getattr(args, "json", None), "markdown": getattr(args, "markdown", None)}
    if outputs["json"] is None and outputs["markdown"] is None:
        outputs["markdown"] = "-"
    texts = {"json": json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n",
             "markdown": comparison_markdown(result)}
    for kind, where in outputs.items():
        if where is None:
            continue
        if where == "-":
            sys.stdout.write(texts[kind])
        else:
            Path(where).write_text(texts[kind], encoding="utf-8")
    if outputs["markdown"] != "-":  # a CI log still gets the one line that matters
        regressed = ", ".join(c.id for c in result.buckets["regressed"])
        line = f"regressed: {regressed}" if regressed else "no regression"
        print(line, file=sys.stderr if outputs["json"] == "-" else sys.stdout)
    return int(ExitCode.VIOLATIONS if result.regressed else ExitCode.COMPLIANT)
