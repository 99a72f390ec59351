"""Everything a walk got wrong, collected before anything is raised, so one failing test names every
guarantee it broke (a verdict never hides behind the first violation).

Findings without a guarantee (on lists the docs do not describe, G6) are observations: reported as
warnings, never failed.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

from fixtures.errors import ContractViolation

SHOWN_FINDINGS = 6


class PaginationObservation(UserWarning):
    """Something a walk saw on a list no guarantee covers (reported, not failed)."""


@dataclass
class Findings:
    context: str  # what was walked, e.g. "GET /api/v1/contacts search=… sort=name_asc limit=7"
    problems: list[tuple[tuple[str, ...], str]] = field(default_factory=list)

    def add(self, guarantees: Iterable[str], message: str) -> None:
        self.problems.append((tuple(guarantees), message))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def guarantees(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i for ids, _ in self.problems for i in ids))

    def messages(self) -> list[str]:
        return list(dict.fromkeys(message for _, message in self.problems))

    def raise_if_any(self) -> None:
        """A ContractViolation naming every guarantee broken; observations become warnings."""
        observed = [message for ids, message in self.problems if not ids]
        for message in dict.fromkeys(observed):
            warnings.warn(PaginationObservation(f"{self.context}: {message}"), stacklevel=2)
        failing = [(ids, message) for ids, message in self.problems if ids]
        if not failing:
            return
        shown = list(dict.fromkeys(message for _, message in failing))
        more = f" (+{len(shown) - SHOWN_FINDINGS} more)" if len(shown) > SHOWN_FINDINGS else ""
        ids = tuple(dict.fromkeys(i for found, _ in failing for i in found))
        raise ContractViolation(f"{self.context}: " + "; ".join(shown[:SHOWN_FINDINGS]) + more, ids)
