"""Every wait has a deadline: a job, lookup or campaign that never reaches its end state makes the check
broken (HarnessError, "the target is too slow"), never a hang and never a failed verdict."""

from __future__ import annotations

import json

import httpx
import pytest

from fixtures.errors import HarnessError
from suites.areas.common import ended, poll


def test_a_job_that_never_ends_breaks_the_check_after_its_polls() -> None:
    polls: list[str] = []

    def processing(request: httpx.Request) -> httpx.Response:
        polls.append(request.url.path)
        return httpx.Response(200, json={"data": {"id": "j1", "status": "processing", "progress": 10}})

    client = httpx.Client(base_url="http://target.test", transport=httpx.MockTransport(processing))
    with pytest.raises(HarnessError, match=r"GET /api/v1/contacts/bulk-jobs/j1: still 'processing' after 5 polls"):
        poll(client, "/api/v1/contacts/bulk-jobs/j1", until=ended, guarantee="BULK-01", max_polls=5)
    assert polls == ["/api/v1/contacts/bulk-jobs/j1"] * 5


def test_a_job_that_ends_returns_every_answer_seen() -> None:
    answers = iter(["processing", "processing", "done"])

    def progressing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps({"data": {"status": next(answers)}}),
                              headers={"content-type": "application/json"})

    client = httpx.Client(base_url="http://target.test", transport=httpx.MockTransport(progressing))
    seen = poll(client, "/j", until=ended, guarantee="BULK-01", max_polls=5)
    assert [s["status"] for s in seen] == ["processing", "processing", "done"]
