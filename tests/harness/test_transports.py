"""The transport chain against a real local server: throttle, gateway retries, Retry-After, budget."""

from __future__ import annotations

import itertools
import threading
import time

import httpx
import pytest

from fixtures.clients import Harness, iter_actors
from fixtures.errors import BudgetExhausted, TargetBroken
from fixtures.throttle import BucketRegistry, TokenBucket
from fixtures.transports import EXPECTS_429, RequestBudget, build_transport
from msgflash_compliance.models.results import RunFacts
from msgflash_compliance.reporting.run_reports import pace_floor
from tests.harness.live_server import LiveServer, free_port


def client_for(url: str, *, bucket: TokenBucket | None = None, raw: bool = False,
               budget: RequestBudget | None = None, sleeps: list[float] | None = None) -> httpx.Client:
    def record(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)

    transport = build_transport(credential="test", bucket=bucket, budget=budget, evidence=None, raw=raw,
                                retry_sleep=record)
    return httpx.Client(base_url=url, transport=transport)


# -- throttle -------------------------------------------------------------------------------------------


def test_token_bucket_spaces_requests_after_the_burst() -> None:
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(rate=10, burst=3, clock=lambda: now[0], sleep=sleep)
    for _ in range(8):
        bucket.acquire()
    assert now[0] == pytest.approx((8 - 3) / 10)
    assert len(waits) == 5


def test_api_keys_keep_the_key_rate_and_the_console_its_own() -> None:
    """The docs limit API keys only: console sessions, sign-ups, calls without a key (anonymous, the
    no-credentials probe) and the sandbox's controls go at `console_rate_limit`; any other label (a pool key, a
    probe carrying a key, one never seen) at the key rate."""
    registry = BucketRegistry(10, console_rate=100)
    for label in ("owner.console", "scratch.signup", "console.login-probe", "anonymous", "sandbox",
                  "probe.no_credentials"):
        assert registry.bucket(label).rate == 100, label
    for label in ("owner.api_key", "owner.api_key.pool2", "team.api_key", "probe.revoked-key", "cleanup"):
        assert registry.bucket(label).rate == 10, label
    assert BucketRegistry(10).bucket("owner.console").rate == 10  # unset: the key rate for every credential


def test_the_pace_floor_divides_each_credential_by_its_own_rate() -> None:
    facts = RunFacts(paced_requests={"owner.api_key": 50, "owner.console": 300}, pace_rate=10.0,
                     console_pace_rate=100.0)
    assert pace_floor(facts) == pytest.approx(5.0)  # the key's 50 at 10/s, not the console's 300 at 100/s
    assert pace_floor(RunFacts(paced_requests={"owner.console": 300}, pace_rate=10.0)) == pytest.approx(30.0)


def test_throttle_holds_n_requests_to_rate_over_real_http(live_server: LiveServer, unique: str) -> None:
    rate, count = 20.0, 7
    client = client_for(live_server.url, bucket=TokenBucket(rate))
    started = time.monotonic()
    for _ in range(count):
        assert client.get("/ok", params={"k": unique}).status_code == 200
    assert time.monotonic() - started >= (count - 1) / rate * 0.95
    assert live_server.state.hits[f"ok:{unique}"] == count


def test_throttle_is_shared_by_threads_and_clients_of_one_credential(
    live_server: LiveServer, unique: str
) -> None:
    rate, threads, each = 20.0, 3, 3
    registry = BucketRegistry(rate)

    def work() -> None:
        client = client_for(live_server.url, bucket=registry.bucket("owner.api_key"))  # one client per thread
        for _ in range(each):
            client.get("/ok", params={"k": unique})

    started = time.monotonic()
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    assert elapsed >= (threads * each - 1) / rate * 0.95
    arrivals = sorted(live_server.state.times[f"ok:{unique}"])
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert min(gaps) > 0.5 / rate  # spaced, not bunched: the bucket is shared


def test_raw_clients_are_not_throttled(live_server: LiveServer, unique: str) -> None:
    client = client_for(live_server.url, bucket=TokenBucket(2.0), raw=True)
    started = time.monotonic()
    for _ in range(5):
        client.get("/ok", params={"k": unique})
    assert time.monotonic() - started < 1.0  # throttled, 5 requests at 2/s would take 2 s


# -- retries --------------------------------------------------------------------------------------------


def test_gateway_503_is_retried_until_the_api_answers(live_server: LiveServer, unique: str) -> None:
    sleeps: list[float] = []
    response = client_for(live_server.url, sleeps=sleeps).get("/gateway", params={"fail": 2, "k": unique})
    assert response.status_code == 200
    assert live_server.state.hits[f"gateway:{unique}"] == 3
    assert len(sleeps) == 2


@pytest.mark.parametrize("status", [502, 504])
def test_other_gateway_statuses_are_retried(live_server: LiveServer, unique: str, status: int) -> None:
    response = client_for(live_server.url).get("/gateway", params={"fail": 1, "status": status, "k": unique})
    assert response.status_code == 200


def test_a_gateway_that_stays_down_breaks_the_test(live_server: LiveServer, unique: str) -> None:
    with pytest.raises(TargetBroken, match="without the API's error envelope"):
        client_for(live_server.url).get("/gateway", params={"fail": 99, "k": unique})
    assert live_server.state.hits[f"gateway:{unique}"] == 3


def test_a_contract_502_is_returned_untouched(live_server: LiveServer, unique: str) -> None:
    response = client_for(live_server.url).get("/provider-error", params={"k": unique})
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "PROVIDER_ERROR"
    assert live_server.state.hits[f"provider:{unique}"] == 1


def test_a_500_is_a_contract_answer_and_not_retried(live_server: LiveServer, unique: str) -> None:
    assert client_for(live_server.url).get("/server-error", params={"k": unique}).status_code == 500
    assert live_server.state.hits[f"server:{unique}"] == 1


def test_a_post_is_never_resent_after_a_gateway_answer(live_server: LiveServer, unique: str) -> None:
    with pytest.raises(TargetBroken):
        client_for(live_server.url).post("/gateway", params={"fail": 1, "k": unique}, json={})
    assert live_server.state.hits[f"gateway:{unique}"] == 1


def test_connection_refused_is_retried_then_broken() -> None:
    sleeps: list[float] = []
    with pytest.raises(TargetBroken, match="connection refused"):
        client_for(f"http://127.0.0.1:{free_port()}", sleeps=sleeps).get("/ok")
    assert len(sleeps) == 2  # three attempts


# -- Retry-After ----------------------------------------------------------------------------------------


def test_retry_after_is_honoured_on_rate_limit_answers(live_server: LiveServer, unique: str) -> None:
    started = time.monotonic()
    response = client_for(live_server.url, bucket=TokenBucket(100.0)).get(
        "/limited", params={"times": 1, "k": unique})
    assert response.status_code == 200
    assert live_server.state.hits[f"limited:{unique}"] == 2
    first, second = live_server.state.times[f"limited:{unique}"]
    assert second - first >= 0.95  # Retry-After: 1
    assert time.monotonic() - started < 1.9  # waited once, not twice


class RecordingBucket(TokenBucket):
    def __init__(self) -> None:
        super().__init__(rate=1000.0, sleep=lambda seconds: None)
        self.deferrals: list[float] = []

    def defer(self, seconds: float) -> None:
        self.deferrals.append(seconds)
        super().defer(seconds)


def test_retry_after_makes_the_whole_credential_wait(live_server: LiveServer, unique: str) -> None:
    bucket = RecordingBucket()
    client_for(live_server.url, bucket=bucket).get("/limited", params={"times": 2, "k": unique})
    assert bucket.deferrals == [1.0, 1.0]


def test_a_deferred_bucket_holds_every_caller() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    bucket = TokenBucket(rate=10, clock=lambda: now[0], sleep=sleep)
    bucket.defer(2.0)
    bucket.acquire()
    assert now[0] >= 2.0


def _fake_clock_bucket(start: float = 100.0) -> tuple[TokenBucket, list[float]]:
    now = [start]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    return TokenBucket(rate=10, clock=lambda: now[0], sleep=sleep), now


def test_a_quiet_window_waits_only_as_long_as_the_key_was_busy() -> None:
    """A burst's clean window (`quiet`): at once on a key idle for a second, else a second after its last
    request; nobody gets a token meanwhile, and a deferral (a burst just sent) counts as the key in use."""
    bucket, now = _fake_clock_bucket()
    assert bucket.quiet(1.0) == 0.0, "a key never used waited for a quiet window"
    bucket.defer(1.0)  # the burst went out: its second is the key's
    assert bucket.quiet(1.0) == pytest.approx(1.0), "a second burst followed the first within its window"
    bucket.defer(1.0)
    now[0] += 2.0
    bucket.acquire()  # a request at t
    sent = now[0]
    now[0] += 0.4
    assert bucket.quiet(1.0) == pytest.approx(0.6)
    assert now[0] == pytest.approx(sent + 1.0)
    assert bucket.available() <= 0, "the key had a token for someone else during its quiet window"
    assert bucket.acquired == 1, "the quiet window took tokens (phantom requests in the pace floor)"


def test_raw_clients_see_the_rate_limit_answer(live_server: LiveServer, unique: str) -> None:
    response = client_for(live_server.url, raw=True).get("/limited", params={"times": 1, "k": unique})
    assert response.status_code == 429
    assert live_server.state.hits[f"limited:{unique}"] == 1


def test_a_monthly_quota_429_the_check_provoked_is_its_answer(live_server: LiveServer, unique: str) -> None:
    sleeps: list[float] = []
    response = client_for(live_server.url, sleeps=sleeps).get("/monthly", params={"k": unique},
                                                              extensions={EXPECTS_429: True})
    assert response.status_code == 429
    assert sleeps == []
    assert live_server.state.hits[f"monthly:{unique}"] == 1


def test_a_monthly_quota_429_nobody_asked_for_breaks_the_check_unresent(live_server: LiveServer,
                                                                         unique: str) -> None:
    sleeps: list[float] = []
    with pytest.raises(TargetBroken, match="monthly API request quota is spent"):
        client_for(live_server.url, sleeps=sleeps).get("/monthly", params={"k": unique})
    assert sleeps == []
    assert live_server.state.hits[f"monthly:{unique}"] == 1


# -- budget ---------------------------------------------------------------------------------------------


def test_budget_exhaustion_raises_a_harness_error(live_server: LiveServer, make_profile) -> None:
    harness = Harness(make_profile(request_budget=3, rate_limit=1000))
    client = harness.anonymous()
    for _ in range(3):
        client.get("/ok")
    with pytest.raises(BudgetExhausted, match="request budget of 3 spent"):
        client.get("/ok")
    assert not isinstance(BudgetExhausted("x"), AssertionError)  # broken, never failed
    housekeeping = harness.client("cleanup", housekeeping=True)
    assert housekeeping.get("/ok").status_code == 200  # the harness's own requests are outside the budget
    assert harness.budget.sent == 3


def test_budget_counts_every_retry(live_server: LiveServer, unique: str) -> None:
    budget = RequestBudget(10)
    client_for(live_server.url, budget=budget).get("/gateway", params={"fail": 2, "k": unique})
    assert budget.sent == 3


# -- Schemathesis cases go through the same chain ------------------------------------------------------------


def test_a_schemathesis_case_is_sent_through_the_harness_client(
    live_server: LiveServer, make_profile
) -> None:
    import schemathesis

    from fixtures.schemathesis_bridge import send_case

    schema = schemathesis.openapi.from_dict({
        "openapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "paths": {"/echo": {"post": {
            "parameters": [{"name": "q", "in": "query", "schema": {"type": "integer"}}],
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}}}}},
    })
    case = schema["/echo"]["POST"].Case(body={"a": "b"}, query={"q": 1})
    harness = Harness(make_profile(rate_limit=1000))
    owner = dict(iter_actors(harness))["owner"]
    response = send_case(owner.api, case)
    echoed = response.json()["data"]
    assert response.status_code == 200 and response.request.url.params["q"] == "1"
    assert response.elapsed.total_seconds() > 0
    assert echoed["body"] == '{"a":"b"}' and echoed["headers"]["x-api-key"].startswith("msgf_live_")
    assert harness.budget.sent == 1  # counted like any other request
    case.validate_response(response)


def test_evidence_keeps_encoded_bodies_readable() -> None:
    """The evidence layer buffers the raw body: a gzip answer is still decoded once, by the client."""
    import gzip
    import json as json_module

    from fixtures.evidence import EvidenceLog
    from fixtures.redaction import Redactor

    payload = json_module.dumps({"data": {"n": 1}}).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-encoding": "gzip", "content-type": "application/json"},
                              content=gzip.compress(payload))

    recorded = []
    log = EvidenceLog(Redactor)
    log.record = recorded.append  # type: ignore[method-assign]
    transport = build_transport(credential="t", bucket=None, budget=None, evidence=log,
                                base=httpx.MockTransport(handler))
    response = httpx.Client(transport=transport, base_url="http://x.test").get("/")
    assert response.json() == {"data": {"n": 1}}
    assert recorded[0].response_body == payload
