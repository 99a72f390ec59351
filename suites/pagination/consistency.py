"""What a server may answer to a cursor it did not issue for this request (another sort, another filter,
another workspace, a tampered string): a 4xx with the error envelope, or a page consistent with the request
as it stands. Never a 5xx, never another workspace's items, never duplicates or gaps presented as valid.

A page is consistent when its items are a contiguous run of the request's own order (the reference: the
same request walked without the foreign cursor) and following its cursor yields exactly the rest of that
order.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from typing import Any

import httpx

from fixtures.assertions import body_excerpt
from fixtures.checks import error_envelope, json_body
from suites.pagination.findings import Findings
from suites.pagination.listings import Listing
from suites.pagination.walker import PageView, read_page, walk

CONTINUE_PAGES = 30  # at least; a longer rest of the order gets the pages it needs, plus two


def refused_or_page(answer: httpx.Response, listing: Listing, findings: Findings, ids: tuple[str, ...],
                    envelope_ids: tuple[str, ...]) -> PageView | None:
    """None when the answer refuses (a 4xx: it must carry the error envelope) or is broken (a finding);
    the page when it is one."""
    if answer.status_code >= 500:
        findings.add(ids, f"answered {answer.status_code}: {body_excerpt(answer)}")
        return None
    if 400 <= answer.status_code < 500:
        if error_envelope(json_body(answer)) is None:
            findings.add(envelope_ids, f"answered {answer.status_code} without the error envelope: "
                         f"{body_excerpt(answer)}")
        return None
    return read_page(answer, listing, 1, findings, ids)


def check_no_foreign_items(page: PageView, foreign: Collection[str], findings: Findings,
                           ids: tuple[str, ...], whose: str) -> None:
    leaked = [i for i in page.ids if i in foreign]
    if leaked:
        findings.add(ids, f"the page holds {len(leaked)} of {whose}'s items: {', '.join(leaked[:3])}")


def check_consistent_page(client: httpx.Client, listing: Listing, page: PageView, params: dict[str, Any],
                          limit: int, reference: Sequence[str], findings: Findings, ids: tuple[str, ...],
                          *, path: str | None = None) -> None:
    """The page is a contiguous run of `reference`, and the walk from its cursor gives exactly the rest."""
    outside = [i for i in page.ids if i not in reference]
    if outside:
        findings.add(ids, f"the page holds {len(outside)} item(s) the request does not match: "
                     f"{', '.join(outside[:3])}")
        return
    if not page.ids:
        if page.has_more:
            findings.add(ids, "an empty page says hasMore: true")
        return
    start = reference.index(page.ids[0])
    if list(page.ids) != list(reference[start:start + len(page.ids)]):
        findings.add(ids, f"the page is not a run of the request's order: it lists {len(page.ids)} items from "
                     f"positions {[reference.index(i) + 1 for i in page.ids]} of {len(reference)}")
        return
    rest: list[str] = []
    if page.has_more and page.next_cursor:
        remaining = len(reference) - start - len(page.ids)
        pages = max(CONTINUE_PAGES, math.ceil(remaining / limit) + 2)
        more = walk(client, listing, params, limit=limit, max_pages=pages, findings=findings,
                    walk_ids=ids, path=path, first_cursor=page.next_cursor)
        rest = more.ids
    elif start + len(page.ids) < len(reference):
        findings.add(ids, f"the page says it is the last, but {len(reference) - start - len(page.ids)} item(s) "
                     "of the request's order follow it")
        return
    if list(page.ids) + rest != list(reference[start:]):
        findings.add(ids, "following the page's cursor does not give exactly the rest of the request's order "
                     "(duplicates or gaps)")
