"""What a run selected: its suite, guarantees, tests, extra pytest arguments, target flags, seed and gate.

Built once by the runner from the command line (`reporting.replay.selection_from_args`); the plugin reads the
guarantee filter from it, the reports describe it and replay it. Nothing here holds a secret: a profile is
named by its path.
"""

from __future__ import annotations

import shlex
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Selection:
    suite: str = "full"
    guarantees: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    pytest_args: tuple[str, ...] = ()  # after `--`: markers (`-m`), `-k`, ...
    faults: tuple[str, ...] = ()
    seed: int = 0
    profile: str | None = None  # as the user gave it; None: the embedded reference server
    embedded_rate_limit: int | None = None
    key_pool: int | None = None  # --key-pool: overrides the profile's [safety] key_pool
    fail_on: str = "should"
    baseline: str | None = None
    fail_fast: bool = False  # --fail-fast: a guarantee's checks stop at its first violation (same verdicts)

    @property
    def narrowed(self) -> bool:
        """True when the run checked less than its suite: unselected guarantees end `skipped`."""
        return bool(self.guarantees or self.tests or self.pytest_args)

    def describe(self) -> str:
        """One line for the reports: `full` only when nothing narrowed the suite."""
        parts = [f"{self.suite} suite" + (", narrowed to" if self.narrowed else "")]
        if self.guarantees:
            parts.append("guarantees " + ", ".join(self.guarantees))
        if self.tests:
            parts.append("tests " + ", ".join(self.tests))
        if self.pytest_args:
            parts.append("pytest arguments " + shlex.join(self.pytest_args))
        return parts[0] + (" " + "; ".join(parts[1:]) if parts[1:] else "")

    def as_dict(self) -> dict[str, object]:
        document = asdict(self)
        for key in ("guarantees", "tests", "pytest_args", "faults"):
            document[key] = list(document[key])
        return {**document, "narrowed": self.narrowed, "description": self.describe()}
