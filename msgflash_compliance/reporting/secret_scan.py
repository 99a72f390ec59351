"""The last line of defence: look for every profile secret in every file the run wrote.

Redaction happens where evidence is written; this scan checks that it did. A hit fails the run as broken and
the file is scrubbed (each secret replaced by its placeholder), so the leak does not outlive the run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fixtures.redaction import MIN_KNOWN_SECRET_LENGTH, placeholder


@dataclass(frozen=True)
class Leak:
    path: Path
    label: str  # which secret (e.g. `owner.api_key`), never the secret itself


def scan_for_secrets(roots: Iterable[Path], secrets: list[tuple[str, str]], scrub: bool = True) -> list[Leak]:
    """Every (file, secret label) where a secret appears in `roots` (files, or directories walked);
    scrubs the files when `scrub`. Only the run's own outputs are passed in: never a user's other files."""
    # Both spellings: as sent, and JSON-escaped (Allure results are JSON files).
    needles = list(dict.fromkeys(
        (label, spelling.encode())
        for label, value in secrets
        for spelling in (value, json.dumps(value)[1:-1])
        if len(value) >= MIN_KNOWN_SECRET_LENGTH
    ))
    leaks: list[Leak] = []
    if not needles:
        return leaks
    for path in sorted(_files(roots)):
        try:
            content = path.read_bytes()
        except OSError:
            continue
        found = [(label, needle) for label, needle in needles if needle in content]
        if not found:
            continue
        leaks += [Leak(path, label) for label, _ in found]
        if scrub:
            for label, needle in found:
                content = content.replace(needle, placeholder(label).encode())
            path.write_bytes(content)
    return leaks


def _files(roots: Iterable[Path]) -> set[Path]:
    found: set[Path] = set()
    for root in roots:
        if root.is_file():
            found.add(root)
        elif root.is_dir():
            found.update(p for p in root.rglob("*") if p.is_file())
    return found
