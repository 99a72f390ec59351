"""The server's clock: real UTC time plus an offset the sandbox can move (billing periods, expiries)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            offset = self._offset
        return datetime.now(UTC) + offset

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward (or back, with a negative delta); returns the new now."""
        with self._lock:
            self._offset += delta
        return self.now()

    def set(self, instant: datetime) -> datetime:
        """Jump to `instant` (aware); time keeps flowing from there."""
        if instant.tzinfo is None:
            raise ValueError("instant must be timezone-aware")
        with self._lock:
            self._offset = instant - datetime.now(UTC)
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta(0)

    @property
    def offset(self) -> timedelta:
        with self._lock:
            return self._offset


def iso(instant: datetime) -> str:
    """The API's timestamp format: UTC, milliseconds, `Z` (e.g. 2026-04-01T10:00:00.000Z); sorts as text."""
    utc = instant.astimezone(UTC)
    return f"{utc.year:04d}" + utc.strftime("-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    """Inverse of `iso` (also accepts other ISO 8601 forms with an offset); ValueError when malformed."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("timestamp without timezone")
    return value.astimezone(UTC)


def month_period(instant: datetime) -> tuple[datetime, datetime]:
    """The calendar month holding `instant`: first instant and last millisecond (…T23:59:59.999Z)."""
    utc = instant.astimezone(UTC)
    start = utc.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    next_month = (
        start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    )
    return start, next_month - timedelta(milliseconds=1)


def period_key(instant: datetime) -> str:
    """`YYYY-MM` of the month holding `instant` (the key of usage counters)."""
    return instant.astimezone(UTC).strftime("%Y-%m")
