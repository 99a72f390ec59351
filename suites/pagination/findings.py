"""Everything a walk got wrong, collected before anything is raised, so one failing test names every
guarantee it broke (a verdict never hides behind the first violation).

Findings without a guarantee (on lists the docs do not describe, G6) are observations: reported as
warnings, never failed.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

from fixtures.errors import Finding, violation_of


class PaginationObservation(UserWarning):
    """Something a walk saw on a list no guarantee covers (reported, not failed)."""


@dataclass
class Findings:
    context: str  # what was walked, e.g. "GET /api/v1/contacts search=… sort=name_asc limit=7"
    problems: list[Finding] = field(default_factory=list)

    def add(self, guarantees: Iterable[str], message: str) -> None:
        self.problems.append(Finding(tuple(guarantees), message))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def guarantees(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i for found in self.problems for i in found.guarantees))

    def messages(self) -> list[str]:
        return list(dict.fromkeys(found.message for found in self.problems))

    def raise_if_any(self) -> None:
        """A ContractViolation naming every guarantee broken; observations become warnings."""
        observed = [found.message for found in self.problems if not found.guarantees]
        for message in dict.fromkeys(observed):
            warnings.warn(PaginationObservation(f"{self.context}: {message}"), stacklevel=2)
        failing = [found for found in self.problems if found.guarantees]
        if failing:
            raise violation_of(self.context, failing)
