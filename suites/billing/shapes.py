"""Shapes of the public billing answers (facts §4.1, §11.2; catalog BILL-01..12): small checkers that return
what is wrong (a list of problems, empty when the body is as documented), so one check can name them all."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from typing import Any

from fixtures.timestamps import parse_timestamp
from msgflash_compliance.contract.plans import API_LIMIT_FIELDS

USAGE_FIELDS = ("messagesCount", "statusesCount", "effectiveOutboundUsage", "apiRequestsCount",
                "activeInstancesCount", "activeApiKeysCount")
FEATURE_FIELDS = ("campaigns", "statuses", "voiceNotes", "webhooks")
SCHEDULE_FIELDS = ("scheduledPlan", "scheduledPlanAt", "scheduledAction")
PAYMENT_FIELDS = ("id", "provider", "planCode", "planName", "amount", "currency", "status", "periodStart",
                  "periodEnd", "createdAt")


def is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def parse_time(value: Any) -> datetime | None:
    """A billing timestamp, None when unreadable or without a zone (the contract gives every time a zone)."""
    parsed = parse_timestamp(value)
    return parsed if parsed is not None and parsed.tzinfo else None


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def limits_problems(limits: Any, where: str) -> list[str]:
    if not isinstance(limits, dict):
        return [f"{where} is not an object"]
    return [f"{where}.{name} is not a non-negative integer ({limits.get(name)!r})"
            for name in API_LIMIT_FIELDS if not is_count(limits.get(name))]


def features_problems(features: Any, where: str) -> list[str]:
    if not isinstance(features, dict):
        return [f"{where} is not an object"]
    return [f"{where}.{name} is not a boolean" for name in FEATURE_FIELDS
            if not isinstance(features.get(name), bool)]


def usage_problems(usage: Any, where: str) -> list[str]:
    if not isinstance(usage, dict):
        return [f"{where} is not an object"]
    return [f"{where}.{name} is not a non-negative integer ({usage.get(name)!r})"
            for name in USAGE_FIELDS if not is_count(usage.get(name))]


def period_problems(period: Any, where: str) -> list[str]:
    if not isinstance(period, dict):
        return [f"{where} is not an object"]
    return [f"{where}.{name} is not an ISO 8601 timestamp with a zone ({period.get(name)!r})"
            for name in ("start", "end") if parse_time(period.get(name)) is None]


def plan_ref_problems(plan: Any, where: str) -> list[str]:
    if not isinstance(plan, dict):
        return [f"{where} is not an object"]
    return [f"{where}.{name} is not a string" for name in ("code", "name") if not isinstance(plan.get(name), str)]


def calendar_month_problems(period: Any, where: str, now: datetime | None = None) -> list[str]:
    """BILL-09: start = the first instant of a month, end = the last millisecond of the same month, and that
    month is the current one (two days of slack either side for clocks and time zones)."""
    start, end = parse_time(obj(period).get("start")), parse_time(obj(period).get("end"))
    if start is None or end is None:
        return period_problems(period, where)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    problems = []
    first = start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if start != first:
        problems.append(f"{where}.start {period['start']} is not the first instant of a month")
    last_day = calendar.monthrange(first.year, first.month)[1]
    last_ms = first.replace(day=last_day, hour=23, minute=59, second=59, microsecond=999000)
    if end != last_ms:
        problems.append(f"{where}.end {period['end']} is not the last millisecond of the month of start "
                        f"({last_ms.isoformat().replace('+00:00', 'Z')})")
    now = now or datetime.now(UTC)
    if not first - timedelta(days=2) <= now <= last_ms + timedelta(days=2):
        problems.append(f"{where} {period['start']}..{period['end']} is not the current month")
    return problems


def payment_problems(item: Any, where: str) -> list[str]:
    if not isinstance(item, dict):
        return [f"{where} is not an object"]
    problems = [f"{where}.{name} is missing" for name in PAYMENT_FIELDS if name not in item]
    for name in ("id", "planCode", "planName", "currency", "status"):
        if name in item and not isinstance(item[name], str):
            problems.append(f"{where}.{name} is not a string")
    if "provider" in item and item["provider"] != "dodo":
        problems.append(f"{where}.provider is {item['provider']!r}, not 'dodo'")
    if "amount" in item and not is_count(item["amount"]):
        problems.append(f"{where}.amount {item['amount']!r} is not an integer in minor units")
    for name in ("periodStart", "periodEnd", "createdAt"):
        if name in item and parse_time(item[name]) is None:
            problems.append(f"{where}.{name} is not an ISO 8601 timestamp")
    return problems


def key_tree(value: Any) -> Any:
    """The nested key structure of a JSON value (objects' keys, recursively; lists by their first item)."""
    if isinstance(value, dict):
        return {key: key_tree(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        return [key_tree(value[0])] if value else []
    return None
