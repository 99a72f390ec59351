"""`search` filters: which columns a resource searches and how a term matches (case-insensitive)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from msgflash_reference.errors import invalid_field

SEARCH_MAX_CHARS = 100

DEFAULT_SEARCH_FIELDS: Mapping[str, tuple[str, ...]] = {
    "contacts": ("name", "phone"),
    "groups": ("name", "description"),
}


@dataclass(frozen=True)
class SearchMatcher:
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_SEARCH_FIELDS))
    # SQL function registered on every connection (db.py): ci_contains folds case, cs_contains does not.
    function: str = "ci_contains"

    def parse(self, raw: str | None) -> str | None:
        """None when absent; 400 for an empty or over-long term (G17)."""
        if raw is None:
            return None
        if not 1 <= len(raw) <= SEARCH_MAX_CHARS:
            raise invalid_field("search", f"must be 1 to {SEARCH_MAX_CHARS} characters")
        return raw

    def condition(self, resource: str, term: str) -> tuple[str, list[str]]:
        columns = self.fields[resource]
        sql = " OR ".join(f"{self.function}({column}, ?)" for column in columns)
        return f"({sql})", [term] * len(columns)
