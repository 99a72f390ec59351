"""Answers the environment gives instead of the API: the transport chain makes them a broken check (never a
failed one), retrying only idempotent requests, a bounded number of times; a stop asked by a signal lands at
a request boundary; the run's wall-clock limit stops it like a spent budget."""

from __future__ import annotations

import httpx
import pytest

from fixtures.errors import BudgetExhausted, RunTimeLimit, TargetBroken
from fixtures.transports import EXPECTS_429, RequestBudget, build_transport, not_the_api
from msgflash_compliance.interrupts import StopRequests

HTML = httpx.Headers({"content-type": "text/html"})


def client_answering(answer: httpx.Response, calls: list[str], stop: StopRequests | None = None) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    transport = build_transport(credential="test", bucket=None, budget=None, evidence=None,
                                base=httpx.MockTransport(handler), retry_sleep=lambda s: None, stop=stop)
    return httpx.Client(base_url="http://target.test", transport=transport)


def test_an_html_page_with_status_200_breaks_a_read_after_bounded_retries() -> None:
    calls: list[str] = []
    client = client_answering(httpx.Response(200, headers=HTML, content=b"<html>sign in</html>"), calls)
    with pytest.raises(TargetBroken, match=r"GET /api/v1/me: the target answered text/html, not the API "
                                           r"\(HTTP 200, 20 bytes\) after 3 attempts"):
        client.get("/api/v1/me")
    assert calls == ["GET"] * 3


def test_a_text_page_breaks_a_write_without_resending_it() -> None:
    calls: list[str] = []
    client = client_answering(httpx.Response(200, headers={"content-type": "text/plain"}, content=b"OK"), calls)
    with pytest.raises(TargetBroken, match=r"text/plain, not the API .* after 1 attempts"):
        client.post("/api/v1/contacts", json={})
    assert calls == ["POST"]


@pytest.mark.parametrize(("content_type", "body"), [
    ("application/json", b'{"data": '),  # invalid JSON declared JSON: the API's answer, ENV-01 judges it
    ("text/plain", b'{"data": {}}'),  # JSON under another type: content-type conformance judges it
    ("text/html", b""),  # no body at all
])
def test_answers_the_api_may_have_given_are_judged_not_retried(content_type: str, body: bytes) -> None:
    calls: list[str] = []
    response = client_answering(httpx.Response(200, headers={"content-type": content_type}, content=body),
                                calls).get("/api/v1/me")
    assert response.status_code == 200 and calls == ["GET"]
    assert not_the_api(response) is None


def test_a_rate_limit_that_outlasts_every_retry_after_is_broken_not_a_429_for_the_check() -> None:
    calls: list[str] = []
    answer = httpx.Response(429, headers={"retry-after": "1", "content-type": "application/json"},
                            json={"error": {"code": "API_RATE_LIMIT_EXCEEDED", "message": "slow down"}})
    with pytest.raises(TargetBroken, match="still 429 API_RATE_LIMIT_EXCEEDED after 4 attempts and 4 s of "
                                           "Retry-After: the key is rate limited by traffic this run did not send"):
        client_answering(answer, calls).get("/api/v1/me")
    assert len(calls) == 4


def test_a_monthly_api_quota_spent_before_the_check_breaks_it_once_not_a_429_for_the_check() -> None:
    # spent by earlier runs or other clients of the key: nothing to check (a soak found ERR-02 failed on it)
    calls: list[str] = []
    answer = httpx.Response(429, json={"error": {"code": "MONTHLY_API_REQUEST_QUOTA_EXCEEDED", "message": "spent"}})
    with pytest.raises(TargetBroken, match="DELETE /api/v1/contacts/x: 429 MONTHLY_API_REQUEST_QUOTA_EXCEEDED: "
                                           "this key's monthly API request quota is spent"):
        client_answering(answer, calls).delete("/api/v1/contacts/x")
    assert calls == ["DELETE"]
    judged = client_answering(answer, calls).get("/api/v1/usage", extensions={EXPECTS_429: True})
    assert judged.status_code == 429  # the quota check provoked it: its answer to judge


def test_a_check_that_expects_a_quota_429_judges_a_lasting_rate_limit_answer() -> None:
    # The monthly-quota check asks for a 429: a rate-limit code in its place is its answer (RATE-05), not broken.
    calls: list[str] = []
    answer = httpx.Response(429, json={"error": {"code": "API_RATE_LIMIT_EXCEEDED", "message": "slow down"}})
    response = client_answering(answer, calls).get("/api/v1/usage", extensions={EXPECTS_429: True})
    assert response.status_code == 429 and len(calls) == 4


def test_the_wall_clock_limit_stops_the_run_like_a_spent_budget() -> None:
    now = [0.0]
    budget = RequestBudget(100, max_seconds=5, clock=lambda: now[0])
    budget.spend()
    now[0] = 5.5
    with pytest.raises(RunTimeLimit, match=r"run wall-clock limit reached \(5 s, safety.max_run_seconds\)"):
        budget.spend()
    assert issubclass(RunTimeLimit, BudgetExhausted) and budget.sent == 1


def test_an_asked_stop_lands_before_the_next_request_once_and_never_on_housekeeping() -> None:
    calls: list[str] = []
    stop = StopRequests()
    ok = httpx.Response(200, json={"data": {}})
    checks, housekeeping = client_answering(ok, calls, stop=stop), client_answering(ok, calls, stop=None)
    checks.get("/api/v1/me")
    stop.requested = "SIGINT"
    with pytest.raises(KeyboardInterrupt):
        checks.get("/api/v1/me")
    assert calls == ["GET"]  # nothing was sent after the stop
    housekeeping.delete("/api/v1/contacts/1")  # cleanup goes out
    checks.get("/api/v1/me")  # raised once: the session's teardown may still use the checks' clients
    assert calls == ["GET", "DELETE", "GET"]
