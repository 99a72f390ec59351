"""How much the pagination suites create and how many examples they run, per suite level.

Creating data costs requests at 10/s per key, so the pools are made once per module and reused by every
example. `MSGFLASH_PAGINATION_CONTACTS` sets the contact pool (default 56 in full, more than one default
page of 50), `MSGFLASH_PAGINATION_EXAMPLES` the examples per walk property, and
`MSGFLASH_PAGINATION_STATEFUL_REQUESTS` the request budget of the concurrent-write state machine (600).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

import pytest

from suites.key_scoping.level import suite_level


@dataclass(frozen=True)
class Sizes:
    contacts: int  # paced creates of the walk pool (more than 50: PAGE-01 needs a full default page)
    bursts: int  # rounds of simultaneous creates (createdAt ties)
    burst_size: int
    groups: int  # more than 20: a default page of 20 would show
    member_calls: int  # add-members calls (each call: one shared addedAt)
    jobs_wanted: int  # bulk jobs the workspace should hold (more than the default page of 20)
    own_jobs: int  # jobs made by the run even when the workspace has enough
    examples: int  # Hypothesis examples per walk property
    max_pages: int  # pages one generated walk may take
    stateful_examples: int
    stateful_steps: int
    stateful_requests: int  # the state machine's request budget


FULL = Sizes(contacts=56, bursts=2, burst_size=7, groups=22, member_calls=3, jobs_wanted=21, own_jobs=3,
             examples=8, max_pages=6, stateful_examples=4, stateful_steps=25, stateful_requests=600)
SMOKE = Sizes(contacts=52, bursts=1, burst_size=7, groups=22, member_calls=2, jobs_wanted=21, own_jobs=2,
              examples=3, max_pages=4, stateful_examples=2, stateful_steps=15, stateful_requests=600)


def _env_int(name: str, default: int, low: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise pytest.UsageError(f"{name}={raw!r}: expected a whole number") from None
    if value < low:
        raise pytest.UsageError(f"{name}={value}: expected at least {low}")
    return value


def sizes_for(config: pytest.Config) -> Sizes:
    base = SMOKE if suite_level(config) == "smoke" else FULL
    return replace(
        base,
        contacts=_env_int("MSGFLASH_PAGINATION_CONTACTS", base.contacts, 10),
        examples=_env_int("MSGFLASH_PAGINATION_EXAMPLES", base.examples, 1),
        stateful_requests=_env_int("MSGFLASH_PAGINATION_STATEFUL_REQUESTS", base.stateful_requests, 50),
    )
