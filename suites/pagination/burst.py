"""Creating a few items at the same instant, so that they share a `createdAt` millisecond (the ties that
PAGE-05 breaks by id). The paced client spaces one credential's requests 100 ms apart, so the burst goes
through a raw client from several threads at once.

The burst must not trip the target's 10/s window: it goes out with the profile's key, whose throttle bucket
first holds it until nothing of it was sent in the last second (at once when it was idle that long), and
afterwards tells it to wait one window (nothing follows in the burst's second). Never a pool key: held out of
the rotation for two windows, it came back with half the reads of the others (the pooled-run self-test's spread
check failed). A request the target still refuses (429) is simply not part of the burst.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import httpx

from fixtures.clients import Harness
from suites.pagination.workspaces import Workspace

MAX_BURST = 7  # leaves room in a 10-request window for a stray request of the same key
WINDOW_SECONDS = 1.0


def burst_post(harness: Harness, workspace: Workspace, path: str,
               bodies: Sequence[dict[str, Any]]) -> list[httpx.Response | None]:
    """POST every body at once; the answers in body order (None where the request itself failed)."""
    if len(bodies) > MAX_BURST:
        raise ValueError(f"a burst holds at most {MAX_BURST} requests, got {len(bodies)}")
    bucket = harness.buckets.bucket(workspace.credential)
    bucket.quiet(WINDOW_SECONDS)  # the harness's pacing, not a suite sleep: one quiet window for this key
    client = workspace.make(raw=True)
    answers: list[httpx.Response | None] = [None] * len(bodies)
    start = threading.Barrier(len(bodies))

    def send(n: int) -> None:
        start.wait()
        try:
            answers[n] = client.post(path, json=bodies[n])
        except httpx.HTTPError:
            answers[n] = None

    threads = [threading.Thread(target=send, args=(n,), daemon=True) for n in range(len(bodies))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        bucket.defer(WINDOW_SECONDS)
        client.close()
    return answers
