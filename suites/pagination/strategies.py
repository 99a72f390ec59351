"""Hypothesis strategies of the walks: a `limit` near the page boundaries of a subset's size, and the
garbage a client might send as a cursor."""

from __future__ import annotations

import base64
import math
import uuid

from hypothesis import strategies as st

from suites.pagination.listings import MAX_LIMIT


def boundary_limits(size: int, max_pages: int) -> list[int]:
    """Limits that put a page boundary at, just before or just after the end of `size` items, for walks of
    1 to `max_pages` pages."""
    floor = max(1, math.ceil(size / max_pages))
    found = set()
    for pages in range(1, max_pages + 1):
        for limit in (size // pages - 1, size // pages, size // pages + 1, math.ceil(size / pages)):
            if floor <= limit <= MAX_LIMIT:
                found.add(limit)
    return sorted(found) or [min(MAX_LIMIT, max(1, size))]


def smallest_limit(size: int, max_pages: int) -> int:
    """The smallest page size that walks `size` items in at most `max_pages` pages, never above the maximum
    (a soak's fourteenth run on one server asked limit=115 for 687 messages in 6 pages: a 400, not a walk)."""
    return min(MAX_LIMIT, max(1, math.ceil(size / max_pages)))


def limits_near(size: int, max_pages: int) -> st.SearchStrategy[int]:
    """Mostly a boundary limit, sometimes any limit that keeps the walk within `max_pages` pages."""
    floor = smallest_limit(size, max_pages)
    return st.one_of(st.sampled_from(boundary_limits(size, max_pages)), st.integers(floor, MAX_LIMIT))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def tampered_cursors(real: str, foreign_ids: list[str]) -> st.SearchStrategy[str]:
    """What a careless or hostile client sends: the real cursor cut, with a character changed or appended,
    re-encoded around another item's id (ours or another workspace's), plain garbage."""
    cut = st.integers(1, max(1, len(real) - 1)).map(lambda n: real[:n])
    changed = st.tuples(st.integers(0, max(0, len(real) - 1)), st.sampled_from("AZaz09-_+/=%.")).map(
        lambda spot: real[: spot[0]] + spot[1] + real[spot[0] + 1:])
    appended = st.text(alphabet="A-Za-z0-9=!", min_size=1, max_size=4).map(lambda tail: real + tail)
    stamp = st.sampled_from(["2026-04-01T10:00:00.000Z", "1970-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z"])
    some_id = st.sampled_from(foreign_ids) if foreign_ids else st.uuids().map(str)
    crafted = st.tuples(st.one_of(stamp, st.text(max_size=12)), st.one_of(some_id, st.uuids().map(str))).map(
        lambda parts: _b64(f"{parts[0]}|{parts[1]}".encode()))
    garbage = st.one_of(st.text(min_size=1, max_size=40), st.binary(min_size=1, max_size=40).map(_b64),
                        st.just(str(uuid.uuid4())), st.just("null"), st.just("%00"), st.just("=" * 8))
    return st.one_of(cut, changed, appended, crafted, garbage).filter(lambda c: c != real and c.strip() != "")
