"""Listing filters that are more than a WHERE clause a route could get wrong: the messages filters."""

from __future__ import annotations

from dataclasses import dataclass

from msgflash_reference.errors import invalid_field
from msgflash_reference.ids import parse_id
from msgflash_reference.listing import Filters
from msgflash_reference.message_store import MESSAGE_STATUSES


@dataclass(frozen=True)
class MessageFilters:
    """`GET /api/v1/messages?instanceId=&status=` (PAGE-12/13): both narrow the listing."""

    by_instance: bool = True
    by_status: bool = True

    def apply(self, filters: Filters, instance_id: str | None, status: str | None) -> Filters:
        if instance_id is not None:
            value = parse_id(instance_id, "instanceId")
            if self.by_instance:
                filters.add("instance_id = ?", value)
        if status is not None:
            if status not in MESSAGE_STATUSES:
                raise invalid_field("status", f"must be one of {', '.join(MESSAGE_STATUSES)}")
            if self.by_status:
                filters.add("status = ?", status)
        return filters
