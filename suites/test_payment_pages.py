"""Payment history pages (PAGE-15): `GET /api/v1/billing/payments?page=2`, given more than 20 payments, is the
second page of a page/limit pagination — `total`, `page`, `totalPages`, 20 a page by default (BILL-10), newest
first, page 1 and page 2 splitting the history with no payment twice and none skipped.

An account gets payments only from the payment provider, so the check runs only on a sandbox: its
`POST /__sandbox/payments {user, count}` records enough payments for the outsider (a personal key, which may
read its own billing) to reach 21, and every payment it recorded is deleted as soon as the check is done.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from fixtures.assertions import check, expect_ok
from fixtures.clients import Actor, Harness
from fixtures.errors import HarnessError, not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.profile import TargetProfile
from suites.areas.common import require_sandbox
from suites.areas.sandbox import SANDBOX_CREDENTIAL, control

pytestmark = pytest.mark.serial  # checked alone: completes checkouts

PAYMENTS = "/api/v1/billing/payments"
CONTROL = "/__sandbox/payments"
DEFAULT_LIMIT = 20  # documented page size of the payment history
WANTED = DEFAULT_LIMIT + 1  # the smallest history with a second page
MOST = 2 * DEFAULT_LIMIT  # a history the two pages hold entirely


def _page(actor: Actor, **params: Any) -> dict[str, Any]:
    data = expect_ok(actor.api.get(PAYMENTS, params=params), guarantee="PAGE-15")
    check(isinstance(data, dict) and isinstance(data.get("payments"), list),
          f"GET {PAYMENTS}?{params}: data.payments is not an array", guarantee="PAGE-15")
    return data


def _ids(page: dict[str, Any]) -> list[Any]:
    return [p.get("id") if isinstance(p, dict) else None for p in page["payments"]]


def _record(harness: Harness, factory: DataFactory, email: str, count: int) -> None:
    """The provider's payments as the sandbox plays them; the factory's scope deletes each one."""
    made = control(harness, "POST", CONTROL, {"user": email, "count": count})
    ids = made.get("ids") if isinstance(made, dict) else None
    if not isinstance(ids, list) or len(ids) != count:
        raise HarnessError(f"POST {CONTROL}: expected {count} payment ids, got {ids!r}")
    sandbox = harness.client(SANDBOX_CREDENTIAL)
    for pid in ids:
        factory.track(sandbox, "payment", f"{CONTROL}/{pid}", pid)


def _page_problems(page: dict[str, Any], number: int, total: int) -> list[str]:
    where = f"page {number}"
    size = min(DEFAULT_LIMIT, total - (number - 1) * DEFAULT_LIMIT)
    problems = [f"{where}: {name} is {page.get(name)!r}, expected {value}"
                for name, value in (("page", number), ("total", total),
                                    ("totalPages", math.ceil(total / DEFAULT_LIMIT)))
                if page.get(name) != value]
    if len(page["payments"]) != size:
        problems.append(f"{where}: {len(page['payments'])} payments, expected {size}")
    return problems


def _split_problems(first: dict[str, Any], second: dict[str, Any], total: int) -> list[str]:
    """Pages 1 and 2 of a history of at most 40: every payment once, newest first across the two."""
    ids = _ids(first) + _ids(second)
    problems = [] if len(set(ids)) == len(ids) == total else [
        f"the two pages hold {len(set(ids))} distinct payments of {total}"]
    stamps = [p.get("createdAt") if isinstance(p, dict) else None for p in first["payments"] + second["payments"]]
    if all(isinstance(t, str) for t in stamps) and stamps != sorted(stamps, reverse=True):
        problems.append("page 1 then page 2 is not newest first")
    return problems


@pytest.mark.guarantee("PAGE-15")
def test_second_page_of_the_payment_history(outsider: Actor, harness: Harness, profile: TargetProfile,
                                            factory: DataFactory) -> None:
    require_sandbox(profile, "recording payments (the payment provider's part)")
    if outsider.email is None:
        not_covered("needs the outsider's e-mail (the sandbox payments control names accounts by e-mail)")
    if factory.read_only:
        not_covered("the profile is read_only (safety.read_only = true): this check records payments")
    start = _page(outsider).get("total")
    if not isinstance(start, int) or start > MOST:
        not_covered(f"the outsider's payment total is {start!r}: not a history two pages hold")
    with factory.scoped():  # the payments go at once: the outsider's other checks see its usual history
        if start < WANTED:
            _record(harness, factory, outsider.email, WANTED - start)
        total = max(start, WANTED)
        first, second = _page(outsider, page=1), _page(outsider, page=2)
    problems = _page_problems(first, 1, total) + _page_problems(second, 2, total)
    problems += _split_problems(first, second, total)
    check(not problems, f"GET {PAYMENTS}?page=1|2 over {total} payments: " + "; ".join(problems),
          guarantee="PAGE-15")
