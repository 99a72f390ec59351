"""The properties of a cursor walk, each a small function adding findings.

* pages: every page but the last holds exactly `limit` items; `hasMore` is false and `nextCursor` null
  exactly on the last page (a last page pointing at an empty one is `hasMore` true on the last page);
* exactly once: no item twice, every expected item present, nothing unexpected where the filter makes the
  run's own data the whole answer;
* order: the documented order by the listed sort keys, with ties broken by id in one direction (the same
  in every walk); where the order is undocumented, the same sequence as one big page;
* meta: `total`, the echoed `limit` and `sort` agree with the request and the data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Hashable, Sequence
from datetime import datetime
from itertools import pairwise
from typing import Any

from fixtures.timestamps import parse_timestamp
from suites.pagination.findings import Findings
from suites.pagination.listings import NAME_ASC, Listing
from suites.pagination.walker import Walk

SHOWN_IDS = 3


def _few(ids: Collection[str]) -> str:
    listed = list(ids)
    return ", ".join(listed[:SHOWN_IDS]) + (f" (+{len(listed) - SHOWN_IDS} more)" if len(listed) > SHOWN_IDS else "")


def check_pages(walk: Walk, limit: int, findings: Findings, ids: tuple[str, ...]) -> None:
    pages = walk.pages
    for page in pages:
        n = page.number
        if page.has_more and not page.next_cursor:
            findings.add(ids, f"page {n} says hasMore: true but nextCursor is {page.next_cursor!r}")
        if not page.has_more and page.next_cursor is not None:
            findings.add(ids, f"page {n} says hasMore: false but nextCursor is not null")
        if len(page.items) > limit:
            findings.add(ids, f"page {n} holds {len(page.items)} items, more than limit={limit}")
        elif page is not pages[-1] and len(page.items) != limit:
            findings.add(ids, f"page {n} is not the last but holds {len(page.items)} items, not limit={limit}")
    if walk.ended and len(pages) > 1 and not pages[-1].items:
        findings.add(ids, f"page {len(pages) - 1} is the last page but says hasMore: true "
                     f"(its nextCursor leads to an empty page)")


def check_exactly_once(walk: Walk, expected: Collection[str] | None, findings: Findings, ids: tuple[str, ...],
                       *, strict: bool, tie_ids: tuple[str, ...] = (),
                       key_of: Callable[[str], Hashable] | None = None) -> None:
    """`expected`: items that must appear (None: only duplicates are checked). `strict`: nothing else may.
    A missing item that shares its sort key with a returned one is a tie lost between pages (`tie_ids`)."""
    seen = walk.ids
    twice = [i for i, n in Counter(seen).items() if n > 1]
    if twice:
        findings.add(ids, f"{len(twice)} item(s) returned twice in one walk: {_few(twice)}")
    if expected is None or walk.broken:
        return
    present = set(seen)
    if walk.ended:
        missing = [i for i in expected if i not in present]
        if missing:
            tied = []
            if key_of is not None:
                returned_keys = {key_of(i) for i in present if i in expected}
                tied = [i for i in missing if key_of(i) in returned_keys]
            findings.add(ids + (tie_ids if tied else ()),
                         f"{len(missing)} of {len(expected)} expected item(s) never returned: {_few(missing)}"
                         + (f" ({len(tied)} share their sort key with a returned item)" if tied else ""))
    if strict:
        wanted = set(expected)
        extra = [i for i in present if i not in wanted]
        if extra:
            findings.add(ids, f"{len(extra)} item(s) returned that do not match the request: {_few(extra)}")


def sort_key(item: dict[str, Any], sort: str | None) -> Any:
    """The primary key an item is listed by: its name under name_asc, else its createdAt (None: unreadable)."""
    return item.get("name") if sort == NAME_ASC else parse_timestamp(item.get("createdAt"))


def check_order(items: Sequence[dict[str, Any]], sort: str | None, findings: Findings, ids: tuple[str, ...],
                directions: dict[str | None, int]) -> None:
    """Consecutive items in the documented order (createdAt descending, or name ascending), ties by id in
    one direction; `directions` remembers the direction seen per sort across walks (+1 ascending ids)."""
    ascending = sort == NAME_ASC
    for before, after in pairwise(items):
        a, b = sort_key(before, sort), sort_key(after, sort)
        if a is None or b is None:
            findings.add(ids, f"item {before['id'] if a is None else after['id']} has no readable sort key")
            return
        if a != b:
            if (a > b) if ascending else (a < b):
                findings.add(ids, f"out of order: {before['id']} ({_shown(a)}) is listed before {after['id']} "
                             f"({_shown(b)})")
            continue
        if before["id"] == after["id"]:
            continue  # a duplicate: check_exactly_once reports it
        direction = 1 if before["id"] < after["id"] else -1
        known = directions.setdefault(sort, direction)
        if direction != known:
            findings.add(ids, f"ties on {_shown(a)} are not broken by id in one direction: {before['id']} before "
                         f"{after['id']}, against the id order seen on other ties")


def _shown(key: Any) -> str:
    return key.isoformat(timespec="milliseconds") if isinstance(key, datetime) else repr(key)


def check_same_sequence(walk_ids: Sequence[str], reference: Sequence[str], findings: Findings,
                        ids: tuple[str, ...], what: str) -> None:
    """Where the order is undocumented it must still be one order: the walk's items (those also in
    `reference`) come in the reference's sequence."""
    common = set(walk_ids) & set(reference)
    mine = [i for i in dict.fromkeys(walk_ids) if i in common]
    theirs = [i for i in reference if i in common]
    if mine != theirs:
        at = next(n for n, (x, y) in enumerate(zip(mine, theirs, strict=False)) if x != y)
        findings.add(ids, f"the walk's order differs from {what} at item {at + 1}: {mine[at]} instead of "
                     f"{theirs[at]}")


def check_meta(walk: Walk, listing: Listing, limit: int, findings: Findings, ids: tuple[str, ...], *,
               total: int | None = None, sort: str | None = None, sort_ids: tuple[str, ...] = ()) -> None:
    for page in walk.pages:
        n = page.number
        if listing.has_total and total is not None and page.data.get("total") != total:
            findings.add(ids, f"page {n} says total: {page.data.get('total')!r}, the request matches {total}")
        if listing.echoes_limit and page.data.get("limit") != limit:
            findings.add(ids, f"page {n} says limit: {page.data.get('limit')!r}, asked {limit}")
        if sort is not None and page.data.get("sort") != sort:
            findings.add(sort_ids or ids, f"page {n} says sort: {page.data.get('sort')!r}, expected {sort!r}")
