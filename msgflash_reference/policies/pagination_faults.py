"""Cursor bugs beyond the core's pagination faults, each a `Pager` that gets one thing wrong.

Loaded by `faults.py` through EXTENSION_MODULES (FAULTS below). Like the core's, each subclass overrides one
step of the default pager: where the next cursor points, how hasMore is decided, what the cursor holds, which
column the seek compares, what a cursor is remembered with. Two of them keep per-request state (what the
request's cursor decoded to) in a thread-local: a listing runs in one worker thread from `parse_limit` (the
first pager call of every listing) to `page` (the last).
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from msgflash_reference.errors import invalid_field
from msgflash_reference.faults import Fault
from msgflash_reference.ids import is_uuid
from msgflash_reference.policies.pagination import CREATED_DESC, TIMESTAMP_RE, Page, Pager, SortSpec

OFFSET_MARK = "#offset"
PAGE_CACHE_SIZE = 2048


class _LookaheadCursor(Pager):
    """Builds the next cursor from the extra row fetched to learn hasMore, so the next page starts after
    that row: one item is lost at every page boundary."""

    def page(self, rows: Sequence[sqlite3.Row], limit: int, cursor_of: Callable[[sqlite3.Row], str]) -> Page:
        items = list(rows[:limit])
        has_more = len(rows) > limit
        return Page(items, cursor_of(rows[limit]) if has_more else None, has_more)


class _FullPageHasMore(Pager):
    """Fetches exactly `limit` rows and says hasMore whenever the page is full: a last page that happens to be
    full (the walk's size a multiple of `limit`) offers a cursor to an empty page."""

    def fetch_size(self, limit: int) -> int:
        return limit

    def page(self, rows: Sequence[sqlite3.Row], limit: int, cursor_of: Callable[[sqlite3.Row], str]) -> Page:
        items = list(rows[:limit])
        has_more = len(items) == limit
        return Page(items, cursor_of(items[-1]) if has_more else None, has_more)


class _OffsetCursor(Pager):
    """A row offset dressed as a cursor (base64 of `offset:N`). Stable data pages fine; a delete behind the
    cursor moves every later row one place up and the walk skips one, a create ahead of it repeats one.
    Id cursors (bulk jobs: the route looks the job up itself) are left as they are."""

    _request = threading.local()

    def parse_limit(self, raw: str | None, *, default: int, maximum: int) -> int:
        self._request.offset = 0
        return super().parse_limit(raw, default=default, maximum=maximum)

    def decode(self, cursor: str, sort: SortSpec) -> tuple[str, str]:
        text = cursor.strip()
        try:
            decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8")
        except (binascii.Error, ValueError):
            raise invalid_field("cursor", "is not a valid cursor") from None
        label, _, number = decoded.partition(":")
        if label != "offset" or not number.isdigit():
            raise invalid_field("cursor", "is not a valid cursor")
        self._request.offset = int(number)
        return OFFSET_MARK, "0"

    def after(self, sort: SortSpec, key: str, row_id: str) -> tuple[str, list[str]]:
        if key == OFFSET_MARK:
            return "1 = 1", []
        return super().after(sort, key, row_id)

    def fetch_size(self, limit: int) -> int:
        return getattr(self._request, "offset", 0) + limit + 1

    def page(self, rows: Sequence[sqlite3.Row], limit: int, cursor_of: Callable[[sqlite3.Row], str]) -> Page:
        offset = getattr(self._request, "offset", 0)
        self._request.offset = 0
        window = list(rows[offset:])
        items = window[:limit]
        if len(window) <= limit:
            return Page(items, None, False)
        natural = cursor_of(items[-1])
        if is_uuid(natural):
            return Page(items, natural, True)
        encoded = base64.urlsafe_b64encode(f"offset:{offset + limit}".encode()).decode("ascii").rstrip("=")
        return Page(items, encoded, True)


class _SeekColumnFromCursor(Pager):
    """Chooses the seek column from what the cursor holds (a timestamp: createdAt) while ORDER BY follows the
    request's `sort`: a createdAt cursor reused under name_asc answers the older contacts in name order,
    which is no page of the name order at all."""

    def after(self, sort: SortSpec, key: str, row_id: str) -> tuple[str, list[str]]:
        if not sort.key_is_timestamp and TIMESTAMP_RE.match(key):
            return super().after(replace(CREATED_DESC, id_column=sort.id_column), key, row_id)
        return super().after(sort, key, row_id)


class _PageCacheByCursor(Pager):
    """Remembers the page each cursor led to, keyed by cursor, sort and limit but not by workspace (the [S]
    portal note: cache keys must include the team id): another workspace presenting the same cursor is
    answered the first workspace's page."""

    _request = threading.local()

    def __init__(self) -> None:
        self._pages: OrderedDict[tuple[str, str, int], Page] = OrderedDict()
        self._lock = threading.Lock()

    def parse_limit(self, raw: str | None, *, default: int, maximum: int) -> int:
        self._request.key = None
        return super().parse_limit(raw, default=default, maximum=maximum)

    def decode(self, cursor: str, sort: SortSpec) -> tuple[str, str]:
        decoded = super().decode(cursor, sort)
        self._request.key = (cursor, sort.name)
        return decoded

    def page(self, rows: Sequence[sqlite3.Row], limit: int, cursor_of: Callable[[sqlite3.Row], str]) -> Page:
        wanted = getattr(self._request, "key", None)
        self._request.key = None
        if wanted is None:
            return super().page(rows, limit, cursor_of)
        key = (*wanted, limit)
        with self._lock:
            cached = self._pages.get(key)
        if cached is not None:
            return cached
        fresh = super().page(rows, limit, cursor_of)
        with self._lock:
            self._pages[key] = Page([_detached(r) for r in fresh.rows], fresh.next_cursor, fresh.has_more)
            while len(self._pages) > PAGE_CACHE_SIZE:
                self._pages.popitem(last=False)
        return fresh


def _detached(row: sqlite3.Row) -> Mapping[str, Any]:
    """A row's values by column name, safe to keep after its connection moves on."""
    return {name: row[name] for name in row.keys()}  # noqa: SIM118 (sqlite3.Row iterates values)


FAULTS: tuple[Fault, ...] = (
    Fault(
        "cursor-from-lookahead-row",
        ("PAGE-04",),
        "the next cursor names the row after the page, so each page boundary loses one item",
        lambda p: replace(p, pager=_LookaheadCursor()),
    ),
    Fault(
        "has-more-on-full-last-page",
        ("PAGE-04",),
        "hasMore is true whenever a page is full: a full last page leads to an empty one",
        lambda p: replace(p, pager=_FullPageHasMore()),
    ),
    Fault(
        "cursor-offset-based",
        ("PAGE-04", "PAGE-05"),
        "the cursor is a row offset: a delete behind it skips an item, a create ahead of it repeats one",
        lambda p: replace(p, pager=_OffsetCursor()),
    ),
    Fault(
        "sort-switch-seeks-created-at",
        ("PAGE-08",),
        "a createdAt cursor reused under sort=name_asc seeks on createdAt but orders by name",
        lambda p: replace(p, pager=_SeekColumnFromCursor()),
    ),
    Fault(
        "page-cache-ignores-workspace",
        ("TEAM-10", "ERR-02"),
        "pages are cached by cursor without the workspace: another workspace's cursor returns its page",
        lambda p: replace(p, pager=_PageCacheByCursor()),
    ),
)
