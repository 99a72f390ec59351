"""Templates are listed by page and limit, not by cursor (PAGE-14, guides/templates): `page` from 1 (the
default), `limit` 20 by default and at most 100.

The run makes 21 templates through the factory (more than one default page, deleted at the end), then reads
the list at the documented sizes. Items are read at `data.templates` (G7); `page` and `limit` echoes are
checked only where the answer carries them. A `limit` above 100 may be refused or clamped (decisions #6);
a page that holds or claims more than 100 is a violation.
"""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from fixtures.assertions import body_excerpt, check, expect_error, expect_ok
from fixtures.checks import json_body
from fixtures.clients import Actor
from fixtures.factories import DataFactory
from msgflash_compliance.profile import TargetProfile
from suites.areas.common import require_writes

pytestmark = pytest.mark.serial  # checked alone: pages through a whole listing by number

TEMPLATES = "/api/v1/templates"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MADE = DEFAULT_LIMIT + 1  # more than one default page
CURSOR_FIELDS = ("nextCursor", "hasMore", "cursor")


@pytest.fixture(scope="module")
def made(owner: Actor, factory: DataFactory, profile: TargetProfile) -> frozenset[str]:
    """The ids of the templates this module made (the workspace may hold others)."""
    require_writes(profile)
    return frozenset(factory.template(owner.api)["id"] for _ in range(MADE))


def _page(owner: Actor, params: dict[str, int]) -> tuple[dict[str, Any], list[str]]:
    """One page: its `data` and the ids of its templates, in order."""
    where = f"GET {TEMPLATES}" + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
    data = expect_ok(owner.api.get(TEMPLATES, params=params), guarantee="PAGE-14")
    rows = data.get("templates") if isinstance(data, dict) else None
    check(isinstance(rows, list) and all(isinstance(r, dict) and isinstance(r.get("id"), str) for r in rows),
          f"{where}: data.templates is not a list of templates", guarantee="PAGE-14")
    return data, [r["id"] for r in rows]


def _check_echo(data: dict[str, Any], where: str, page: int, limit: int) -> None:
    echoed = {k: data[k] for k in ("page", "limit") if k in data}
    expected = {k: v for k, v in (("page", page), ("limit", limit)) if k in echoed}
    check(echoed == expected, f"{where}: the page says {echoed}, expected {expected}", guarantee="PAGE-14")


@pytest.mark.guarantee("PAGE-14")
def test_templates_are_paged_by_page_and_limit(owner: Actor, made: frozenset[str]) -> None:
    everything, all_ids = _page(owner, {"limit": MAX_LIMIT})
    _check_echo(everything, f"GET {TEMPLATES}?limit={MAX_LIMIT}", 1, MAX_LIMIT)
    check(len(all_ids) <= MAX_LIMIT, f"GET {TEMPLATES}?limit={MAX_LIMIT}: {len(all_ids)} templates on one page",
          guarantee="PAGE-14")
    complete = len(all_ids) < MAX_LIMIT  # the whole list fits on that page
    if complete:
        check(made <= set(all_ids), f"GET {TEMPLATES}?limit={MAX_LIMIT}: {len(all_ids)} templates, "
              f"{len(made - set(all_ids))} of the {MADE} this run made are missing", guarantee="PAGE-14")
    total = len(all_ids) if complete else everything.get("total")

    first, first_ids = _page(owner, {})
    _check_echo(first, f"GET {TEMPLATES}", 1, DEFAULT_LIMIT)
    check(len(first_ids) == DEFAULT_LIMIT, f"GET {TEMPLATES} without page or limit: {len(first_ids)} templates; "
          f"the default page holds {DEFAULT_LIMIT} (the workspace has {total or 'more than 20'})",
          guarantee="PAGE-14")
    cursors = [k for k in CURSOR_FIELDS if k in first]
    check(not cursors, f"GET {TEMPLATES}: the page carries cursor fields {cursors}; templates are paged by page "
          "and limit", guarantee="PAGE-14")
    _, explicit_ids = _page(owner, {"page": 1, "limit": DEFAULT_LIMIT})
    check(explicit_ids == first_ids, f"GET {TEMPLATES}?page=1&limit={DEFAULT_LIMIT} differs from the default "
          "page: page 1 is the default", guarantee="PAGE-14")

    second, second_ids = _page(owner, {"page": 2, "limit": DEFAULT_LIMIT})
    _check_echo(second, f"GET {TEMPLATES}?page=2&limit={DEFAULT_LIMIT}", 2, DEFAULT_LIMIT)
    repeated = set(first_ids) & set(second_ids)
    check(not repeated, f"GET {TEMPLATES}?page=2&limit={DEFAULT_LIMIT} repeats {len(repeated)} templates of "
          "page 1", guarantee="PAGE-14")
    if isinstance(total, int):
        expected = max(0, min(DEFAULT_LIMIT, total - DEFAULT_LIMIT))
        check(len(second_ids) == expected, f"GET {TEMPLATES}?page=2&limit={DEFAULT_LIMIT}: {len(second_ids)} "
              f"templates, expected {expected} of {total}", guarantee="PAGE-14")
    if complete and len(all_ids) <= 2 * DEFAULT_LIMIT:
        lost = set(all_ids) - set(first_ids) - set(second_ids)
        check(not lost, f"pages 1 and 2 of {DEFAULT_LIMIT} leave out {len(lost)} of the {len(all_ids)} "
              f"templates (expected {math.ceil(len(all_ids) / DEFAULT_LIMIT)} pages to hold them all)",
              guarantee="PAGE-14")


def _served_page(response: httpx.Response) -> tuple[int, Any]:
    """(templates on the page, the limit it says it has) of a 200 answer."""
    body = json_body(response)
    data = body.get("data") if isinstance(body, dict) else None
    rows = data.get("templates") if isinstance(data, dict) else None
    return len(rows) if isinstance(rows, list) else 0, data.get("limit") if isinstance(data, dict) else None


@pytest.mark.guarantee("PAGE-14")
def test_limit_above_the_maximum_is_refused_or_clamped(owner: Actor) -> None:
    response = owner.api.get(TEMPLATES, params={"limit": MAX_LIMIT + 1})
    where = f"GET {TEMPLATES}?limit={MAX_LIMIT + 1}"
    if response.status_code != 200:
        expect_error(response, range(400, 500), None, guarantee="PAGE-14")  # refused (400 VALIDATION_ERROR: G17)
        return
    count, limit = _served_page(response)
    check(count <= MAX_LIMIT and (limit is None or (isinstance(limit, int) and limit <= MAX_LIMIT)),
          f"{where} answered 200 with {count} templates and limit {limit!r}: the maximum is {MAX_LIMIT}; "
          f"body: {body_excerpt(response)}", guarantee="PAGE-14")
