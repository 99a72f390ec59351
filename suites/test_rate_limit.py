"""The per-key rate limit: 10 requests per second per API key (RATE-01..04, RATE-06, ENV-06).

Two fresh windows (the wait is most of these checks' time, so each window serves all it can): one burst on the
owner's key, judged by two checks, the refusal (RATE-01, RATE-04, ENV-06, RATE-06) and what it leaves alone and
how it ends (RATE-03: the team key beside it; RATE-02: the key served again after its window); then three keys
held at 8 per second (RATE-03, RATE-02).

Marker `rate_limit`. These checks burst a key on purpose, so they run against the sandbox (the embedded
server) and, against a real target, only when asked: `[safety] rate_limit_checks = true` in the profile (or the
environment variable `MFC_RATE_LIMIT_CHECKS=1`, for a one-off run without editing the profile).

Timing is the subject here, so this module paces itself (`Pacer`, on the harness's `TokenBucket`) and uses
raw clients (no throttle, no Retry-After handling: every 429 comes back as it is). To stay deterministic on
two loaded cores, whatever the target's window algorithm:
* every check starts with the key idle for more than a window (counted from its latest paced request when the
  harness knows it), aligned just after a whole second of the monotonic clock (the embedded server's fixed
  windows start there; elsewhere it costs nothing);
* a burst is 30 requests: if they fit in one second they span at most two windows, so one holds at least 15;
  a burst too slow to prove anything is a harness problem (broken), never a pass or a violation;
* "at most 10 per second" is paced at 8 per second, well inside any window phase.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from fixtures.assertions import check
from fixtures.checks import error_code_of, error_of
from fixtures.clients import Actor, Harness
from fixtures.errors import ContractViolation, Finding, HarnessError, not_covered, violation_of
from fixtures.throttle import TokenBucket
from msgflash_compliance.profile import TargetProfile

OPT_IN_VARIABLE = "MFC_RATE_LIMIT_CHECKS"
LIMIT_PER_SECOND = 10
BURST = 30
BURST_SPAN_SECONDS = 1.0  # a burst this fast spans at most two windows of one second
SAFE_RATE = 8.0  # requests per second for the "within the limit" checks
SUSTAIN_SECONDS = 3.0
IDLE_SECONDS = 1.1  # more than one window of quiet before each check
ALIGN_AFTER = 0.02  # start this far past a whole second
MAX_RETRY_WAIT = 2.0
CODE = "API_RATE_LIMIT_EXCEEDED"
MESSAGE = "Too many API requests"
PROBE = ("GET", "/api/v1/contacts", {"limit": 1})  # a cheap read: reads are limited like writes

pytestmark = [pytest.mark.rate_limit, pytest.mark.serial]  # checked alone: bursts the profile's keys


@dataclass(frozen=True)
class Shot:
    at: float  # monotonic time the request left
    response: httpx.Response


class Pacer:
    """The suite's only timing: quiet periods, window alignment, and a steady rate (harness token buckets)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.clock, self.sleep = clock, sleep

    def fresh_window(self, last_use: float | None = None) -> None:
        """Let more than a window pass since the keys' `last_use` (monotonic; None: unknown, a whole idle
        period from now), then start just after a whole second."""
        self.sleep(IDLE_SECONDS if last_use is None else max(0.0, last_use + IDLE_SECONDS - self.clock()))
        now = self.clock()
        self.sleep((1.0 - now % 1.0) + ALIGN_AFTER if now % 1.0 > ALIGN_AFTER else ALIGN_AFTER - now % 1.0)

    def steady(self, rate: float) -> TokenBucket:
        return TokenBucket(rate, burst=1, clock=self.clock, sleep=self.sleep)

    def wait(self, seconds: float) -> None:
        self.sleep(seconds)


def fire(client: httpx.Client, count: int, bucket: TokenBucket | None = None,
         until: Callable[[httpx.Response], bool] | None = None) -> list[Shot]:
    """Send the probe request `count` times (paced by `bucket` if given); stop early when `until` says so."""
    method, path, params = PROBE
    shots = []
    for _ in range(count):
        if bucket is not None:
            bucket.acquire()
        at = time.monotonic()
        shots.append(Shot(at, client.request(method, path, params=params)))
        if until is not None and until(shots[-1].response):
            break
    return shots


def limited(response: httpx.Response) -> bool:
    return response.status_code == 429 and error_code_of(response) == CODE


@pytest.fixture(scope="module")
def enabled(profile: TargetProfile) -> None:
    if not (profile.rate_limit_checks or os.environ.get(OPT_IN_VARIABLE) == "1"):
        not_covered("bursts a key on purpose: on for the sandbox, opt-in elsewhere "
                    f"([safety] rate_limit_checks = true, or {OPT_IN_VARIABLE}=1)")


@pytest.fixture
def pacer(enabled: None) -> Pacer:
    return Pacer()


def _raw(actor: Actor) -> httpx.Client:
    return actor.client(raw=True)


@pytest.fixture
def raw_team(harness: Harness, profile: TargetProfile) -> Iterator[httpx.Client]:
    if profile.team is None or profile.team.api_key is None:
        not_covered("the profile has no [team] with an api_key")
    with harness.team_client(raw=True) as client:
        yield client


def _served(shot: Shot) -> bool:
    return 200 <= shot.response.status_code < 300


def _burst_proves(shots: list[Shot]) -> None:
    span = shots[-1].at - shots[0].at
    if span > BURST_SPAN_SECONDS:
        raise HarnessError(f"{len(shots)} requests took {span:.2f} s: too slow to be a burst within one second "
                           "(the machine is overloaded); nothing was checked")


@dataclass(frozen=True)
class OwnerBurst:
    """One burst on the owner's personal key after a fresh window, judged by two checks: the refusal itself
    (RATE-01, RATE-04, ENV-06, RATE-06, the first ten served) and what it leaves alone (RATE-03: the team key,
    another key of the account, right after it) and how it ends (RATE-02: the key served again once its window
    has passed). One fresh window for both: the wait is most of their time."""

    shots: list[Shot]
    team: list[Shot] | None  # None: the profile has no team key
    retry_after: str
    again: httpx.Response | None  # the burst key after Retry-After; None when it was never refused


@pytest.fixture(scope="module")
def owner_burst(owner: Actor, harness: Harness, profile: TargetProfile, enabled: None) -> OwnerBurst:
    has_team = profile.team is not None and profile.team.api_key is not None
    # The owner's key idle the longest (the profile's, or one of the run's key pool: each is a key of the
    # owner's); the checks before went through the harness's pace, which knows each key's latest request, so
    # the idle period counts from it. The team key's too: three requests on it right after it was busy could
    # meet its own limit.
    label, secret = harness.buckets.rotation(f"{owner.name}.api_key").idlest()
    last_use = max(harness.buckets.bucket(used).last_sent() for used in (label, *(["team.api_key"] * has_team)))
    with _raw(owner) as personal, harness.team_client(raw=True) if has_team else contextlib.nullcontext() as team:
        if secret is not None:
            personal.headers["x-api-key"] = secret
        pacer = Pacer()
        pacer.fresh_window(last_use)
        shots = fire(personal, BURST)
        beside = fire(team, 3) if team is not None else None
        refused = [s.response for s in shots if limited(s.response)]
        retry_after, again = "", None
        if refused:
            retry_after = refused[-1].headers.get("retry-after", "")
            pacer.wait(min(float(retry_after) if retry_after.isdigit() else 1.0, MAX_RETRY_WAIT) + ALIGN_AFTER)
            method, path, params = PROBE
            again = personal.request(method, path, params=params)
    return OwnerBurst(shots, beside, retry_after, again)


# -- over the limit ------------------------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.guarantee("RATE-01", "RATE-04", "ENV-06", "RATE-02", "RATE-06")
def test_a_burst_over_ten_per_second_is_refused_with_the_documented_body(owner_burst: OwnerBurst) -> None:
    shots = owner_burst.shots
    refused = [s.response for s in shots if s.response.status_code == 429]
    if not refused:
        _burst_proves(shots)
        raise ContractViolation(
            f"{len(shots)} requests in {shots[-1].at - shots[0].at:.2f} s on one key, none refused: more than "
            f"{LIMIT_PER_SECOND} per second must get 429 {CODE}", ("RATE-01", "RATE-04", "ENV-06"))
    for response in refused:
        check(error_code_of(response) == CODE,
              f"a burst's 429 carries error.code {error_code_of(response)!r}, not {CODE} (the monthly quota is not "
              "exhausted: its code would be wrong here)", guarantee=("RATE-04", "ENV-06"))
        error = error_of(response) or {}
        check(error.get("message") == MESSAGE,
              f"429 {CODE} body message is {error.get('message')!r}, documented {MESSAGE!r}", guarantee="ENV-06")
    early = [i + 1 for i, s in enumerate(shots[:LIMIT_PER_SECOND]) if not _served(s)]
    check(not early, f"request {early[:1]} of a burst after a quiet window was not served: no window can hold "
                     f"more than {LIMIT_PER_SECOND} of the first {LIMIT_PER_SECOND}", guarantee="RATE-02")
    # Last: RATE-06 is INFO (the docs name no header; the reference sends Retry-After in whole seconds, G16), so
    # its finding is an observation and must not stop the checks above.
    retry_after = refused[0].headers.get("retry-after", "")
    check(retry_after.isdigit() and int(retry_after) >= 1,
          f"429 {CODE} carries Retry-After {retry_after!r}, not whole seconds >= 1 (G16)", guarantee="RATE-06")


# -- per key, not per account ------------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.guarantee("RATE-03", "RATE-02")
def test_a_burst_on_one_key_leaves_another_key_alone_and_ends_with_its_window(owner_burst: OwnerBurst,
                                                                             raw_team: httpx.Client) -> None:
    """The team key belongs to the owner's account: a limit kept per account would refuse it too (RATE-03). The
    refused key itself is served again once its window has passed (RATE-02). Judged on the burst above."""
    if owner_burst.again is None:
        _burst_proves(owner_burst.shots)
        raise HarnessError("the personal key was never refused, so the second key proves nothing and there is "
                           "no refusal to recover from (see RATE-01)")
    assert owner_burst.team is not None  # raw_team: the profile has a team key
    findings = []
    refused = [s.response for s in owner_burst.team if s.response.status_code == 429]
    if refused:
        findings.append(Finding(("RATE-03",), f"right after the owner's personal key hit the limit, the team key "
                                              f"(another key of the same account) got 429 "
                                              f"{error_code_of(refused[0])}: the limit is per key, not per account"))
    again = owner_burst.again
    if not 200 <= again.status_code < 300:
        findings.append(Finding(("RATE-02",), f"the refused key, its window over (Retry-After "
                                              f"{owner_burst.retry_after!r} waited), got {again.status_code} "
                                              f"{error_code_of(again) or ''}, not a success: a key works again "
                                              "after the window"))
    if findings:
        raise violation_of("a burst on the owner's personal key", findings)


@pytest.mark.guarantee("RATE-03", "RATE-02")
def test_keys_at_eight_per_second_each_are_all_served(admin: Actor, owner: Actor, raw_team: httpx.Client,
                                                      pacer: Pacer) -> None:
    """Three keys side by side at 8 per second each: two of the owner's account (its personal key and the team
    key: a limit kept per account would refuse them, RATE-03), and the admin's, of an account of its own (a
    key within the limit is never refused, RATE-02). One sustained stretch for both guarantees."""
    results: dict[str, list[Shot]] = {}
    with _raw(owner) as personal, _raw(admin) as alone:
        pacer.fresh_window()
        threads = [
            threading.Thread(target=lambda n=name, c=client: results.__setitem__(
                n, fire(c, int(SAFE_RATE * SUSTAIN_SECONDS), pacer.steady(SAFE_RATE))))
            for name, client in (("personal key", personal), ("team key", raw_team), ("admin's key", alone))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    # Both guarantees judged on the one stretch, every finding named: a limit kept over several keys refuses
    # the owner's two (RATE-03), a limit tighter than documented refuses each key, the admin's too (RATE-02).
    findings = []
    for name, shots in results.items():
        refused = [s for s in shots if s.response.status_code == 429]
        if not refused:
            continue
        guarantee = "RATE-02" if name == "admin's key" else "RATE-03"
        why = "the limit is 10 per second" if guarantee == "RATE-02" else "the limit is per key, not per account"
        findings.append(Finding((guarantee,), f"the {name} got 429 {error_code_of(refused[0].response)} "
                                              f"({len(refused)} of {len(shots)}): {why}"))
    findings += [Finding(("RATE-02",), f"the admin's key got {s.response.status_code}, not a success")
                 for s in results["admin's key"] if s.response.status_code != 429 and not _served(s)][:1]
    if findings:
        raise violation_of(f"three keys at {SAFE_RATE:.0f} per second each, two of one account", findings)
