"""Every wait has a deadline: a job, lookup or campaign that never reaches its end state makes the check
broken (HarnessError, "the target is too slow"), never a hang and never a failed verdict."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from fixtures.errors import HarnessError
from suites.areas.common import ended, poll


def test_a_job_that_never_ends_breaks_the_check_at_its_deadline() -> None:
    polls: list[str] = []

    def processing(request: httpx.Request) -> httpx.Response:
        polls.append(request.url.path)
        return httpx.Response(200, json={"data": {"id": "j1", "status": "processing", "progress": 10}})

    client = httpx.Client(base_url="http://target.test", transport=httpx.MockTransport(processing))
    started = time.monotonic()
    with pytest.raises(HarnessError, match=r"GET /api/v1/contacts/bulk-jobs/j1: still 'processing' after 0\.[45]\d* s "
                       r"\(\d+ polls\); the target is too slow"):
        poll(client, "/api/v1/contacts/bulk-jobs/j1", until=ended, guarantee="BULK-01", deadline=0.4)
    took = time.monotonic() - started
    assert 0.4 <= took < 1.0
    # Spaced polls: 0.05 s growing by half each time, not a request per throttle slot.
    assert 4 <= len(polls) <= 7


def test_a_fast_pace_does_not_shorten_the_wait() -> None:
    """80 polls were 1.6 s at 50 requests per second: the deadline is in seconds whatever the pace."""
    answers = iter(["processing"] * 5 + ["done"])

    def slow_job(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": {"status": next(answers)}})

    client = httpx.Client(base_url="http://target.test", transport=httpx.MockTransport(slow_job))
    seen = poll(client, "/j", until=ended, guarantee="BULK-01", deadline=30.0)
    assert [s["status"] for s in seen][-1] == "done"


def test_a_job_that_ends_returns_every_answer_seen() -> None:
    answers = iter(["processing", "processing", "done"])

    def progressing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps({"data": {"status": next(answers)}}),
                              headers={"content-type": "application/json"})

    client = httpx.Client(base_url="http://target.test", transport=httpx.MockTransport(progressing))
    seen = poll(client, "/j", until=ended, guarantee="BULK-01", deadline=5.0)
    assert [s["status"] for s in seen] == ["processing", "processing", "done"]
