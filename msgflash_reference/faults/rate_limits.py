"""Faults of the per-key rate limit (RATE): its bucket, window, limited methods and refusal code.
"""

from __future__ import annotations

from msgflash_reference.faults.fault import Fault, swap

FAULTS: tuple[Fault, ...] = (
    Fault(
        "rate-limit-per-account",
        ("RATE-03",),
        "the 10/s limit is shared by all keys of one paying account (personal and team keys together)",
        swap("rate", scope="account"),
    ),
    Fault(
        "rate-limit-global",
        ("RATE-03",),
        "one 10/s window for every key of every account",
        swap("rate", scope="global"),
    ),
    Fault(
        "rate-limit-reads-unlimited",
        ("RATE-01", "RATE-04", "ENV-06"),
        "only writes are rate limited; GETs never",
        swap("rate", limited_methods=frozenset({"POST", "PUT", "PATCH", "DELETE"})),
    ),
    Fault(
        "rate-limit-window-10s",
        ("RATE-02",),
        "the window is 10 s long: 10 requests per 10 s instead of per second",
        swap("rate", window_seconds=10.0),
    ),
    Fault(
        "rate-limit-monthly-code",
        ("RATE-04", "ENV-06"),
        "a burst gets MONTHLY_API_REQUEST_QUOTA_EXCEEDED instead of API_RATE_LIMIT_EXCEEDED",
        swap("rate", code="MONTHLY_API_REQUEST_QUOTA_EXCEEDED", message="Monthly API request quota exceeded"),
    ),
)
