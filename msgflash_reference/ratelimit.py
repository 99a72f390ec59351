"""Per-key request rate limit (facts §8, G16): a fixed one-second window, 10 requests by default.

`RatePolicy` decides the bucket a request counts in (the key by default), the window length and the refusal;
`RateLimiter` keeps the in-memory windows. Monotonic time, so moving the sandbox clock never affects it.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from msgflash_reference.errors import ApiError
from msgflash_reference.policies.key_resolver import KeyIdentity, Workspace


@dataclass(frozen=True)
class RatePolicy:
    scope: str = "key"  # 'key' | 'account' (the paying owner) | 'global'
    window_seconds: float = 1.0
    limited_methods: frozenset[str] | None = None  # None = every method
    code: str = "API_RATE_LIMIT_EXCEEDED"
    message: str = "Too many API requests"

    def bucket(self, identity: KeyIdentity, workspace: Workspace, method: str) -> str | None:
        if self.limited_methods is not None and method.upper() not in self.limited_methods:
            return None
        if self.scope == "account":
            return f"account:{workspace.owner_id}"
        if self.scope == "global":
            return "global"
        return f"key:{identity.key_id}"


class RateLimiter:
    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self._windows: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def hit(self, policy: RatePolicy, bucket: str | None) -> None:
        """Count one request in `bucket`; 429 with Retry-After when the window is full."""
        if self.limit is None or bucket is None:
            return
        now = time.monotonic()
        window = int(now // policy.window_seconds)
        with self._lock:
            current, count = self._windows.get(bucket, (window, 0))
            if current != window:
                count = 0
            if count >= self.limit:
                self._windows[bucket] = (window, count)
                retry_after = max(1, math.ceil((window + 1) * policy.window_seconds - now))
                raise ApiError(policy.code, policy.message, status=429, headers={"Retry-After": str(retry_after)})
            self._windows[bucket] = (window, count + 1)
            if len(self._windows) > 10_000:  # forget idle buckets
                self._windows = {b: w for b, w in self._windows.items() if w[0] == window}
