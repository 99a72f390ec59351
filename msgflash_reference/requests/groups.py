"""Request bodies of /api/v1/contacts/groups."""

from __future__ import annotations

from pydantic import Field

from msgflash_reference.bodies import StrictBody

HEX_COLOR = r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"


class GroupCreate(StrictBody):
    name: str = Field(min_length=1)
    description: str | None = Field(default=None)
    color: str | None = Field(default=None, pattern=HEX_COLOR)


class GroupUpdate(StrictBody):
    name: str | None = Field(default=None, min_length=1)
    description: str | None = Field(default=None)
    color: str | None = Field(default=None, pattern=HEX_COLOR)
