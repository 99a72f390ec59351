"""Faults of the cursor and page listings (PAGE): the pager (limit, sort, cursor codec, keyset, hasMore, page
offset), the search matcher and the messages filters.

Two of the cursor faults keep per-request state (what the request's cursor decoded to) in a thread-local: a
listing runs in one worker thread from `parse_limit` (the first pager call of every listing) to `page` (the
last). The page cache keeps one cache per server (its fault builds a fresh pager on every apply).
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
from msgflash_reference.faults.fault import Fault, swap
from msgflash_reference.ids import is_uuid
from msgflash_reference.policies.filters import MessageFilters
from msgflash_reference.policies.pagination import CREATED_DESC, TIMESTAMP_RE, Page, Pager, SortSpec

OFFSET_MARK = "#offset"
PAGE_CACHE_SIZE = 2048
CACHE_SIZE = 4096


class _InclusiveKeyset(Pager):
    """`<=` where `<` belongs: the last row of a page opens the next one again."""

    def after(self, sort: SortSpec, key: str, row_id: str) -> tuple[str, list[str]]:
        op, op_id = ("<", "<=") if sort.descending else (">", ">=")
        return (f"({sort.column} {op} ? OR ({sort.column} = ? AND {sort.id_column} {op_id} ?))", [key, key, row_id])


class _NoTieBreak(Pager):
    """Orders and seeks on the sort key alone: rows sharing a timestamp or name get skipped between pages."""

    def order_by(self, sort: SortSpec) -> str:
        return f"{sort.column} {'DESC' if sort.descending else 'ASC'}"

    def after(self, sort: SortSpec, key: str, row_id: str) -> tuple[str, list[str]]:
        return f"{sort.column} {'<' if sort.descending else '>'} ?", [key]


class _HasMoreWhenNotEmpty(Pager):
    """`hasMore = bool(items)`: the last page still offers a cursor, which leads to an empty page."""

    def page(self, rows: Any, limit: int, cursor_of: Callable[[sqlite3.Row], str]) -> Page:
        items = list(rows[:limit])
        return Page(items, cursor_of(items[-1]) if items else None, bool(items))


class _FixedDefaultLimit(Pager):
    """One default page size for every listing."""

    def __init__(self, default: int) -> None:
        self.fixed_default = default

    def parse_limit(self, raw: str | None, *, default: int, maximum: int) -> int:
        return super().parse_limit(raw, default=self.fixed_default, maximum=maximum)


class _LimitClampedTo50(Pager):
    """A stale constant: pages never exceed 50 whatever `limit` asks (and 100 is allowed)."""

    def parse_limit(self, raw: str | None, *, default: int, maximum: int) -> int:
        return min(50, super().parse_limit(raw, default=default, maximum=maximum))


class _LimitMaxUnchecked(Pager):
    def parse_limit(self, raw: str | None, *, default: int, maximum: int) -> int:
        return super().parse_limit(raw, default=default, maximum=10**6)


class _SortParamIgnored(Pager):
    """Validates `sort` and echoes it, but always orders by creation date."""

    def resolve_sort(self, raw: str | None, allowed: Any, default: SortSpec) -> SortSpec:
        chosen = super().resolve_sort(raw, allowed, default)
        return replace(default, name=chosen.name)


class _PageOffsetOffByOne(Pager):
    def offset(self, page: int, limit: int) -> int:
        return page * limit


PAGER_FAULTS: tuple[Fault, ...] = (
    Fault(
        "cursor-off-by-one",
        ("PAGE-04",),
        "the next page starts with the previous page's last item",
        swap("pager", _InclusiveKeyset()),
    ),
    Fault(
        "cursor-ties-unbroken",
        ("PAGE-04", "PAGE-05"),
        "pages are ordered and cut on the sort key alone: rows sharing it are skipped",
        swap("pager", _NoTieBreak()),
    ),
    Fault(
        "has-more-on-last-page",
        ("PAGE-04",),
        "the last page says hasMore: true with a cursor to an empty page",
        swap("pager", _HasMoreWhenNotEmpty()),
    ),
    Fault(
        "default-limit-20",
        ("PAGE-01", "PAGE-10"),
        "contacts and groups default to 20 per page instead of 50",
        swap("pager", _FixedDefaultLimit(20)),
    ),
    Fault(
        "default-limit-50",
        ("PAGE-11", "BILL-10"),
        "bulk jobs, messages and payments default to 50 per page",
        swap("pager", _FixedDefaultLimit(50)),
    ),
    Fault(
        "limit-capped-at-50",
        ("PAGE-02",),
        "limit=100 is accepted but pages stop at 50 items",
        swap("pager", _LimitClampedTo50()),
    ),
    Fault(
        "limit-max-unenforced",
        ("PAGE-03", "PAGE-02", "PAGE-10"),  # PAGE-03 is INFO; the page echoing limit 101 breaks "max 100"
        "limit above 100 is served in full instead of refused",
        swap("pager", _LimitMaxUnchecked()),
    ),
    Fault(
        "name-sort-ignored",
        ("PAGE-06",),
        "sort=name_asc is echoed but the contacts come newest first",
        swap("pager", _SortParamIgnored()),
    ),
    Fault(
        "search-case-sensitive",
        ("PAGE-09",),
        "search matches case-sensitively",
        swap("search", function="cs_contains"),
    ),
    Fault(
        "groups-search-name-only",
        ("PAGE-10",),
        "group search ignores the description",
        lambda p: swap("search", fields={**p.search.fields, "groups": ("name",)})(p),
    ),
    Fault(
        "messages-status-filter-ignored",
        ("PAGE-12",),
        "GET /api/v1/messages?status= returns every status",
        swap("message_filters", MessageFilters(by_status=False)),
    ),
    Fault(
        "messages-instance-filter-ignored",
        ("PAGE-13",),
        "GET /api/v1/messages?instanceId= returns every instance",
        swap("message_filters", MessageFilters(by_instance=False)),
    ),
    Fault(
        "payments-page-off-by-one",
        ("PAGE-15",),
        "page N of payments starts at item N*limit (page 1 skips a page)",
        swap("pager", _PageOffsetOffByOne()),
    ),
)


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


class _HasMoreAsCount(Pager):
    def page(self, rows: Sequence[sqlite3.Row], limit: int, cursor_of: Callable[[sqlite3.Row], str]) -> Page:
        found = super().page(rows, limit, cursor_of)
        return replace(found, has_more=max(0, len(rows) - limit))  # type: ignore[arg-type]


class _TrustingCursorCodec(Pager):
    """Decodes without guarding: malformed base64 or text raises out of the handler (500)."""

    def decode(self, cursor: str, sort: SortSpec) -> tuple[str, str]:
        text = cursor.strip()
        decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8")
        key, _, row_id = decoded.rpartition("|")
        return key, row_id.lower()


CURSOR_FAULTS: tuple[Fault, ...] = (
    Fault(
        "cursor-from-lookahead-row",
        ("PAGE-04",),
        "the next cursor names the row after the page, so each page boundary loses one item",
        swap("pager", _LookaheadCursor()),
    ),
    Fault(
        "has-more-on-full-last-page",
        ("PAGE-04",),
        "hasMore is true whenever a page is full: a full last page leads to an empty one",
        swap("pager", _FullPageHasMore()),
    ),
    Fault(
        "cursor-offset-based",
        ("PAGE-04", "PAGE-05"),
        "the cursor is a row offset: a delete behind it skips an item, a create ahead of it repeats one",
        swap("pager", _OffsetCursor()),
    ),
    Fault(
        "sort-switch-seeks-created-at",
        ("PAGE-08",),
        "a createdAt cursor reused under sort=name_asc seeks on createdAt but orders by name",
        swap("pager", _SeekColumnFromCursor()),
    ),
    Fault(
        "page-cache-ignores-workspace",
        ("TEAM-10", "ERR-02"),
        "pages are cached by cursor without the workspace: another workspace's cursor returns its page",
        lambda p: swap("pager", _PageCacheByCursor())(p),  # one cache per server
    ),
    Fault(
        "has-more-as-count",
        ("ENV-05",),
        "cursor pages say how many rows follow (hasMore: 1, 0) instead of true/false",
        swap("pager", _HasMoreAsCount()),
    ),
    Fault(
        "unissued-cursor-crashes",
        ("ERR-10",),
        "a cursor the server never issued crashes the listing (500) instead of 400 VALIDATION_ERROR",
        swap("pager", _TrustingCursorCodec()),
    ),
)


FAULTS: tuple[Fault, ...] = (*PAGER_FAULTS, *CURSOR_FAULTS)
