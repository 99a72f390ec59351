"""Request bodies of POST /api/v1/campaigns."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from msgflash_reference.message_content import (
    DirectContent,
    NonNullBody,
)

CampaignType = Literal["text", "image", "video", "audio", "document", "voice_note", "buttons"]


class Recipients(NonNullBody):
    type: Literal["all", "tags", "explicit", "group"]
    value: list[Annotated[str, Field(min_length=1)]] | None = Field(default=None)
    groupId: str | None = None  # a UUID whenever given (the spec types it), used by type group only


class CampaignCreate(DirectContent):
    instanceId: str
    name: str = Field(min_length=1)
    schedule: str
    repeat: Literal["none", "noe", "daily", "weekly"] | None = None
    recipients: Recipients
    templateId: str | None = None
    type: CampaignType | None = None
    body: str | None = Field(default=None)
