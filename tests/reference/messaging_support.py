"""Helpers of the messaging self-tests (send, templates, campaigns, webhooks, statuses, lookups)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from msgflash_reference.server_thread import RunningServer
from msgflash_reference.subscriptions import set_plan
from tests.reference.harness import data

T = TypeVar("T")


def wait_for(probe: Callable[[], T], done: Callable[[T], bool], timeout: float = 5.0) -> T:
    """Call `probe` until `done(result)`; the last result, or AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if done(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still not there after {timeout} s: {result!r}")
        time.sleep(0.02)


def owner_instance(server: RunningServer, n: int = 0) -> str:
    return server.seed.instance_ids["owner"][n]


def text_message(instance_id: str, to: str = "+22912345678", **extra: Any) -> dict[str, Any]:
    return {"instanceId": instance_id, "to": to, "type": "text", "text": "Hello", **extra}


def usage(client: httpx.Client) -> dict[str, int]:
    return data(client.get("/api/v1/billing/usage"))["usage"]


def put_on_plan(server: RunningServer, identity: str, plan: str) -> None:
    svc = server.services
    with svc.db.transaction() as conn:
        set_plan(conn, server.seed.identities[identity].user_id, plan, svc.clock.now())


def message_status(client: httpx.Client, message_id: str) -> str:
    return data(client.get(f"/api/v1/messages/{message_id}"))["status"]
