"""Request bodies of /api/v1/webhooks."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from msgflash_reference.message_content import NonNullBody

WebhookEvent = Literal[
    "instance.connected",
    "instance.disconnected",
    "message.sent",
    "message.delivered",
    "message.read",
    "message.failed",
    "message.received",
]


class WebhookCreate(NonNullBody):
    url: str = Field(min_length=1)
    events: list[WebhookEvent] = Field(min_length=1)  # at most 50: the webhook rules (resource_views)
