"""A key pool (`[safety] key_pool`): requests sent with the profile's key go out with the pool key that has a
token ready, the least used first, each paced by its own bucket; requests sent with another key and requests
after the pool retired keep the key they were built with."""

from __future__ import annotations

import httpx

from fixtures.throttle import BucketRegistry
from fixtures.transports import build_transport

OWN = "msgf_live_own0000000000"
POOL = {"owner.api_key.pool1": "msgf_live_pool100000000", "owner.api_key.pool2": "msgf_live_pool200000000"}


def _client(buckets: BucketRegistry, seen: list[str], key: str = OWN) -> httpx.Client:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["x-api-key"])
        return httpx.Response(200, json={"data": {}})

    transport = build_transport(credential="owner.api_key", bucket=buckets.bucket("owner.api_key"), budget=None,
                                evidence=None, base=httpx.MockTransport(answer),
                                rotation=buckets.rotation("owner.api_key"))
    return httpx.Client(base_url="http://target.test", transport=transport, headers={"x-api-key": key})


def _pooled(rate: float = 2.0) -> BucketRegistry:
    """Two pool keys; at 2 requests/s a bucket has one token at first, then none for 0.5 s."""
    buckets = BucketRegistry(rate)
    rotation = buckets.rotation("owner.api_key")
    rotation.own_secret = OWN
    for label, secret in POOL.items():
        rotation.add(label, secret)
    return buckets


def test_reads_and_writes_go_out_with_pool_keys() -> None:
    """The owner's planted contacts (POSTs) set a run's pace floor: the pool carries them too."""
    buckets, seen = _pooled(), []
    client = _client(buckets, seen)
    client.get("/api/v1/contacts")
    client.post("/api/v1/contacts", json={})
    assert set(seen) == set(POOL.values())


def test_puts_and_deletes_go_out_with_pool_keys() -> None:
    buckets, seen = _pooled(), []
    client = _client(buckets, seen)
    client.delete("/api/v1/contacts/c1")
    client.put("/api/v1/templates/t1", json={})
    assert set(seen) == set(POOL.values())


def test_a_preflight_keeps_the_profile_key() -> None:
    buckets, seen = _pooled(), []
    _client(buckets, seen).options("/api/v1/contacts")
    assert seen == [OWN]


def test_each_key_is_paced_by_its_own_bucket() -> None:
    """Three reads at once: each key's one token (the pool's first, the profile's when no pool key has one),
    so no request waited, where one key alone would have made the second and third wait 0.5 s each."""
    buckets, seen = _pooled(), []
    client = _client(buckets, seen)
    for _ in range(3):
        client.get("/api/v1/contacts")
    assert sorted(seen) == sorted([OWN, *POOL.values()])
    assert buckets.counts() == {"owner.api_key": 1, "owner.api_key.pool1": 1, "owner.api_key.pool2": 1}


def test_another_key_and_a_retired_pool_are_left_alone() -> None:
    buckets, seen = _pooled(), []
    _client(buckets, seen, key="msgf_live_other000000000").get("/api/v1/contacts")
    buckets.rotation("owner.api_key").clear()
    _client(buckets, seen).get("/api/v1/contacts")
    assert seen == ["msgf_live_other000000000", OWN]


def test_without_a_pool_every_request_keeps_the_profile_key() -> None:
    buckets, seen = BucketRegistry(1000.0), []
    client = _client(buckets, seen)
    client.get("/api/v1/contacts")
    client.delete("/api/v1/contacts/c1")
    assert seen == [OWN, OWN]


def test_a_burst_takes_the_key_idle_the_longest() -> None:
    """A burst needs a quiet window (`KeyRotation.idlest`): the key whose latest request is oldest, a pool key's
    secret or None for the profile's own; without a pool, the profile's key."""
    buckets, seen = _pooled(rate=1000.0), []
    client = _client(buckets, seen)
    rotation = buckets.rotation("owner.api_key")
    assert rotation.idlest() == ("owner.api_key", None)  # none used yet: the first candidate, the profile's
    for _ in range(3):  # each key once, the profile's last (least-used pool keys first, then the profile's)
        buckets.bucket("owner.api_key.pool1").acquire()
        buckets.bucket("owner.api_key.pool2").acquire()
        buckets.bucket("owner.api_key").acquire()
    assert rotation.idlest() == ("owner.api_key.pool1", POOL["owner.api_key.pool1"])
    client.get("/api/v1/contacts")  # goes out with a pool key: the least used, now no longer the idlest
    assert rotation.idlest()[0] != seen_label(seen[-1])
    assert BucketRegistry(10.0).rotation("team.api_key").idlest() == ("team.api_key", None)


def seen_label(secret: str) -> str:
    return next((label for label, key in POOL.items() if key == secret), "owner.api_key")
