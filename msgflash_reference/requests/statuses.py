"""Request bodies of /api/v1/statuses."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from msgflash_reference.message_content import NonNullBody


class StatusBody(NonNullBody):
    instanceId: str
    type: Literal["text", "image"]
    content: str = Field(min_length=1)
    caption: str | None = Field(default=None)
    backgroundColor: str | None = Field(default=None, pattern=r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
