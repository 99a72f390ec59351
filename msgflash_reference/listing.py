"""Keyset listings: one helper every cursor-paginated route uses, so all of them page the same way through the
pager policy (limit, cursor codec, keyset condition, hasMore)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from msgflash_reference.policies.pagination import Page, Pager, SortSpec


@dataclass
class Filters:
    """WHERE clauses (joined with AND) and their parameters."""

    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> Filters:
        self.clauses.append(clause)
        self.params.extend(params)
        return self

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "1 = 1"


def count(conn: sqlite3.Connection, source: str, filters: Filters) -> int:
    return int(conn.execute(f"SELECT COUNT(*) FROM {source} WHERE {filters.sql()}", filters.params).fetchone()[0])


def keyset_page(
    conn: sqlite3.Connection,
    pager: Pager,
    *,
    source: str,
    columns: str,
    filters: Filters,
    sort: SortSpec,
    limit: int,
    after: tuple[str, str] | None,
    cursor_of: Callable[[sqlite3.Row], str] | None = None,
) -> Page:
    """Rows of `source` matching `filters`, strictly after the decoded cursor `after` in `sort` order."""
    where = Filters(list(filters.clauses), list(filters.params))
    if after is not None:
        sql, params = pager.after(sort, *after)
        where.add(sql, *params)
    rows: Sequence[sqlite3.Row] = conn.execute(
        f"SELECT {columns} FROM {source} WHERE {where.sql()} ORDER BY {pager.order_by(sort)} LIMIT ?",
        [*where.params, pager.fetch_size(limit)],
    ).fetchall()
    key_column = sort.column.split(".")[-1]
    id_column = sort.id_column.split(".")[-1]
    encode = cursor_of or (lambda row: pager.encode(row[key_column], row[id_column]))
    return pager.page(rows, limit, encode)
