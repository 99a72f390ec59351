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
        if status == "":
            # the spec's `minLength: 1` (G31): an empty value is no status at all, refused like a malformed id
            raise invalid_field("status", "must not be empty")
        if status is not None and self.by_status:
            # G31: the docs type `status` as a string (the spec likewise): one no message has matches none
            filters.add("status = ?", status if status in MESSAGE_STATUSES else None)
        return filters
