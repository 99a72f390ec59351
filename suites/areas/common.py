"""What the area suites share: fresh ids, the preconditions that make a check not covered (read-only target,
no sends allowed, no sandbox), the workspace's instances, and polling an asynchronous resource until it ends.

Polling is bounded in time, not in answers: a wait that counted polls ended sooner the faster the harness's
pace (80 polls were 1.6 s at 50 requests per second, too short for a loaded target). Polls are spaced by a
growing interval, so a long deadline costs few requests.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from fixtures.assertions import check, expect_ok
from fixtures.errors import HarnessError, not_covered
from msgflash_compliance.profile import TargetProfile
from suites.key_scoping.controls import expect_control

TERMINAL_STATUSES = frozenset({"done", "failed", "cancelled"})
DEFAULT_DEADLINE_SECONDS = 30.0  # a job of the reference server ends in well under a second when idle
FIRST_INTERVAL_SECONDS = 0.05
MAX_INTERVAL_SECONDS = 1.0  # 30 s of waiting costs about 45 polls


def random_id() -> str:
    return str(uuid.uuid4())


def random_ids(count: int) -> list[str]:
    """`count` fresh UUIDs: ids no workspace has, so a bulk operation on them changes nothing."""
    return [random_id() for _ in range(count)]


def require_writes(profile: TargetProfile) -> None:
    if profile.safety.read_only:
        not_covered("the profile is read_only (safety.read_only = true): this check creates data")


def require_send(profile: TargetProfile, what: str) -> None:
    """Sends, statuses, campaigns and lookups act on WhatsApp: only where the profile allows it (decisions #10)."""
    if not profile.safety.allow_send:
        not_covered(f"{what} acts on WhatsApp: needs [safety] allow_send = true")


def require_sandbox(profile: TargetProfile, what: str) -> None:
    if not profile.sandbox.enabled:
        not_covered(f"{what} needs the sandbox controls ([sandbox] enabled = true)")


def instances(client: httpx.Client) -> list[dict[str, Any]]:
    data = expect_control(client.get("/api/v1/instances"), "list the workspace's instances")
    if not isinstance(data, list):
        raise HarnessError("GET /api/v1/instances: data is not a list")
    return [i for i in data if isinstance(i, dict) and isinstance(i.get("id"), str)]


def connected_instance(client: httpx.Client) -> dict[str, Any]:
    """A connected instance of the client's workspace; not covered when it has none."""
    for instance in instances(client):
        if instance.get("status") == "connected":
            return instance
    not_covered("the workspace has no connected instance")
    raise AssertionError("unreachable")


def poll(client: httpx.Client, path: str, *, until: Callable[[dict[str, Any]], bool],
         guarantee: str | tuple[str, ...], deadline: float = DEFAULT_DEADLINE_SECONDS) -> list[dict[str, Any]]:
    """GET `path` until `until(data)` holds; returns every `data` seen, in order. Gives up (HarnessError, the
    check is broken, not failed) when `deadline` seconds pass without the end state."""
    seen: list[dict[str, Any]] = []
    started = time.monotonic()
    interval = FIRST_INTERVAL_SECONDS
    while True:
        asked = time.monotonic()
        data = expect_ok(client.get(path), guarantee=guarantee)
        check(isinstance(data, dict), f"GET {path}: data is not an object", guarantee=guarantee)
        seen.append(data)
        if until(data):
            return seen
        waited = time.monotonic() - started
        if waited >= deadline:
            raise HarnessError(f"GET {path}: still {data.get('status')!r} after {waited:.1f} s ({len(seen)} polls); "
                               "the target is too slow for this check")
        time.sleep(max(0.0, min(interval - (time.monotonic() - asked), deadline - waited)))
        interval = min(interval * 1.5, MAX_INTERVAL_SECONDS)



def ended(data: dict[str, Any]) -> bool:
    return data.get("status") in TERMINAL_STATUSES


def missing_fields(data: Any, fields: tuple[str, ...] | frozenset[str]) -> list[str]:
    """The documented fields `data` lacks (all of them when it is not an object)."""
    if not isinstance(data, dict):
        return list(fields)
    return [name for name in fields if name not in data]


def track_wrong_create(response: httpx.Response, client: httpx.Client, factory: Any, kind: str,
                       delete_template: str) -> None:
    """A create that should have been refused but succeeded still made data: have the run delete it."""
    if response.status_code not in (200, 201):
        return
    try:
        data = response.json().get("data")
    except ValueError:
        return
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        factory.track(client, kind, delete_template.format(id=data["id"]), data["id"])
