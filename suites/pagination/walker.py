"""Following `nextCursor`: one page at a time, each page kept with what it said about the next one.

A walk stops when a page says it is the last (`hasMore` false or `nextCursor` null), when a page is not a
page (status, shape: recorded as findings), or after `max_pages` (a walk that never ends is a finding too).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from fixtures.assertions import body_excerpt
from fixtures.checks import cursor_page_problems, json_body
from suites.pagination.findings import Findings
from suites.pagination.listings import SHAPE, Listing


@dataclass(frozen=True)
class PageView:
    number: int  # 1-based
    status: int
    data: dict[str, Any]
    items: list[dict[str, Any]]
    next_cursor: Any
    has_more: Any

    @property
    def ids(self) -> list[str]:
        return [item.get("id") for item in self.items]  # type: ignore[misc]


@dataclass
class Walk:
    listing: Listing
    params: dict[str, Any]
    limit: int | None
    pages: list[PageView] = field(default_factory=list)
    ended: bool = False  # a page said it was the last
    broken: bool = False  # a page was not a page (already a finding)

    @property
    def items(self) -> list[dict[str, Any]]:
        return [item for page in self.pages for item in page.items]

    @property
    def ids(self) -> list[str]:
        return [item.get("id") for item in self.items]  # type: ignore[misc]

    def describe(self) -> str:
        shown = {k: v for k, v in self.params.items() if k != "cursor"}
        query = " ".join(f"{k}={v}" for k, v in shown.items())
        return f"GET {self.listing.path} {query} limit={self.limit}".rstrip()


def read_page(response: httpx.Response, listing: Listing, number: int, findings: Findings,
              walk_ids: tuple[str, ...]) -> PageView | None:
    """The page in `response`, or None (with a finding) when it is not a 200 cursor page."""
    where = f"page {number}"
    if response.status_code != 200:
        findings.add(walk_ids or SHAPE, f"{where} answered {response.status_code}: {body_excerpt(response)}")
        return None
    body = json_body(response)
    data = body.get("data") if isinstance(body, dict) else None
    problems = cursor_page_problems(data, listing.items_key)
    if problems:
        findings.add(SHAPE, f"{where}: {'; '.join(problems)}: {body_excerpt(response)}")
        return None
    items = data[listing.items_key]
    if not all(isinstance(i, dict) for i in items):
        findings.add(SHAPE, f"{where}: an item of data.{listing.items_key} is not an object")
        return None
    if not all(isinstance(i.get("id"), str) for i in items):
        findings.add(SHAPE, f"{where}: an item of data.{listing.items_key} has no string id")
        return None
    return PageView(number, 200, data, items, data["nextCursor"], data["hasMore"])


def pages(client: httpx.Client, listing: Listing, params: Mapping[str, Any], *, limit: int | None,
          findings: Findings, walk_ids: tuple[str, ...], path: str | None = None,
          first_cursor: str | None = None) -> Iterator[PageView]:
    """Yield the pages of one walk as they come (callers may write between two pages)."""
    query = {k: v for k, v in params.items() if v is not None}
    if limit is not None:
        query["limit"] = limit
    if first_cursor is not None:
        query["cursor"] = first_cursor
    number = 1
    while True:
        page = read_page(client.get(path or listing.path, params=query), listing, number, findings, walk_ids)
        if page is None:
            return
        yield page
        if not page.has_more or not page.next_cursor:
            return
        query["cursor"] = page.next_cursor
        number += 1


def walk(client: httpx.Client, listing: Listing, params: Mapping[str, Any], *, limit: int | None,
         max_pages: int, findings: Findings, walk_ids: tuple[str, ...], path: str | None = None,
         first_cursor: str | None = None) -> Walk:
    """Follow the cursor from the first page (or from `first_cursor`) to the last, at most `max_pages`."""
    done = Walk(listing, dict(params), limit)
    for page in pages(client, listing, params, limit=limit, findings=findings, walk_ids=walk_ids, path=path,
                      first_cursor=first_cursor):
        done.pages.append(page)
        if not page.has_more or not page.next_cursor:
            done.ended = True
            return done
        if len(done.pages) >= max_pages:
            findings.add(walk_ids, f"the walk did not end after {max_pages} pages "
                         f"(page {max_pages} still says hasMore: true)")
            return done
    done.broken = True
    return done
