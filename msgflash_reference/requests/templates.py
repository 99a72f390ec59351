"""Request bodies of /api/v1/templates."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from msgflash_reference.message_content import NonNullBody

TemplateType = Literal["text", "image", "video", "audio", "document"]


class TemplateCreate(NonNullBody):
    name: str = Field(min_length=1)
    type: TemplateType
    body: str | None = Field(default=None)
    mediaUrl: str | None = Field(default=None)
    variables: list[str] | None = Field(default=None)  # accepted, never trusted


class TemplateUpdate(NonNullBody):
    name: str | None = Field(default=None, min_length=1)
    type: TemplateType | None = None
    body: str | None = Field(default=None)
    mediaUrl: str | None = Field(default=None)
    variables: list[str] | None = Field(default=None)


class PreviewBody(NonNullBody):
    instanceId: str | None = None
    contactId: str | None = None
    variables: dict[str, Any] | None = None
