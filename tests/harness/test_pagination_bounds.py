"""The pagination suites' bounds grow with the target: a walk of a target used before (hundreds of messages
after a soak's runs) asks no limit above the maximum and follows a cursor as far as the order goes."""

from __future__ import annotations

import httpx
from hypothesis import given

from suites.pagination.consistency import CONTINUE_PAGES, check_consistent_page, refused_or_page
from suites.pagination.findings import Findings
from suites.pagination.listings import MAX_LIMIT, MESSAGES
from suites.pagination.strategies import boundary_limits, limits_near, smallest_limit


def test_the_smallest_limit_never_passes_the_maximum() -> None:
    assert smallest_limit(687, 6) == MAX_LIMIT  # was 115: a 400, reported as a PAGE-13 violation
    assert smallest_limit(10, 6) == 2
    assert all(limit <= MAX_LIMIT for limit in boundary_limits(687, 6))


@given(limits_near(687, 6))
def test_generated_limits_stay_within_the_maximum(limit: int) -> None:
    assert 1 <= limit <= MAX_LIMIT


def _messages(count: int) -> httpx.Client:
    """A well-behaved message listing of `count` items: the cursor is the index of the next one."""
    ids = [f"m{n}" for n in range(count)]

    def answer(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("cursor", "0"))
        limit = int(request.url.params["limit"])
        chunk = ids[start:start + limit]
        more = start + limit < count
        return httpx.Response(200, json={"data": {"messages": [{"id": i} for i in chunk], "hasMore": more,
                                                  "nextCursor": str(start + limit) if more else None}})

    return httpx.Client(base_url="http://target.test", transport=httpx.MockTransport(answer))


def test_following_a_cursor_takes_as_many_pages_as_the_order_holds() -> None:
    count = CONTINUE_PAGES * 3  # limit=1: three times the old fixed bound of pages
    client, findings = _messages(count), Findings("a reused cursor")
    page = refused_or_page(client.get(MESSAGES.path, params={"limit": 1, "cursor": "5"}), MESSAGES, findings,
                           ("PAGE-12",), ("PAGE-12",))
    assert page is not None
    check_consistent_page(client, MESSAGES, page, {}, 1, [f"m{n}" for n in range(count)], findings, ("PAGE-12",))
    assert not findings, findings.messages()


def test_a_cursor_that_never_ends_is_still_a_finding() -> None:
    """The positive control: a listing that repeats its last page forever does not end the walk."""
    def endless(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": {"messages": [{"id": "m1"}], "hasMore": True, "nextCursor": "1"}})

    client, findings = httpx.Client(base_url="http://t.test", transport=httpx.MockTransport(endless)), Findings("x")
    page = refused_or_page(client.get(MESSAGES.path, params={"limit": 1}), MESSAGES, findings, ("PAGE-12",),
                           ("PAGE-12",))
    assert page is not None
    check_consistent_page(client, MESSAGES, page, {}, 1, ["m0", "m1", "m2"], findings, ("PAGE-12",))
    assert findings
